"""Cluster rules (RL7xx): hash slots, hash tags, keys in scripts, cluster-aware clients."""

from redislint.rules.cluster.cross_slot import CrossSlot
from redislint.rules.cluster.hot_hash_tag import HotHashTag
from redislint.rules.cluster.lua_undeclared_key import LuaUndeclaredKey
from redislint.rules.cluster.non_cluster_client import NonClusterClient

__all__ = [
    "CrossSlot",
    "HotHashTag",
    "LuaUndeclaredKey",
    "NonClusterClient",
]
