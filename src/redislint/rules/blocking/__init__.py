"""Blocking and O(N) command rules (RL3xx)."""

from redislint.rules.blocking.flush_in_code import FlushInCode
from redislint.rules.blocking.keys_command import KeysCommand
from redislint.rules.blocking.unbounded_collection_read import UnboundedCollectionRead

__all__ = [
    "FlushInCode",
    "KeysCommand",
    "UnboundedCollectionRead",
]
