"""Helpers of several expiration rules: persistent keys, plain set()s and earlier TTLs."""

from __future__ import annotations

from fnmatch import fnmatchcase

from redislint.keys.shape import Relation
from redislint.rules.base import version_tuple
from redislint.semantic.arguments import set_options
from redislint.semantic.lifetime import gives_ttl
from redislint.semantic.model import Command


def is_persistent(cmd: Command, patterns: tuple[str, ...]) -> bool:
    """Whether the key matches one of the configured ``persistent-key-patterns``."""
    key = cmd.key
    if key is None or not patterns:
        return False
    shown = key.shape.display()
    literal_only = key.shape.literal_text()
    return any(fnmatchcase(shown, p) or fnmatchcase(literal_only, p) for p in patterns)


# Commands after which a key certainly has no TTL (or no longer exists).
_CLEARS_TTL = frozenset({"del", "unlink", "getdel", "persist"})


def is_plain_set(cmd: Command) -> bool:
    """A ``set()`` that certainly overwrites the key without keeping or giving it a TTL."""
    if cmd.name != "set":
        return False
    options = set_options(cmd)
    return options.expiry is False and options.keepttl is False and options.nx is False


def ttl_before(cmd: Command) -> Command | None:
    """The nearest earlier command that gave ``cmd``'s key a TTL still in force, if any."""
    for other in reversed(list(cmd.scope.earlier(cmd))):
        if cmd.same_key(other) is not Relation.SAME:
            continue
        if other.name in _CLEARS_TTL or is_plain_set(other):
            return None
        if gives_ttl(other):
            return other
    return None


def needs(settings_version: tuple[int, ...] | None, version: str) -> bool:
    """Whether a feature of Redis ``version`` is available on the target server."""
    return settings_version is None or settings_version >= version_tuple(version)
