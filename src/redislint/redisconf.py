"""The redis.conf grammar, read the way redis-server reads it.

Redis (``src/config.c``, ``loadServerConfigFromString``) splits the file on ``\\n``, trims
``" \\t\\r\\n"`` from both ends of each line, skips empty lines and lines whose first
character is ``#`` (comments are whole lines only: a ``#`` after a directive is an
argument), splits the rest into arguments with ``sdssplitargs`` (``src/sds.c``) and
lower-cases the directive name. Later directives override earlier ones, except the few
that accumulate (``save`` lines, ``rename-command``, ``user``, ``include``...).
``include`` reads another file in place.

Files are read as bytes and decoded as Latin-1, so every byte is one character and
``\\xHH`` escapes round-trip; only ASCII matters to the directives we interpret.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ENCODING = "latin-1"
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_INCLUDE_DEPTH = 32

# C's isspace() and the characters that end an unquoted argument in sdssplitargs.
_C_SPACE = frozenset(" \t\n\v\f\r")
_ARG_END = frozenset(" \n\r\t")
_TRIM = " \t\r\n"
_HEX = "0123456789abcdefABCDEF"
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "a": "\a"}
_GLOB_CHARS = frozenset("*?[")

# memtoull(): the unit suffixes Redis accepts (case-insensitive). ``k`` is 1000, ``kb`` 1024.
MEMORY_UNITS = {
    "": 1,
    "b": 1,
    "k": 1000,
    "kb": 1024,
    "m": 1000**2,
    "mb": 1024**2,
    "g": 1000**3,
    "gb": 1024**3,
}
ULLONG_MAX = 2**64 - 1

EVICTION_POLICIES = frozenset(
    {
        "volatile-lru",
        "volatile-lfu",
        "volatile-random",
        "volatile-ttl",
        "allkeys-lru",
        "allkeys-lfu",
        "allkeys-random",
        "noeviction",
    }
)
# The save points of a server whose configuration has no ``save`` directive (Redis 7).
DEFAULT_SAVE = ((3600, 1), (300, 100), (60, 10000))


@dataclass(frozen=True)
class Directive:
    """One configuration line: its lower-cased name, its arguments, where it is."""

    name: str
    args: tuple[str, ...]
    path: str
    line: int

    @property
    def value(self) -> str:
        """The single argument of a one-value directive (``""`` when absent)."""
        return self.args[0] if self.args else ""


@dataclass(frozen=True)
class ConfError:
    """A line redis-server would refuse to start with (or a file it could not read)."""

    path: str
    line: int
    message: str
    name: str = ""  # the directive of the line, when it could be split


@dataclass
class Conf:
    """A configuration file with its includes expanded, in the order Redis applies it."""

    path: str
    directives: list[Directive] = field(default_factory=list)
    errors: list[ConfError] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # every file read, the root first
    texts: dict[str, str] = field(default_factory=dict)  # file -> its text
    unresolved: list[Directive] = field(default_factory=list)  # includes not followed

    @property
    def complete(self) -> bool:
        """Whether every include was read: only then can a missing directive be judged."""
        return not self.unresolved

    def absent(self, name: str) -> bool:
        """Whether ``name`` is certainly not set: no such line (valid or refused) in any
        file, and every include was read."""
        return (
            self.complete
            and self.last(name) is None
            and not any(e.name == name for e in self.errors)
        )

    def every(self, name: str) -> list[Directive]:
        return [d for d in self.directives if d.name == name]

    def last(self, name: str) -> Directive | None:
        """The directive that wins (the last one) for a one-value setting."""
        for directive in reversed(self.directives):
            if directive.name == name:
                return directive
        return None


class SplitError(ValueError):
    """``sdssplitargs`` returned NULL: an unbalanced quote or a quote glued to text."""


def split_args(line: str) -> list[str]:
    """Split a line into arguments exactly like Redis's ``sdssplitargs``.

    Outside quotes, arguments end at a space, tab, CR or LF. In double quotes, ``\\xHH``
    and the escapes ``\\n \\r \\t \\b \\a`` are decoded and any other ``\\c`` is ``c``;
    in single quotes only ``\\'`` is an escape. A closing quote must be followed by
    whitespace or the end of the line. A quote may open in the middle of an argument
    (``a"b c"`` is ``ab c``).
    """
    args: list[str] = []
    i, n = 0, len(line)
    while True:
        while i < n and line[i] in _C_SPACE:
            i += 1
        if i >= n:
            return args
        current: list[str] = []
        quote = ""
        while True:
            ch = line[i] if i < n else ""
            if quote == '"':
                if ch == "\\" and line[i + 1 : i + 2] == "x" and _is_hex(line[i + 2 : i + 4]):
                    current.append(chr(int(line[i + 2 : i + 4], 16)))
                    i += 3
                elif ch == "\\" and i + 1 < n:
                    i += 1
                    current.append(_ESCAPES.get(line[i], line[i]))
                elif ch == '"':
                    if i + 1 < n and line[i + 1] not in _C_SPACE:
                        raise SplitError("a closing quote must be followed by a space")
                    i += 1
                    break
                elif not ch:
                    raise SplitError("unbalanced quotes")
                else:
                    current.append(ch)
            elif quote == "'":
                if ch == "\\" and line[i + 1 : i + 2] == "'":
                    i += 1
                    current.append("'")
                elif ch == "'":
                    if i + 1 < n and line[i + 1] not in _C_SPACE:
                        raise SplitError("a closing quote must be followed by a space")
                    i += 1
                    break
                elif not ch:
                    raise SplitError("unbalanced quotes")
                else:
                    current.append(ch)
            elif not ch or ch in _ARG_END:
                break
            elif ch in "\"'":
                quote = ch
            else:
                current.append(ch)
            i += 1
        args.append("".join(current))


def _is_hex(text: str) -> bool:
    return len(text) == 2 and all(c in _HEX for c in text)


def parse_text(text: str, path: str) -> tuple[list[Directive], list[ConfError]]:
    """The directives of one file's text (``include`` not followed), and its bad lines."""
    directives: list[Directive] = []
    errors: list[ConfError] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        nul = raw.find("\x00")
        line = (raw if nul < 0 else raw[:nul]).strip(_TRIM)  # C strings end at NUL
        if not line or line.startswith("#"):
            continue
        try:
            args = split_args(line)
        except SplitError as exc:
            errors.append(ConfError(path, number, f"{exc} in this line; redis-server refuses it"))
            continue
        if not args:
            continue
        directive = Directive(args[0].lower(), tuple(args[1:]), path, number)
        problem = check(directive)
        if problem is not None:
            errors.append(ConfError(path, number, problem, directive.name))
            continue
        directives.append(directive)
    return directives, errors


