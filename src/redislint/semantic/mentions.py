"""What a file's text says before it is parsed: whether it names Redis, whether it may
define key helpers or key constants (the index records both; the prefilter reads them)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from redislint.clients.names import without_lookalikes


def may_use_redis(text: str, tokens: Sequence[str]) -> bool:
    """Whether ``text`` holds one of ``tokens`` once lookalike words are set aside (the
    prefilter's first stage)."""
    lowered = without_lookalikes(text)
    return any(token in lowered for token in tokens)


def names_redis(text: str) -> bool:
    """Whether ``text`` names Redis itself (the default tokens, whatever the settings):
    ``ModuleFacts.mentions_redis``."""
    return may_use_redis(text, ("redis", "valkey"))


# What a module imported by the linted files must hold to be worth indexing for them: a
# function returning a string template (a key helper), or a constant named like a key,
# channel, queue, stream or topic.
_KEY_SOURCES = re.compile(
    r"""^[ \t]+return[ \t]+(?:[rbuRB]?[fF][rR]?["']|["'][^"'\n]*["'][ \t]*(?:%|\.format\(|\+))"""
    r"""|^[A-Z][A-Z0-9_]*(?:KEY|CHANNEL|QUEUE|PREFIX|TOPIC|STREAM)S?[ \t]*(?::[^=\n]*)?=[ \t]*"""
    r"""[rbuRB]?[fF]?["']""",
    re.MULTILINE,
)


def may_define_keys(text: str) -> bool:
    """Whether ``text`` may define key helpers or key and channel constants (read from
    the text: modules with no Redis token are indexed only when this holds)."""
    return _KEY_SOURCES.search(text) is not None
