"""Which files a run checks: the paths given, minus skipped and excluded directories."""

from __future__ import annotations

import fnmatch
import os
import re
import stat
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path

# The default ``exclude``: directories that never hold the project's own code.
DEFAULT_EXCLUDE = (
    ".git",
    ".hg",
    ".svn",
    "node_modules",
    "__pycache__",
    "build",
    "dist",
    ".tox",
    ".nox",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".redislint_cache",
    ".venv",
    ".eggs",
)
PYTHON_SUFFIXES = (".py", ".pyi")


class PathPatterns:
    """Compiled glob patterns for paths.

    A pattern with a ``/`` other than a trailing one is anchored at ``root`` and matches
    the relative path and everything below a matching directory (``./`` and a leading
    ``/`` are dropped; ``**/`` matches zero or more directories). A pattern without one
    (a trailing ``/`` only marks a directory, as in ``tests/``) matches any path
    component, so ``tests/`` covers ``tests/a.py`` and ``pkg/tests/unit/b.py``.
    """

    def __init__(self, patterns: Sequence[str]) -> None:
        self.names: set[str] = set()
        name_globs: list[str] = []
        path_globs: list[str] = []
        for pattern in patterns:
            clean = pattern.strip().rstrip("/")
            while clean.startswith("./"):
                clean = clean[2:]
            if not clean:
                continue
            if "/" in clean:
                path_globs.extend(
                    fnmatch.translate(v) for v in _zero_dir_variants(clean.lstrip("/"))
                )
            elif any(ch in clean for ch in "*?["):
                name_globs.append(fnmatch.translate(clean))
            else:
                self.names.add(clean)
        self._name = re.compile("|".join(name_globs)) if name_globs else None
        self._path = re.compile("|".join(path_globs)) if path_globs else None
        self.has_path_globs = self._path is not None
        self.empty = not patterns

    def match_name(self, name: str) -> bool:
        """One component (a directory or file name) matches."""
        return name in self.names or (self._name is not None and self._name.match(name) is not None)

    def match_path(self, relative: str) -> bool:
        """A root-relative POSIX path matches a pattern with a ``/`` (names aside)."""
        return self._path is not None and self._path.match(relative) is not None

    def match_relative(self, relative: str) -> bool:
        """A root-relative POSIX path (``a/b/c.py``) or one of its parents matches."""
        if self.empty:
            return False
        parts = relative.split("/")
        if any(self.match_name(part) for part in parts):
            return True
        if self._path is None:
            return False
        return any(self._path.match("/".join(parts[:i])) for i in range(len(parts), 0, -1))


def _zero_dir_variants(pattern: str) -> set[str]:
    """``a/**/b`` also as ``a/b``: ``**/`` may stand for no directory at all."""
    head, sep, tail = pattern.partition("**/")
    if not sep:
        return {pattern}
    rests = _zero_dir_variants(tail)
    return {head + sep + r for r in rests} | {head + r for r in rests}


@lru_cache(maxsize=64)
def compiled(patterns: tuple[str, ...]) -> PathPatterns:
    return PathPatterns(patterns)


def relative_posix(path: str | os.PathLike[str], root: Path) -> str:
    """``path`` relative to ``root`` in POSIX form (or as given when outside it)."""
    absolute = os.path.abspath(path)
    base = str(root)
    if absolute == base:
        return "."
    if absolute.startswith(base.rstrip(os.sep) + os.sep):
        absolute = absolute[len(base.rstrip(os.sep)) + 1 :]
        return absolute.replace(os.sep, "/")
    return os.fspath(path).replace(os.sep, "/")


def matches_any(path: str | os.PathLike[str], patterns: Sequence[str], root: Path) -> bool:
    """Whether ``path`` matches one of the glob ``patterns`` (see ``PathPatterns``)."""
    if not patterns:
        return False
    return compiled(tuple(patterns)).match_relative(relative_posix(path, root))


