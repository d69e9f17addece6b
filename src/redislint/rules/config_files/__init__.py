"""Configuration file rules (RL9xx): redis.conf / valkey.conf settings.

Each rule reads the configuration with its includes expanded (``redislint.redisconf``),
as the server applies it. A rule about a missing directive stays silent when an
``include`` could not be read: the included file may set it.
"""

from redislint.rules.config_files.appendfsync import Appendfsync
from redislint.rules.config_files.dangerous_commands_enabled import DangerousCommandsEnabled
from redislint.rules.config_files.eviction_policy import EvictionPolicy
from redislint.rules.config_files.exposed_without_auth import ExposedWithoutAuth
from redislint.rules.config_files.maxmemory_unset import MaxmemoryUnset
from redislint.rules.config_files.no_persistence import NoPersistence

__all__ = [
    "Appendfsync",
    "DangerousCommandsEnabled",
    "EvictionPolicy",
    "ExposedWithoutAuth",
    "MaxmemoryUnset",
    "NoPersistence",
]
