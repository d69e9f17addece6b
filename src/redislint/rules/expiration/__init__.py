"""Expiration rules (RL1xx): keys that never expire, TTLs lost or set non-atomically."""

from redislint.rules.expiration.counter_without_expire import CounterWithoutExpire
from redislint.rules.expiration.set_then_expire import SetThenExpire
from redislint.rules.expiration.set_without_ttl import SetWithoutTtl
from redislint.rules.expiration.ttl_reset_by_set import TtlResetBySet

__all__ = [
    "CounterWithoutExpire",
    "SetThenExpire",
    "SetWithoutTtl",
    "TtlResetBySet",
]
