"""Which files a run checks: the paths given, minus skipped and excluded directories."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator, Sequence
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath

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


def matches_any(path: Path, patterns: Sequence[str], root: Path) -> bool:
    """Whether a path matches a glob: against its path relative to ``root``, or its name.

    A pattern with a ``/`` other than a trailing one is anchored at ``root`` and matches
    the relative path and everything below a matching directory (``./`` and a leading
    ``/`` are dropped; ``**/`` matches zero or more directories). A pattern without one
    (a trailing ``/`` only marks a directory, as in ``tests/``) matches any path
    component, so ``tests/`` covers ``tests/a.py`` and ``pkg/tests/unit/b.py``.
    """
    if not patterns:
        return False
    try:
        relative = PurePosixPath(path.absolute().relative_to(root).as_posix())
    except ValueError:
        relative = PurePosixPath(path.as_posix())
    text = relative.as_posix()
    candidates: list[str] | None = None
    for pattern in patterns:
        clean = pattern.strip().rstrip("/")
        while clean.startswith("./"):
            clean = clean[2:]
        if not clean:
            continue
        if "/" in clean:
            if candidates is None:
                candidates = [text, *(p.as_posix() for p in relative.parents)]
            variants = _zero_dir_variants(clean.lstrip("/"))
            if any(fnmatchcase(c, v) for c in candidates for v in variants):
                return True
        elif any(fnmatchcase(part, clean) for part in relative.parts):
            return True
    return False


def _zero_dir_variants(pattern: str) -> set[str]:
    """``a/**/b`` also as ``a/b``: ``**/`` may stand for no directory at all."""
    head, sep, tail = pattern.partition("**/")
    if not sep:
        return {pattern}
    rests = _zero_dir_variants(tail)
    return {head + sep + r for r in rests} | {head + r for r in rests}


def _is_venv(directory: Path) -> bool:
    return (directory / "pyvenv.cfg").is_file()


def discover(
    paths: Sequence[Path],
    root: Path,
    exclude: Sequence[str],
) -> Iterator[tuple[Path, bool]]:
    """Files to check as (path, named explicitly), in a deterministic order.

    Files named on the command line are always checked; inside directories, only
    ``*.py``/``*.pyi`` files outside skipped and excluded directories. Symlinked
    directories are not followed (no loops); FIFOs and devices are never opened.
    """
    seen: set[str] = set()
    for path in paths:
        try:
            mode = path.stat().st_mode
        except OSError:
            yield path, True  # reported as unreadable
            continue
        if stat.S_ISDIR(mode):
            for found in _walk(path, root, exclude):
                key = str(found)
                if key not in seen:
                    seen.add(key)
                    yield found, False
        else:
            key = str(path)
            if key not in seen:
                seen.add(key)
                yield path, True


def _walk(top: Path, root: Path, exclude: Sequence[str]) -> Iterator[Path]:
    try:
        entries = sorted(os.scandir(top), key=lambda e: e.name)
    except OSError:
        return
    files: list[Path] = []
    dirs: list[Path] = []
    for entry in entries:
        path = Path(entry.path)
        try:
            if entry.is_dir(follow_symlinks=False):
                if _is_venv(path) or matches_any(path, exclude, root):
                    continue
                dirs.append(path)
            elif (
                entry.name.endswith(PYTHON_SUFFIXES)
                and entry.is_file()
                and not matches_any(path, exclude, root)
            ):
                files.append(path)
        except OSError:
            continue
    yield from files
    for directory in dirs:
        yield from _walk(directory, root, exclude)
