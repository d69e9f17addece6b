"""Memory and data-structure rules (RL4xx): values and collections that grow without limit."""

from redislint.rules.memory.json_blob_object import JsonBlobObject
from redislint.rules.memory.key_type_conflict import KeyTypeConflict
from redislint.rules.memory.large_value import LargeValue
from redislint.rules.memory.set_for_unique_count import SetForUniqueCount
from redislint.rules.memory.unbounded_stream import UnboundedStream

__all__ = [
    "JsonBlobObject",
    "KeyTypeConflict",
    "LargeValue",
    "SetForUniqueCount",
    "UnboundedStream",
]
