"""Atomicity rules (RL2xx): read-modify-write races and locks that can be lost or stolen."""

from redislint.rules.atomicity.get_then_set import GetThenSet
from redislint.rules.atomicity.lock_acquire_unchecked import LockAcquireUnchecked
from redislint.rules.atomicity.lock_constant_token import LockConstantToken
from redislint.rules.atomicity.lock_release_without_token import LockReleaseWithoutToken
from redislint.rules.atomicity.lock_without_timeout import LockWithoutTimeout
from redislint.rules.atomicity.setnx_without_expiry import SetnxWithoutExpiry
from redislint.rules.atomicity.watch_without_retry import WatchWithoutRetry

__all__ = [
    "GetThenSet",
    "LockAcquireUnchecked",
    "LockConstantToken",
    "LockReleaseWithoutToken",
    "LockWithoutTimeout",
    "SetnxWithoutExpiry",
    "WatchWithoutRetry",
]