# -- values ------------------------------------------------------------------------------
def parse_memory(text: str) -> int | None:
    """A memory size as Redis's ``memtoull`` reads it (``1k`` = 1000, ``1kb`` = 1024)."""
    if text.startswith("-"):
        return None
    digits_end = 0
    while digits_end < len(text) and text[digits_end] in "0123456789":
        digits_end += 1
    unit = text[digits_end:].lower()
    if unit not in MEMORY_UNITS:
        return None
    digits = text[:digits_end]
    value = int(digits) if digits else 0  # strtoull("") is 0 without an error on glibc
    if value > ULLONG_MAX or value * MEMORY_UNITS[unit] > ULLONG_MAX:
        return None
    return value * MEMORY_UNITS[unit]


def parse_yes_no(text: str) -> bool | None:
    lowered = text.lower()
    if lowered == "yes":
        return True
    if lowered == "no":
        return False
    return None


def _strtoll_whole(text: str) -> int | None:
    """``strtoll(text, &end, 10)`` with ``*end == '\\0'``: the whole text is the number."""
    i = 0
    while i < len(text) and text[i] in _C_SPACE:
        i += 1
    start = i
    if i < len(text) and text[i] in "+-":
        i += 1
    digits = i
    while i < len(text) and text[i] in "0123456789":
        i += 1
    if i == digits:
        return 0 if text == "" else None  # no digits: end stays at the start
    if i != len(text):
        return None
    return max(min(int(text[start:i]), 2**63 - 1), -(2**63))


def parse_save(args: tuple[str, ...]) -> list[tuple[int, int]] | None:
    """The save points of one ``save`` line (``[]`` for ``save ""`` or a bare ``save``),
    None when Redis rejects the line."""
    if len(args) == 1 and args[0] == "":
        return []
    if len(args) % 2:
        return None
    numbers = [_strtoll_whole(a) for a in args]
    points: list[tuple[int, int]] = []
    for j in range(0, len(numbers), 2):
        seconds, changes = numbers[j], numbers[j + 1]
        if seconds is None or changes is None or seconds < 1 or changes < 0:
            return None
        points.append((seconds, changes))
    return points


# -- validation of the directives redislint interprets ------------------------------------
def _one_of(*choices: str) -> Callable[[str], bool]:
    allowed = frozenset(choices)
    return lambda value: value.lower() in allowed


