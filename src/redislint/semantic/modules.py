"""Module names for files: walk up while ``__init__.py`` exists (so ``src/`` layouts and
several projects in one folder each get their own package roots)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=8192)
def _is_package(directory: Path) -> bool:
    return (directory / "__init__.py").is_file() or (directory / "__init__.pyi").is_file()


def module_name(path: Path) -> tuple[str, Path]:
    """The dotted module name of ``path`` and the directory it is importable from."""
    path = path.absolute()
    parts = [] if path.stem == "__init__" else [path.stem]
    directory = path.parent
    while _is_package(directory) and directory.parent != directory:
        parts.append(directory.name)
        directory = directory.parent
    parts.reverse()
    return ".".join(parts) or path.parent.name, directory


def is_package_init(path: Path) -> bool:
    return path.stem == "__init__"
