"""The first stage of the prefilter: files without these substrings never reach libcst.

A small module of its own: the flake8 plugin calls it on every file flake8 checks, and
must not import the engine for the (many) files that never mention Redis.
"""

from __future__ import annotations

from redislint.semantic.mentions import may_define_keys, may_use_redis, names_redis
from redislint.settings import Settings


def prefilter_tokens(settings: Settings) -> tuple[str, ...]:
    """Substrings without which a file cannot hold a recognised Redis call."""
    return tuple(sorted({"redis", "valkey", *settings.client_name_patterns}))


__all__ = ["may_define_keys", "may_use_redis", "names_redis", "prefilter_tokens"]
