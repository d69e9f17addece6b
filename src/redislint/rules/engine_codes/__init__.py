"""Diagnostics the engine itself emits (not rules about Redis use)."""

from redislint.rules.engine_codes.parse_error import ParseError
from redislint.rules.engine_codes.unused_suppression import UnusedSuppression

__all__ = [
    "ParseError",
    "UnusedSuppression",
]
