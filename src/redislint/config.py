"""Configuration: ``[tool.redislint]`` in pyproject.toml, or redislint.toml/.redislint.toml.

Every key is validated; a mistake is reported with the file, the key and what is allowed.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from redislint.settings import Settings

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

CONFIG_FILES = ("redislint.toml", ".redislint.toml", "pyproject.toml")
_VERSION = re.compile(r"^\d+(\.\d+){0,2}$")


class ConfigError(Exception):
    """A configuration mistake; the message names the file, the key and what is allowed."""


@dataclass
class Config:
    """The whole configuration of a run."""

    path: Path | None = None  # the file it came from
    root: Path = field(default_factory=Path.cwd)  # relative paths and globs start here
    select: list[str] | None = None
    ignore: list[str] = field(default_factory=list)
    extend_select: list[str] = field(default_factory=list)
    exclude: list[str] | None = None
    extend_exclude: list[str] = field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    file_timeout: float = 60.0
    config_files: list[str] = field(default_factory=list)  # extra redis.conf globs
    plugins: list[str] = field(default_factory=list)  # modules of the project's own rules
    settings: Settings = field(default_factory=Settings)


# key -> (python type check, description of what is allowed)
_STR_LIST = "a list of strings"
KEYS: dict[str, str] = {
    "select": _STR_LIST + " (rule codes, prefixes such as RL2, rule names, or ALL)",
    "ignore": _STR_LIST + " (rule codes, prefixes or names)",
    "extend-select": _STR_LIST + " (rule codes, prefixes, names, or ALL)",
    "exclude": _STR_LIST + " (glob patterns)",
    "extend-exclude": _STR_LIST + " (glob patterns)",
    "per-file-ignores": "a table mapping glob patterns to lists of rule codes",
    "client-name-patterns": _STR_LIST
    + " (substrings of receiver names taken for clients; [] disables the fallback)",
    "persistent-key-patterns": _STR_LIST + " (glob patterns of keys meant to live without a TTL)",
    "test-paths": _STR_LIST + " (glob patterns of test files)",
    "config-files": _STR_LIST
    + " (glob patterns of Redis configuration files checked besides redis.conf, valkey.conf and *.redis.conf)",
    "cluster": "true or false",
    "file-timeout": "a positive number of seconds (the time one file may take to analyse)",
    "cluster-proxy": "true or false (with cluster = true)",
    "target-redis-version": 'a version string such as "7.2"',
    "plugins": _STR_LIST
    + " (modules holding rules of your own, importable or next to the configuration file)",
}


def _where(path: Path | None, table: str) -> str:
    if path is None:
        return "the command line"
    return f"{path}" + (f" [{table}]" if table else "")


def _string_list(value: Any, key: str, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: '{key}' must be {KEYS[key]}, got {value!r}")
    return list(value)


def find_config_file(start: Path) -> Path | None:
    """The nearest redislint.toml, .redislint.toml or pyproject.toml with [tool.redislint]."""
    directory = start.absolute()
    for candidate in [directory, *directory.parents]:
        found = config_file_in(candidate)
        if found is not None:
            return found
    return None


def config_file_in(directory: Path) -> Path | None:
    """The configuration file of ``directory`` itself (``find_config_file`` without the
    walk up, for callers that remember what they found for parent directories)."""
    for name in CONFIG_FILES:
        path = directory / name
        if not path.is_file():
            continue
        if name != "pyproject.toml":
            return path
        try:
            raw = path.read_bytes()
        except OSError:
            return path  # it may hold ours: load_config says it cannot be read
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            if b"tool.redislint" in raw:
                return path  # ours, but undecodable: load_config reports where
            continue
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            if "tool.redislint" in text:
                return path  # ours, but broken: load_config reports where
            continue
        if isinstance(data.get("tool"), dict) and "redislint" in data["tool"]:
            return path
    return None


def installed_plugins() -> None:
    """Register the rules of installed packages (entry points of ``redislint.rules``): every
    configuration, even none, runs with them."""
    from redislint.rules import plugins

    try:
        plugins.load_entry_points()
    except plugins.PluginError as exc:
        raise ConfigError(str(exc)) from exc


def load_config(path: Path | None = None, start: Path | None = None) -> Config:
    """Load the configuration from ``path``, or the nearest config file above ``start``."""
    installed_plugins()
    explicit = path is not None
    if path is None:
        path = find_config_file(start or Path.cwd())
    if path is None:
        return Config(root=(start or Path.cwd()).absolute())
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: configuration file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read configuration file: {exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    table = ""
    if path.name == "pyproject.toml":
        tool = data.get("tool", {})
        section = tool.get("redislint") if isinstance(tool, dict) else None
        if section is None:
            if explicit:
                raise ConfigError(f"{path}: no [tool.redislint] table")
            return Config(path=path, root=path.parent.absolute())
        if not isinstance(section, dict):
            raise ConfigError(f"{path}: [tool.redislint] must be a table")
        data = section
        table = "tool.redislint"
    return parse_config(data, path, table)


def parse_config(data: dict[str, Any], path: Path | None, table: str = "") -> Config:
    """Validate a configuration table."""
    from redislint.rules import plugins

    installed_plugins()
    where = _where(path, table)
    config = Config(path=path, root=path.parent.absolute() if path else Path.cwd().absolute())
    unknown = sorted(set(data) - set(KEYS))
    if unknown:
        raise ConfigError(
            f"{where}: unknown key '{unknown[0]}'; allowed keys: {', '.join(sorted(KEYS))}"
        )
    settings: dict[str, Any] = {}
    for key, value in data.items():
        if key == "select":
            config.select = _string_list(value, key, where)
        elif key == "ignore":
            config.ignore = _string_list(value, key, where)
        elif key == "extend-select":
            config.extend_select = _string_list(value, key, where)
        elif key == "exclude":
            config.exclude = _string_list(value, key, where)
        elif key == "extend-exclude":
            config.extend_exclude = _string_list(value, key, where)
        elif key == "per-file-ignores":
            if not isinstance(value, dict):
                raise ConfigError(f"{where}: 'per-file-ignores' must be {KEYS[key]}, got {value!r}")
            for pattern, codes in value.items():
                config.per_file_ignores[pattern] = _string_list(codes, key, where)
        elif key == "client-name-patterns":
            settings["client_name_patterns"] = tuple(
                p.lower() for p in _string_list(value, key, where)
            )
        elif key == "persistent-key-patterns":
            settings["persistent_key_patterns"] = tuple(_string_list(value, key, where))
        elif key == "test-paths":
            settings["test_paths"] = tuple(_string_list(value, key, where))
        elif key == "config-files":
            config.config_files = _string_list(value, key, where)
        elif key == "cluster":
            if not isinstance(value, bool):
                raise ConfigError(f"{where}: 'cluster' must be {KEYS[key]}, got {value!r}")
            settings["cluster"] = value
        elif key == "file-timeout":
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not math.isfinite(value)
                or value <= 0
            ):
                raise ConfigError(f"{where}: 'file-timeout' must be {KEYS[key]}, got {value!r}")
            config.file_timeout = float(value)
        elif key == "cluster-proxy":
            if not isinstance(value, bool):
                raise ConfigError(f"{where}: 'cluster-proxy' must be {KEYS[key]}, got {value!r}")
            settings["cluster_proxy"] = value
        elif key == "target-redis-version":
            settings["target_redis_version"] = parse_version(value, where)
        elif key == "plugins":
            config.plugins = _string_list(value, key, where)
            for name in config.plugins:
                try:
                    plugins.load(name, config.root, f"{where}: plugin {name!r}")
                except plugins.PluginError as exc:
                    raise ConfigError(str(exc)) from exc
    if settings.get("cluster_proxy") and not settings.get("cluster"):
        raise ConfigError(
            f"{where}: 'cluster-proxy = true' describes how the code reaches Redis Cluster; "
            "it needs 'cluster = true'"
        )
    config.settings = Settings(**settings)
    for key in ("select", "ignore", "extend-select"):
        validate_selectors(getattr(config, key.replace("-", "_")) or [], key, where)
    check_contradictions(
        {"select": config.select or [], "extend-select": config.extend_select},
        {"ignore": config.ignore},
        where,
    )
    for codes in config.per_file_ignores.values():
        validate_selectors(codes, "per-file-ignores", where)
    return config


def parse_version(value: Any, where: str) -> tuple[int, ...]:
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not _VERSION.match(value):
        raise ConfigError(
            f"{where}: 'target-redis-version' must be {KEYS['target-redis-version']}, got {value!r}"
        )
    return tuple(int(p) for p in value.split("."))


def validate_selectors(selectors: Iterable[str], key: str, where: str) -> None:
    from redislint.rules import ALL_RULES

    for selector in selectors:
        if not matching_codes(selector):
            examples = ", ".join(r.code for r in ALL_RULES[:4])
            raise ConfigError(
                f"{where}: '{key}' has unknown rule selector {selector!r}; use ALL, a code "
                f"({examples}, ...), a prefix such as RL2, or a rule name (see redislint --list-rules)"
            )


def check_contradictions(
    selected: dict[str, Sequence[str]], ignored: dict[str, Sequence[str]], where: str
) -> None:
    """The same rule (by code or name), prefix or ALL both selected and ignored at one level.

    ``select = ["RL1"]`` with ``ignore = ["RL101"]`` is a refinement; ``select =
    ["RL101"]`` with ``ignore = ["set-without-ttl"]`` cannot mean anything.
    """
    chosen = {_identity(s): (key, s) for key, values in selected.items() for s in values}
    for key, values in ignored.items():
        for selector in values:
            if _identity(selector) in chosen:
                other_key, other = chosen[_identity(selector)]
                raise ConfigError(
                    f"{where}: {other!r} in '{other_key}' and {selector!r} in '{key}' name "
                    "the same rules; keep one of them"
                )


def _identity(selector: str) -> str:
    """What a selector names: one rule's code, or a prefix (``RL1``) or ``ALL`` as written."""
    from redislint.rules import BY_NAME

    token = selector.strip()
    if token.lower() in BY_NAME:
        return BY_NAME[token.lower()].code
    return token.upper()