# One-argument directives whose values redislint reads, and how Redis validates them.
# (maxmemory-policy is checked by RL902, which names the valid policies.)
_SINGLE: dict[str, Callable[[str], bool] | None] = {
    "maxmemory": lambda v: parse_memory(v) is not None,
    "maxmemory-policy": None,
    "appendonly": lambda v: parse_yes_no(v) is not None,
    "appendfsync": _one_of("always", "everysec", "no"),
    "protected-mode": lambda v: parse_yes_no(v) is not None,
    "requirepass": None,
    "aclfile": None,
    "enable-debug-command": _one_of("no", "yes", "local"),
}
_EXPECTED = {
    "maxmemory": "a memory size such as 2gb, 512mb or 1000000 (k=1000, kb=1024)",
    "appendonly": "yes or no",
    "appendfsync": "always, everysec or no",
    "protected-mode": "yes or no",
    "enable-debug-command": "no, yes or local",
}
# Directives that are not settings, with the argument counts Redis accepts (min, max).
_ARITY = {"include": (1, 1), "rename-command": (2, 2), "user": (1, None)}
MAX_BIND_ADDRESSES = 16


def check(directive: Directive) -> str | None:
    """Why redis-server would refuse this line, for the directives redislint reads."""
    name, args = directive.name, directive.args
    if name in _SINGLE:
        if len(args) != 1:
            extra = (
                " (a '#' after a value starts an argument, not a comment)" if "#" in args else ""
            )
            return f"'{name}' takes exactly one argument, got {len(args)}{extra}"
        validate = _SINGLE[name]
        if validate is not None and not validate(args[0]):
            return f"'{name}' must be {_EXPECTED[name]}, got {args[0]!r}"
        return None
    if name in _ARITY:
        low, high = _ARITY[name]
        if len(args) < low or (high is not None and len(args) > high):
            return f"'{name}' has the wrong number of arguments ({len(args)})"
        return None
    if name == "save":
        if args and parse_save(args) is None:
            return "'save' takes pairs of <seconds> <changes> (seconds >= 1), or \"\" to disable"
        return None
    if name == "bind":
        if not args:
            return "'bind' needs at least one address"
        if len(args) > MAX_BIND_ADDRESSES:
            return f"'bind' accepts at most {MAX_BIND_ADDRESSES} addresses"
    return None


# -- reading files, following includes -------------------------------------------------
Reader = Callable[[Path], bytes]


def _read(path: Path) -> bytes:
    with path.open("rb") as handle:
        data = handle.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise OSError(f"file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; not checked")
    return data


def decode(data: bytes) -> str:
    return data.decode(ENCODING)


def load(path: Path, read: Reader = _read) -> Conf:
    """Read a configuration file and the files it includes."""
    conf = Conf(path=str(path))
    try:
        text = decode(read(path))
    except OSError as exc:
        conf.errors.append(ConfError(str(path), 1, f"cannot read the file: {_reason(exc)}"))
        return conf
    _expand(conf, text, path, read, [path.absolute()])
    _check_whole(conf)
    return conf


def load_text(text: str, path: Path, read: Reader = _read) -> Conf:
    """A configuration given as text (standard input) as if it were the file ``path``."""
    conf = Conf(path=str(path))
    _expand(conf, text, path, read, [path.absolute()])
    _check_whole(conf)
    return conf


def _check_whole(conf: Conf) -> None:
    """Errors Redis finds across lines: a user defined twice, users next to an aclfile."""
    seen: set[str] = set()
    users = conf.every("user")
    for directive in users:
        if directive.value in seen:
            conf.errors.append(
                ConfError(
                    directive.path,
                    directive.line,
                    f"user {directive.value!r} is defined twice; Redis allows one 'user' line per user",
                    "user",
                )
            )
        seen.add(directive.value)
    aclfile = conf.last("aclfile")
    if aclfile is not None and aclfile.value and users:
        conf.errors.append(
            ConfError(
                aclfile.path,
                aclfile.line,
                "users are defined with 'user' lines and an 'aclfile' at the same time; "
                "redis-server refuses this",
                "aclfile",
            )
        )


