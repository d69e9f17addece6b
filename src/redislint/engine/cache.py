"""The on-disk cache: index facts and lint results per file, keyed by content and context.

Entries live in ``.redislint_cache/`` (or ``--cache-dir``), one small JSON file each, written
atomically (temporary file + rename), so concurrent runs never see half an entry. JSON,
not pickle: a cache directory committed to a repository must never be able to run code.
Keys hash everything a result depends on: the file's bytes and path, redislint's version,
the effective configuration and, for lint results, the facts of the modules the file
imports. Entries not used for ``MAX_AGE_DAYS`` are pruned.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import functools
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from redislint import __version__
from redislint.clients import sym
from redislint.diagnostics import Edit, Finding, Fix, Position, Severity
from redislint.engine.results import FileResult
from redislint.keys.shape import Hole, KeyShape
from redislint.semantic import index
from redislint.semantic.digest import digest
from redislint.semantic.keyspace import KeyUse
from redislint.semantic.treefacts import CommandFact, TreeCondition, TreeQuery

MAX_AGE_DAYS = 14
CACHE_VERSION = "1"

# The only types a cache entry may contain: decoding builds nothing else.
_TYPES: dict[str, type[Any]] = {
    cls.__name__: cls
    for cls in (
        Finding,
        Position,
        Fix,
        Edit,
        FileResult,
        CommandFact,
        KeyUse,
        TreeCondition,
        TreeQuery,
        KeyShape,
        Hole,
        index.ModuleFacts,
        index.FunctionFacts,
        index.ClassFacts,
        index.CallSite,
        sym.SName,
        sym.SAttr,
        sym.SCall,
        sym.SSub,
        sym.SAlt,
        sym.SAwait,
        sym.SConst,
        sym.SAnnot,
        sym.SIter,
    )
}
_SINGLETONS: dict[str, object] = {"SOTHER": sym.SOTHER, "SUNKNOWN": sym.SUNKNOWN}


_FIELDS: dict[type[Any], tuple[str, ...]] = {}


def encode(value: Any) -> Any:
    """A JSON-able form of facts and results."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value  # most of what is stored: first, and without isinstance()
    if kind is list:
        return [encode(v) for v in value]
    names = _FIELDS.get(kind)
    if names is not None:
        return {"_t": kind.__name__, **{n: encode(getattr(value, n)) for n in names}}
    if isinstance(value, sym._Other):
        return {"_s": "SOTHER"}
    if isinstance(value, sym._Unknown):
        return {"_s": "SUNKNOWN"}
    if isinstance(value, Severity):
        return {"_e": value.value}
    if isinstance(value, bytes):
        return {"_b": value.decode("latin-1")}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        _FIELDS[kind] = tuple(f.name for f in dataclasses.fields(value))
        return encode(value)
    if isinstance(value, tuple):
        return {"_tu": [encode(v) for v in value]}
    if isinstance(value, frozenset | set):
        return {"_fs": sorted((encode(v) for v in value), key=json.dumps)}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {"_d": [[encode(k), encode(v)] for k, v in value.items()]}
    if isinstance(value, float) and value != value:  # NaN
        return {"_nan": True}
    if isinstance(value, complex):
        return {"_c": [value.real, value.imag]}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, enum.Enum):  # pragma: no cover - no other enums are cached
        raise TypeError(f"cannot cache {value!r}")
    raise TypeError(f"cannot cache {type(value).__name__}")


def decode(text: str) -> Any:
    """The inverse of ``encode`` on a JSON document; raises ``ValueError`` on anything
    unexpected. The JSON parser calls ``_revive`` on each object as it builds it, so
    lists and strings are never walked again in Python (the warm run's main cost)."""
    return json.loads(text, object_hook=_revive)


def _revive(value: dict[str, Any]) -> Any:
    if "_t" in value:
        cls = _TYPES.get(value.pop("_t"))
        if cls is None:
            raise ValueError("unexpected type in cache entry")
        return cls(**value)
    if "_s" in value:
        return _SINGLETONS[value["_s"]]
    if "_e" in value:
        return Severity(value["_e"])
    if "_b" in value:
        return value["_b"].encode("latin-1")
    if "_tu" in value:
        return tuple(value["_tu"])
    if "_fs" in value:
        return frozenset(value["_fs"])
    if "_d" in value:
        return dict(value["_d"])
    if "_nan" in value:
        return float("nan")
    if "_c" in value:
        return complex(*value["_c"])
    raise ValueError("unexpected object in cache entry")