def discover(
    paths: Sequence[Path],
    root: Path,
    exclude: Sequence[str],
    force_exclude: bool = False,
    also: Callable[[str], bool] | None = None,
) -> Iterator[tuple[Path, bool]]:
    """Files to check as (path, named explicitly), in a deterministic order.

    Files named on the command line are always checked (unless ``force_exclude``, for
    pre-commit, which names every file); inside directories, only ``*.py``/``*.pyi`` files
    outside skipped and excluded directories (and files ``also`` accepts: redis.conf
    files). Symlinked directories are not followed (no loops); FIFOs and devices are never
    opened; broken symlinks and symlink loops met while walking are not files and are
    skipped. A directory that cannot be listed is yielded itself, so that it is reported.
    A file reached twice is checked once.
    """
    patterns = compiled(tuple(exclude))
    seen: set[str] = set()
    for path in paths:
        try:
            mode = path.stat().st_mode
        except OSError:
            yield path, True  # reported as unreadable
            continue
        if stat.S_ISDIR(mode):
            top = str(path)
            if patterns.match_relative(relative_posix(path, root)) and top not in (".", ""):
                continue
            for found in _walk(top, patterns, root, also):
                key = os.path.abspath(found)
                if key not in seen:
                    seen.add(key)
                    yield Path(found), False
        else:
            if force_exclude and patterns.match_relative(relative_posix(path, root)):
                continue
            key = os.path.abspath(path)
            if key not in seen:
                seen.add(key)
                yield path, True


def _walk(
    top: str, patterns: PathPatterns, root: Path, also: Callable[[str], bool] | None
) -> Iterator[str]:
    try:
        with os.scandir(top) as scan:
            entries = sorted(scan, key=lambda e: e.name)
    except OSError:
        yield top  # unreadable: the runner reports it rather than skip its files in silence
        return
    files: list[str] = []
    dirs: list[str] = []
    for entry in entries:
        try:
            if entry.is_dir(follow_symlinks=False):
                if not _excluded(entry, patterns, root) and not os.path.isfile(
                    os.path.join(entry.path, "pyvenv.cfg")
                ):
                    dirs.append(entry.path)
            elif (
                (entry.name.endswith(PYTHON_SUFFIXES) or (also is not None and also(entry.path)))
                and not _excluded(entry, patterns, root)
                and entry.is_file()
            ):
                files.append(entry.path)
        except OSError:
            continue
    yield from files
    for directory in dirs:
        yield from _walk(directory, patterns, root, also)


def _excluded(entry: os.DirEntry[str], patterns: PathPatterns, root: Path) -> bool:
    if patterns.match_name(entry.name):
        return True
    return patterns.has_path_globs and patterns.match_path(relative_posix(entry.path, root))


def exclude_patterns(exclude: Sequence[str] | None, extend_exclude: Sequence[str]) -> list[str]:
    """The configuration's ``exclude`` (or the default list), then ``extend-exclude``."""
    return [*(DEFAULT_EXCLUDE if exclude is None else exclude), *extend_exclude]


def excluded_below(path: Path, patterns: Sequence[str], root: Path) -> bool:
    """Whether ``patterns`` skip a file below ``root`` (as when ``redislint`` walks that
    directory); files elsewhere are checked."""
    try:
        path.absolute().relative_to(root)
    except ValueError:
        return False
    return matches_any(path, patterns, root)


def display_path(path: Path, cwd: Path, absolute: Path | None = None) -> str:
    """Paths below the current directory are shown relative to it.

    Bytes of a file name that are not UTF-8 are shown as ``\\xff``: every report is
    valid Unicode (Python keeps them as lone surrogates, which no encoder accepts).
    ``absolute`` is ``path.absolute()`` when the caller has it already.
    """
    if absolute is None:
        absolute = path.absolute()
    try:
        shown = absolute.relative_to(cwd).as_posix()
    except ValueError:
        shown = str(path)
    return valid_unicode(shown)


_SURROGATE = re.compile("[\ud800-\udfff]")


def valid_unicode(text: str) -> str:
    """``text`` with lone surrogates (undecodable file-name bytes) as backslash escapes."""
    if text.isascii() or _SURROGATE.search(text) is None:
        return text
    return _SURROGATE.sub(_escape_surrogate, text)


def _escape_surrogate(match: re.Match[str]) -> str:
    point = ord(match.group())
    if 0xDC80 <= point <= 0xDCFF:  # an undecodable byte, as os.fsdecode() keeps it
        return f"\\x{point - 0xDC00:02x}"
    return f"\\u{point:04x}"
