"""The name fallback: receivers whose dotted name says "redis" (``self.redis``, ``redis_conn``).

Only used when nothing is known about a value. Names that describe configuration
(``redis_url``, ``REDIS_CONFIG``, ``redis_opts``) are never taken for clients: their
``get``/``keys`` are a dict's.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

DEFAULT_PATTERNS = ("redis", "valkey")

# The last word of a name that holds settings rather than a connection.
CONFIG_WORDS = frozenset(
    {
        "url",
        "urls",
        "uri",
        "dsn",
        "host",
        "hosts",
        "port",
        "config",
        "conf",
        "cfg",
        "configuration",
        "settings",
        "setting",
        "options",
        "opts",
        "kwargs",
        "params",
        "args",
        "key",
        "keys",
        "prefix",
        "name",
        "names",
        "db",
        "password",
        "timeout",
        "info",
        "version",
        "env",
        "path",
        "file",
        "dir",
        "string",
        "str",
        "dict",
        "map",
        "mapping",
        "list",
        "enabled",
        "available",
        "installed",
        "module",
        "error",
        "exception",
        "exc",
        "response",
        "result",
        "results",
        "value",
        "values",
        "data",
        "type",
        "class",
        "cls",
        "factory",
        "mock",
    }
)

# English words that contain "redis" ("redisplay", "redistribute", "rediscover").
_LOOKALIKES = re.compile(r"redis(?:play|tribut|cover|pos|solv|pers)", re.IGNORECASE)


def without_lookalikes(text: str) -> str:
    """``text`` in lower case, with words that merely contain "redis" blanked out."""
    lowered = text.lower()
    if "redis" in lowered:
        lowered = _LOOKALIKES.sub("_", lowered)
    return lowered


def is_lookalike_at(lowered: str, at: int) -> bool:
    """Whether the "redis" at ``at`` of a lower-case text starts such a word."""
    return _LOOKALIKES.match(lowered, at) is not None


_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")


def words(name: str) -> list[str]:
    """Split ``redisClient`` / ``redis_client`` / ``RedisURL`` into lower-case words."""
    return [w.lower() for w in _WORD.findall(name)]


def matches_client_name(dotted_name: str, patterns: Sequence[str]) -> bool:
    """Whether ``dotted_name`` names a Redis client by convention."""
    if not patterns:
        return False
    last = dotted_name.rsplit(".", 1)[-1]
    if len(last) > 1 and last.isupper():
        return False  # REDIS, REDIS_CONFIG: module constants hold settings
    last_words = words(last)
    if not last_words or last_words[-1] in CONFIG_WORDS:
        return False
    lowered = without_lookalikes(dotted_name)
    return any(p in lowered for p in patterns)
