"""The first stage of the prefilter: files without these substrings never reach libcst.

A small module of its own: the flake8 plugin calls it on every file flake8 checks, and
must not import the engine for the (many) files that never mention Redis.
"""

from __future__ import annotations

from collections.abc import Sequence

from redislint.clients.names import without_lookalikes
from redislint.semantic.mentions import may_define_keys, names_redis
from redislint.settings import Settings


def prefilter_tokens(settings: Settings) -> tuple[str, ...]:
    """Substrings without which a file cannot hold a recognised Redis call."""
    return tuple(sorted({"redis", "valkey", *settings.client_name_patterns}))


def may_use_redis(text: str, tokens: Sequence[str]) -> bool:
    """Whether ``text`` holds one of ``tokens`` once lookalike words are set aside."""
    lowered = without_lookalikes(text)
    return any(token in lowered for token in tokens)


__all__ = ["may_define_keys", "may_use_redis", "names_redis", "prefilter_tokens"]