def matching_codes(selector: str) -> set[str]:
    """Codes a selector names: ALL, a code, a code prefix, or a rule name."""
    from redislint.rules import ALL_RULES, BY_NAME

    token = selector.strip()
    if token.upper() == "ALL":
        return {r.code for r in ALL_RULES}
    if token.lower() in BY_NAME:
        return {BY_NAME[token.lower()].code}
    upper = token.upper()
    exact = {r.code for r in ALL_RULES if r.code == upper}
    if exact:
        return exact
    if re.fullmatch(r"RL\d{0,2}", upper):
        return {r.code for r in ALL_RULES if r.code.startswith(upper) and r.default_enabled}
    return set()


def enabled_codes(
    config: Config,
    select: Sequence[str] | None = None,
    extend_select: Sequence[str] = (),
    ignore: Sequence[str] = (),
) -> frozenset[str]:
    """The codes a run reports: command-line options on top of the configuration."""
    from redislint.rules import ALL_RULES

    chosen = select if select is not None else config.select
    if chosen is None:
        codes = {r.code for r in ALL_RULES if r.default_enabled}
    else:
        codes = set().union(*(matching_codes(s) for s in chosen)) if chosen else set()
    for selector in [*config.extend_select, *extend_select]:
        codes |= matching_codes(selector)
    codes.add("RL000")  # unparsable files are reported unless explicitly ignored
    for selector in [*config.ignore, *ignore]:
        codes -= matching_codes(selector) | _explicit(selector)
    return frozenset(codes)


def _explicit(selector: str) -> set[str]:
    """Ignoring a prefix also ignores the off-by-default rules under it."""
    from redislint.rules import ALL_RULES

    upper = selector.strip().upper()
    if re.fullmatch(r"RL\d{0,2}", upper):
        return {r.code for r in ALL_RULES if r.code.startswith(upper)}
    return set()