def _reason(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return "no such file or directory"
    if isinstance(exc, IsADirectoryError):
        return "is a directory"
    if isinstance(exc, PermissionError):
        return "permission denied"
    return str(exc.strerror or exc)


def _expand(conf: Conf, text: str, path: Path, read: Reader, stack: list[Path]) -> None:
    conf.files.append(str(path))
    conf.texts[str(path)] = text
    directives, errors = parse_text(text, str(path))
    conf.errors.extend(errors)
    for directive in directives:
        conf.directives.append(directive)
        if directive.name == "include":
            _include(conf, directive, path, read, stack)


def _include(conf: Conf, directive: Directive, path: Path, read: Reader, stack: list[Path]) -> None:
    """Follow ``include``: relative to the including file (Redis uses its working directory,
    unknowable here), globs expanded in sorted order, a glob matching nothing skipped."""
    target = Path(os.fsdecode(directive.value.encode(ENCODING)))
    if not target.is_absolute():
        target = path.parent / target
    if _GLOB_CHARS & set(directive.value):
        # glob.glob, like glob(3) and unlike Path.glob, skips dot files for "*"
        names = sorted(glob.glob(str(target)))  # noqa: PTH207
        targets = [Path(n) for n in names]
    else:
        targets = [target]
    for file in targets:
        absolute = file.absolute()
        if absolute in stack:
            conf.errors.append(
                ConfError(directive.path, directive.line, f"include cycle: {file} includes itself")
            )
            continue
        if len(stack) >= MAX_INCLUDE_DEPTH:
            conf.errors.append(
                ConfError(directive.path, directive.line, "includes nested too deeply")
            )
            continue
        try:
            text = decode(read(file))
        except OSError:
            conf.unresolved.append(directive)  # may exist on the server: not an error here
            continue
        _expand(conf, text, file, read, [*stack, absolute])


# -- what the server ends up with --------------------------------------------------------
@dataclass(frozen=True)
class SaveState:
    """The effective RDB save points and the line that decided them (None: the default)."""

    points: tuple[tuple[int, int], ...]
    cleared_by: Directive | None  # the last ``save ""`` that left no save point


def effective_save(conf: Conf) -> SaveState:
    """Save points as Redis 7 computes them: the first ``save`` line drops the defaults,
    ``save ""`` clears every point so far, other ``save`` lines add theirs (a bare
    ``save`` adds none)."""
    lines = conf.every("save")
    if not lines:
        return SaveState(DEFAULT_SAVE, None)
    points: list[tuple[int, int]] = []
    emptied: Directive | None = None
    for directive in lines:
        if directive.args == ("",):
            points = []
        points.extend(parse_save(directive.args) or [])
        if not points:
            emptied = directive
    return SaveState(tuple(points), emptied if not points else None)


def memory_setting(conf: Conf, name: str) -> int | None:
    directive = conf.last(name)
    return parse_memory(directive.value) if directive is not None else None


def yes_no_setting(conf: Conf, name: str, default: bool) -> bool:
    directive = conf.last(name)
    if directive is None:
        return default
    value = parse_yes_no(directive.value)
    return default if value is None else value


# -- the default user (requirepass, ``user default ...``) ------------------------------------
@dataclass(frozen=True)
class DefaultUser:
    """What a client that never sends AUTH can do, as far as the configuration says."""

    enabled: bool
    nopass: bool
    rules: tuple[tuple[bool, str], ...]  # (allowed, "@category" / "command" / "command|sub")
    selectors: bool  # selector rules "(...)": extra permissions redislint does not evaluate
    source: Directive | None  # the ``user default`` or ``requirepass`` line, None: built in

    @property
    def anonymous(self) -> bool:
        """Whether clients get in without a password (and may run some command)."""
        return self.enabled and self.nopass and any(allowed for allowed, _ in self.rules)

    def allows(self, command: str, categories: frozenset[str]) -> bool:
        """Whether the user may run ``command`` (``"config|set"``), given its ACL categories."""
        parent = command.split("|", 1)[0]
        state = False
        for allowed, target in self.rules:
            if target in ("@all", command, parent) or target in categories:
                state = allowed
        return state


def default_user(conf: Conf) -> DefaultUser | None:
    """The default user after the configuration is applied; None when users come from an
    ``aclfile`` (not read). A ``user default`` line resets the user first and wins over
    ``requirepass`` whatever their order (Redis applies user lines after the settings)."""
    aclfile = conf.last("aclfile")
    if aclfile is not None and aclfile.value:
        return None
    line = next((d for d in conf.every("user") if d.value == "default"), None)
    if line is None:
        requirepass = conf.last("requirepass")
        password = requirepass is not None and requirepass.value != ""
        return DefaultUser(True, not password, ((True, "@all"),), False, requirepass)
    enabled, nopass, selectors, in_selector = False, False, False, False
    rules: list[tuple[bool, str]] = [(False, "@all")]
    for token in line.args[1:]:
        lowered = token.lower()
        if in_selector or token.startswith("("):  # "(~key* +get)" spans several arguments
            selectors, in_selector = True, not token.endswith(")")
        elif lowered in ("on", "off"):
            enabled = lowered == "on"
        elif lowered in ("nopass", "resetpass"):
            nopass = lowered == "nopass"
        elif lowered == "reset":
            enabled, nopass, selectors = False, False, False
            rules = [(False, "@all")]
        elif token[:1] in (">", "#"):
            nopass = False
        elif lowered in ("allcommands", "nocommands"):
            rules.append((lowered == "allcommands", "@all"))
        elif token[:1] in ("+", "-") and len(token) > 1:
            rules.append((token[0] == "+", token[1:].lower()))
        elif lowered == "clearselectors":
            selectors = False
    return DefaultUser(enabled, nopass, tuple(rules), selectors, line)
