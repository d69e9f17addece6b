"""Rules a project adds: modules named by ``plugins = [...]`` in the configuration, and
installed packages' entry points in the group ``redislint.rules`` (as flake8 and pylint
load theirs).

A plugin module holds ``Rule`` subclasses (``docs/custom-rules.md``); each is checked like
the built-in ones (code, name, docstring) and added to the registry, so every part of a run
(selection, ``--list-rules``, ``--explain``, reports, SARIF descriptors, the flake8 plugin,
the cache key) sees it. A plugin is code the configuration asks to run: it is imported,
while the code under lint never is.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.metadata
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import ModuleType

from redislint import rules as registry
from redislint.rules.base import Rule

ENTRY_POINT_GROUP = "redislint.rules"
# flake8's own rule for codes (``flake8.defaults.VALID_CODE_PREFIX``): letters, then digits
_VALID_CODE = re.compile(r"^[A-Z]{1,3}[0-9]{0,3}$")
_VALID_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")

_loaded: dict[str, tuple[type[Rule], ...]] = {}  # module name -> its rules, once per process
_entry_points_loaded = False


class PluginError(Exception):
    """A plugin that cannot be used; the message names it and says why."""


def rules_of(module: ModuleType) -> tuple[type[Rule], ...]:
    """The ``Rule`` subclasses ``module`` defines (or lists in ``RULES``)."""
    listed = getattr(module, "RULES", None)
    if listed is not None:
        return tuple(listed)
    return tuple(
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, Rule)
        and value is not Rule
        and value.__module__ == module.__name__
    )


def check(rule: type[Rule], origin: str) -> None:
    """Refuse a plugin rule whose metadata would clash with the built-in rules or flake8."""
    code = getattr(rule, "code", None)
    if not isinstance(code, str) or not _VALID_CODE.match(code):
        raise PluginError(
            f"{origin}: rule {rule.__name__} has code {code!r}; a plugin rule's code is one to "
            "three capital letters and up to three digits (flake8's rule), such as ACM101"
        )
    if code.startswith("RL"):
        raise PluginError(
            f"{origin}: rule {rule.__name__} has code {code!r}; codes starting with RL belong "
            "to redislint itself, choose a prefix of your own (ACM101)"
        )
    name = getattr(rule, "name", None)
    if not isinstance(name, str) or not _VALID_NAME.match(name):
        raise PluginError(
            f"{origin}: rule {code} has name {name!r}; a name is lowercase words joined by "
            "hyphens, such as acme-key-prefix"
        )
    for attribute in ("severity", "summary"):
        if not hasattr(rule, attribute):
            raise PluginError(f"{origin}: rule {code} has no {attribute}")
    other = registry.BY_CODE.get(code) or registry.BY_NAME.get(name)
    if other is not None and other is not rule:
        raise PluginError(
            f"{origin}: rule {code} ({name}) clashes with {other.code} ({other.name}) of "
            f"{other.__module__}"
        )


def register(found: Iterable[type[Rule]]) -> None:
    """Add rules to the registry (``redislint.rules``), in code order."""
    added = {r.code: r for r in found if registry.BY_CODE.get(r.code) is not r}
    if not added:
        return
    registry.ALL_RULES = tuple(sorted((*registry.ALL_RULES, *added.values()), key=_code))
    for rule in added.values():
        registry.BY_CODE[rule.code] = rule
        registry.BY_NAME[rule.name] = rule


def _code(rule: type[Rule]) -> str:
    return rule.code


def load(name: str, search: Path | None = None, origin: str = "") -> tuple[type[Rule], ...]:
    """Import the plugin module ``name`` (from ``search`` first: the configuration's folder,
    for a project's own rules module), check its rules and register them."""
    if name in _loaded:
        return _loaded[name]
    origin = origin or f"plugin {name!r}"
    # The configuration's folder is searched for this import only: left on sys.path, a
    # module of the linted project (``click.py``) could shadow one redislint imports later.
    added = str(search) if search is not None and str(search) not in sys.path else None
    if added is not None:
        sys.path.insert(0, added)
    try:
        module = importlib.import_module(name)
    except Exception as exc:  # a plugin's own error, whatever it is, is the user's to see
        raise PluginError(f"{origin} cannot be imported: {type(exc).__name__}: {exc}") from exc
    finally:
        if added is not None and added in sys.path:
            sys.path.remove(added)
    found = rules_of(module)
    if not found:
        raise PluginError(f"{origin} defines no rule (no subclass of redislint.rules.base.Rule)")
    for rule in found:
        check(rule, origin)
    register(found)
    _loaded[name] = found
    return found


def load_entry_points() -> None:
    """Load every installed package's ``redislint.rules`` entry point (once per process)."""
    global _entry_points_loaded
    if _entry_points_loaded:
        return
    _entry_points_loaded = True
    for point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        origin = f"entry point {point.name!r} ({point.value}) of group {ENTRY_POINT_GROUP}"
        module_name, _, attribute = point.value.partition(":")
        if not attribute:
            load(module_name, origin=origin)
            continue
        try:
            value = point.load()
        except Exception as exc:
            raise PluginError(f"{origin} cannot be loaded: {type(exc).__name__}: {exc}") from exc
        found = tuple(value) if isinstance(value, list | tuple) else (value,)
        for rule in found:
            if not (isinstance(rule, type) and issubclass(rule, Rule)):
                raise PluginError(f"{origin} is not a Rule subclass: {rule!r}")
            check(rule, origin)
        register(found)


def fingerprint() -> str:
    """What the cache key needs of the plugin rules: their codes and their modules' code."""
    parts = sorted(_plugin_parts())
    return hashlib.sha256("\0".join(parts).encode()).hexdigest() if parts else ""


def _plugin_parts() -> Iterator[str]:
    for rule in registry.ALL_RULES:
        if rule.code.startswith("RL"):
            continue
        module = sys.modules.get(rule.__module__)
        source = getattr(module, "__file__", None)
        try:
            content = Path(source).read_bytes() if source else b""
        except OSError:
            content = b""
        yield f"{rule.code}:{rule.__module__}:{hashlib.sha256(content).hexdigest()}"