@functools.cache
def _code_stamp() -> str:
    """Size and mtime of redislint's own files: a development checkout that changes its code
    must not reuse results computed by older code under the same version number."""
    package = Path(__file__).resolve().parent.parent
    stamps = []
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".json"):
            try:
                stat = path.stat()
            except OSError:
                continue
            stamps.append(f"{path.relative_to(package)}:{stat.st_size}:{stat.st_mtime_ns}")
    return digest(*stamps)


class Cache:
    """Per-file facts and results on disk (a no-op when ``directory`` is None)."""

    def __init__(self, directory: Path | None, context: str) -> None:
        self.directory = directory / f"v{CACHE_VERSION}" if directory is not None else None
        self.context = digest(__version__, CACHE_VERSION, _code_stamp(), context)
        self.writes = 0

    @property
    def enabled(self) -> bool:
        return self.directory is not None

    def key(self, kind: str, *parts: str) -> str:
        return digest(self.context, kind, *parts)

    def _path(self, key: str) -> Path:
        assert self.directory is not None
        return self.directory / key[:2] / f"{key}.json"

    def has(self, key: str) -> bool:
        """Whether an entry exists (without reading it)."""
        return self.directory is not None and self._path(key).is_file()

    def get(self, key: str) -> Any:
        """The cached value, or None when missing or unreadable."""
        if self.directory is None:
            return None
        path = self._path(key)
        try:
            value = decode(path.read_text(encoding="utf-8"))
        except Exception:  # missing, unreadable or corrupt (even absurdly nested): a miss
            return None
        try:
            if time.time() - path.stat().st_mtime > 86400:
                os.utime(path)  # keep entries in use from being pruned
        except OSError:
            pass
        return value

    def put(self, key: str, value: Any) -> None:
        if self.directory is None:
            return
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._write_gitignore()
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
        except OSError:
            return  # a read-only or full disk: run without caching
        try:
            text = json.dumps(encode(value), separators=(",", ":"))  # C encoder, not dump()'s
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            Path(tmp).replace(path)
            self.writes += 1
        except (OSError, ValueError, TypeError, RecursionError):
            Path(tmp).unlink(missing_ok=True)  # a full disk, or a value too deep to store

    def _write_gitignore(self) -> None:
        assert self.directory is not None
        marker = self.directory.parent / ".gitignore"
        if not marker.exists():
            with contextlib.suppress(OSError):
                marker.write_text("# Created by redislint\n*\n", encoding="utf-8")

    def prune_occasionally(self) -> None:
        """Prune at most once a day (a marker file remembers when)."""
        if self.directory is None:
            return
        marker = self.directory / ".last-prune"
        try:
            if marker.exists() and time.time() - marker.stat().st_mtime < 86400:
                return
            self.directory.mkdir(parents=True, exist_ok=True)
            marker.touch()
        except OSError:
            return
        self.prune()

    def prune(self, max_age_days: float = MAX_AGE_DAYS) -> int:
        """Delete entries (and leftover temporary files) unused for ``max_age_days``."""
        if self.directory is None or not self.directory.exists():
            return 0
        cutoff = time.time() - max_age_days * 86400
        removed = 0
        for bucket in _entries(self.directory):
            if not bucket.is_dir():
                continue
            for entry in _entries(bucket):
                try:
                    stale = entry.stat().st_mtime < cutoff
                    if stale or (
                        entry.name.startswith(".tmp-")
                        and entry.stat().st_mtime < time.time() - 3600
                    ):
                        entry.unlink()
                        removed += 1
                except OSError:
                    continue
        return removed


def _entries(directory: Path) -> list[Path]:
    """The entries of a cache directory (none when it cannot be listed)."""
    try:
        return list(directory.iterdir())
    except OSError:
        return []
