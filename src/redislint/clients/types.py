"""What redislint knows about a value: the Redis object kinds and the value domain."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, replace


class Kind(enum.Enum):
    """The Redis objects redis-py (and valkey-py) hand out."""

    CLIENT = "client"
    PIPELINE = "pipeline"
    PUBSUB = "pubsub"
    LOCK = "lock"
    SCRIPT = "script"
    SENTINEL = "sentinel"
    POOL = "pool"
    MONITOR = "monitor"
    JSON = "json"  # client.json(): RedisJSON commands (JSON.GET, JSON.SET...)


@dataclass(frozen=True)
class RedisType:
    """A recognised Redis object. ``None`` in a flag means "could be either"."""

    kind: Kind
    is_async: bool | None = False
    is_cluster: bool | None = False
    transaction: bool | None = None  # pipelines only: wrapped in MULTI/EXEC
    by_name: bool = False  # recognised only through client-name-patterns
    evidence: bool = False  # recognised only by the commands called on it (clients/evidence.py)

    @property
    def recognised(self) -> str:
        """How it was recognised: "resolved", "evidence" or "name" (the fallback)."""
        return "name" if self.by_name else "evidence" if self.evidence else "resolved"

    def with_kind(self, kind: Kind, transaction: bool | None = None) -> RedisType:
        return replace(self, kind=kind, transaction=transaction)


@dataclass(frozen=True)
class Ref:
    """Something imported from outside the linted tree, by its dotted name."""

    qualname: str


@dataclass(frozen=True)
class TreeModule:
    """A module of the linted tree."""

    module: str


@dataclass(frozen=True)
class TreeClass:
    """A class defined in the linted tree (the class object itself)."""

    module: str
    name: str


@dataclass(frozen=True)
class TreeInstance:
    """An instance of a class of the linted tree that is not a Redis client."""

    module: str
    name: str


@dataclass(frozen=True)
class TreeFunction:
    """A function or method (``Class.method``) defined in the linted tree."""

    module: str
    qualname: str


@dataclass(frozen=True)
class Container:
    """A container whose elements are ``element`` (``dict[str, Redis]``, ``list[Redis]``)."""

    element: Value


class _Marker(enum.Enum):
    OTHER = "other"  # known not to be a Redis object
    UNKNOWN = "unknown"  # no evidence either way
    NONE = "none"  # the literal None (ignored when merging alternatives)


OTHER = _Marker.OTHER
UNKNOWN = _Marker.UNKNOWN
NONE = _Marker.NONE

Value = RedisType | Ref | TreeModule | TreeClass | TreeInstance | TreeFunction | Container | _Marker


def merge(values: list[Value]) -> Value:
    """Combine the alternatives a value may take (``a or b``, branches, reassignments).

    A Redis object wins over "unknown" and ``None``, but any alternative known to be
    something else makes the whole value "other": the receiver is then not trusted.
    """
    kept = [v for v in values if v is not NONE]
    if not kept:
        return NONE if values else UNKNOWN
    if len(kept) == 1:
        return kept[0]
    redis = [v for v in kept if isinstance(v, RedisType)]
    known = [v for v in kept if v is not UNKNOWN]
    if redis and len(redis) == len(known):
        first = redis[0]
        if all(r == first for r in redis):
            return first
        kinds = {r.kind for r in redis}
        if kinds <= {Kind.CLIENT, Kind.PIPELINE}:
            kind = Kind.PIPELINE if Kind.PIPELINE in kinds else Kind.CLIENT
        elif len(kinds) == 1:
            kind = first.kind
        else:
            return OTHER
        return RedisType(
            kind=kind,
            is_async=_same(r.is_async for r in redis),
            is_cluster=_same(r.is_cluster for r in redis),
            transaction=_same(r.transaction for r in redis) if kind is Kind.PIPELINE else None,
            by_name=all(r.by_name for r in redis),
            evidence=all(r.evidence for r in redis),
        )
    if redis:
        return OTHER
    if all(v == known[0] for v in known) and known:
        return known[0]
    return OTHER if known else UNKNOWN


def _same(flags: Iterable[bool | None]) -> bool | None:
    values = set(flags)
    return values.pop() if len(values) == 1 else None
