"""Persistence, server settings and security from code (RL6xx)."""

from redislint.rules.persistence.blocking_save import BlockingSave
from redislint.rules.persistence.hardcoded_password import HardcodedPassword
from redislint.rules.persistence.persistence_disabled_in_code import PersistenceDisabledInCode
from redislint.rules.persistence.plaintext_remote_connection import PlaintextRemoteConnection
from redislint.rules.persistence.unbounded_memory_in_code import UnboundedMemoryInCode

__all__ = [
    "BlockingSave",
    "HardcodedPassword",
    "PersistenceDisabledInCode",
    "PlaintextRemoteConnection",
    "UnboundedMemoryInCode",
]
