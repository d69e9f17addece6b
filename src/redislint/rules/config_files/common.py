"""Constants of the configuration file rules that other modules read too."""

from __future__ import annotations

# Commands that are dangerous in production, and the ACL-checked command for each.
DANGEROUS = (
    ("keys", "keys"),
    ("flushall", "flushall"),
    ("flushdb", "flushdb"),
    ("debug", "debug"),
    ("config", "config|set"),
)
