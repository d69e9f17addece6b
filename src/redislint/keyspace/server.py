"""A read-only, bounded sample of a live keyspace, joined to the map of the code.

Only ``INFO``, ``DBSIZE``, ``SCAN`` (with ``COUNT``), ``TYPE``, ``PTTL`` and ``MEMORY USAGE``
(for one key in ``MEMORY_EVERY``) are sent: never ``KEYS``, never a write. The sample
stops at ``limit`` keys or after ``seconds``, whichever comes first; on a cluster every
primary is sampled, in proportion to its size. Needs redis-py (``redislint[server]``).
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from redislint.keys.shape import Hole
from redislint.semantic.keyspace import TemplateRow

MEMORY_EVERY = 10  # MEMORY USAGE for one sampled key in this many
_BATCH = 500


class ServerError(Exception):
    """The server could not be sampled (the message never holds the password)."""


@dataclass(frozen=True)
class SampledKey:
    key: str
    type: str
    pttl: int  # -1: no TTL
    memory: int | None  # bytes, for the keys whose memory was sampled


@dataclass
class Sample:
    keys: list[SampledKey]
    total: int  # keys on the server (DBSIZE, summed over the primaries)
    stopped: str  # "complete", "sample limit" or "time limit"
    server: str  # "redis 7.0.15"


def masked(url: str) -> str:
    """``url`` without its password (``redis://user:***@host:6379/0``)."""
    return re.sub(r"(//[^:/@]*:)[^@]*@", r"\1***@", url)


def _client(url: str) -> Any:
    try:
        import redis
    except ImportError as exc:
        raise ServerError(
            "--server needs redis-py: pip install 'redislint[server]' (or pip install redis)"
        ) from exc
    # no CLIENT SETINFO on connect: only the commands listed above reach the server
    return redis.Redis.from_url(url, lib_name=None, lib_version=None, socket_timeout=10, protocol=2)


def _primaries(url: str) -> tuple[list[Any], str]:
    """The connections to sample (one per primary on a cluster) and the server's version."""
    client = _client(url)
    info = client.info("server")
    version = f"{'valkey' if 'valkey_version' in info else 'redis'} {info.get('redis_version')}"
    if client.info("cluster").get("cluster_enabled") != 1:
        return [client], version
    import redis.cluster

    cluster: Any = redis.cluster.RedisCluster.from_url(
        url, lib_name=None, lib_version=None, protocol=2
    )
    return [cluster.get_redis_connection(n) for n in cluster.get_primaries()], version


def _scan(client: Any, budget: int, deadline: float) -> Iterator[list[bytes]]:
    cursor = 0
    left = budget
    while left > 0 and time.monotonic() < deadline:
        cursor, batch = client.scan(cursor, count=min(_BATCH, max(left, 10)))
        batch = batch[:left]
        left -= len(batch)
        if batch:
            yield batch
        if cursor == 0:
            return


def sample(
    url: str,
    limit: int = 10_000,
    seconds: float = 30.0,
    progress: Callable[[int, int], None] | None = None,
) -> Sample:
    """Up to ``limit`` keys of the server at ``url`` with their type, TTL and (for some)
    memory, read for at most ``seconds``."""
    import redis

    deadline = time.monotonic() + seconds
    try:
        nodes, version = _primaries(url)
        sizes = [int(node.dbsize()) for node in nodes]
        total = sum(sizes)
        found: list[SampledKey] = []
        seen = 0
        for node, size in zip(nodes, sizes, strict=True):
            budget = limit if total == 0 else max(1, round(limit * size / total))
            for batch in _scan(node, min(budget, limit - len(found)), deadline):
                pipe = node.pipeline(transaction=False)
                for i, key in enumerate(batch):
                    pipe.type(key)
                    pipe.pttl(key)
                    if (seen + i) % MEMORY_EVERY == 0:
                        pipe.memory_usage(key, samples=0)
                replies = iter(pipe.execute())
                for i, key in enumerate(batch):
                    kind = next(replies)
                    pttl = int(next(replies))
                    memory = next(replies) if (seen + i) % MEMORY_EVERY == 0 else None
                    found.append(
                        SampledKey(
                            key.decode("utf-8", "backslashreplace"),
                            kind.decode() if isinstance(kind, bytes) else str(kind),
                            pttl,
                            int(memory) if memory is not None else None,
                        )
                    )
                seen += len(batch)
                if progress is not None:
                    progress(len(found), min(limit, total))
                if len(found) >= limit:
                    break
    except redis.RedisError as exc:
        raise ServerError(f"{masked(url)}: {masked(str(exc))}") from None
    if len(found) >= min(limit, total):
        stopped = "complete" if len(found) >= total else "sample limit"
    else:
        stopped = "time limit" if time.monotonic() >= deadline else "complete"
    return Sample(found, total, stopped, version)


# -- joining the sample to the map --------------------------------------------------------


@dataclass
class Figures:
    """What the server holds of one key template, estimated from the sample."""

    sampled: int = 0
    without_ttl: int = 0
    memory: list[int] = field(default_factory=list)
    types: Counter[str] = field(default_factory=Counter)
    estimate: int = 0  # keys on the server

    def share_without_ttl(self) -> float:
        return self.without_ttl / self.sampled if self.sampled else 0.0

    def estimated_memory(self) -> int | None:
        if not self.memory:
            return None
        return round(sum(self.memory) / len(self.memory) * self.estimate)


@dataclass
class Joined:
    sample: Sample
    figures: dict[str, Figures]  # by template
    mismatches: dict[str, list[str]]  # template -> server types the code does not use
    orphans: list[tuple[str, int]]  # prefix, estimated keys matching no template


_CODE_TO_SERVER = {"hyperloglog": "string", "json": "ReJSON-RL"}


def _pattern(row: TemplateRow) -> re.Pattern[str]:
    parts = [".+?" if isinstance(part, Hole) else re.escape(part) for part in row.shape.parts]
    return re.compile("".join(parts) + r"\Z", re.DOTALL)


def _prefix(key: str) -> str:
    for separator in (":", "/", ".", "_", "-"):
        if separator in key:
            return key.split(separator, 1)[0] + separator + "*"
    return key


def join(rows: list[TemplateRow], found: Sample) -> Joined:
    """The sample's keys attributed to the map's templates (the most literal match wins)."""
    patterns = sorted(
        ((row, _pattern(row)) for row in rows),
        key=lambda item: -len(item[0].shape.literal_text().replace(" ", "")),
    )
    figures: dict[str, Figures] = {}
    orphans: Counter[str] = Counter()
    for key in found.keys:
        row = next((r for r, p in patterns if p.match(key.key)), None)
        if row is None:
            orphans[_prefix(key.key)] += 1
            continue
        entry = figures.setdefault(row.template, Figures())
        entry.sampled += 1
        entry.without_ttl += key.pttl == -1
        entry.types[key.type] += 1
        if key.memory is not None:
            entry.memory.append(key.memory)
    scale = found.total / len(found.keys) if found.keys else 0.0
    for entry in figures.values():
        entry.estimate = round(entry.sampled * scale)
    mismatches: dict[str, list[str]] = {}
    for row in rows:
        figure = figures.get(row.template)
        if figure is None or not row.types:
            continue
        expected = {_CODE_TO_SERVER.get(t, t) for t in row.types}
        other = sorted(t for t in figure.types if t not in expected)
        if other:
            mismatches[row.template] = other
    ranked = [(prefix, round(count * scale)) for prefix, count in orphans.most_common(20)]
    return Joined(found, figures, mismatches, ranked)


def human(count: int) -> str:
    if count >= 1_000_000:
        return f"{count / 1_000_000:.1f} M"
    if count >= 10_000:
        return f"{count / 1000:.0f} k"
    return str(count)


def human_bytes(size: int | None) -> str:
    if size is None:
        return ""
    for unit, factor in (("GB", 1 << 30), ("MB", 1 << 20), ("kB", 1 << 10)):
        if size >= factor:
            return (
                f"~{size / factor:.0f} {unit}"
                if size >= 10 * factor
                else f"~{size / factor:.1f} {unit}"
            )
    return f"~{size} B"
