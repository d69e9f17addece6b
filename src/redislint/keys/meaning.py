"""What a key's name and construction say about its use: a time window, a lock.

Rules ask these questions about key arguments (RL104: a counter per time window; RL207:
a lock key). The answers come from the key's literal text, the names its holes are
built from, and the expressions those names were bound to when the command ran.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from redislint.clients.names import words
from redislint.keys.shape import KeyShape, called_name, code

if TYPE_CHECKING:
    import libcst as cst
else:
    from redislint._lazy import cst

# Returns the expression a name was bound to when the command ran, if known.
Lookup = Callable[[str], "cst.BaseExpression | None"]

# Words in a key's literal text that name a fixed time window or a rate limit. Plurals
# are left out on purpose: ``active_days`` or ``limits`` name quantities, not a window.
WINDOW_WORDS = frozenset(
    {
        "rate",
        "ratelimit",
        "ratelimiter",
        "ratelimited",
        "limit",
        "limiter",
        "throttle",
        "throttled",
        "throttling",
        "window",
        "minute",
        "minutely",
        "hour",
        "hourly",
        "day",
        "daily",
    }
)
# Names of the values a key is built from that hold a time window (``f"hits:{minute}"``).
WINDOW_NAMES = frozenset({"window", "minute", "hour", "day", "bucket", "period"})
# Calls that read the clock: ``time.time()``, ``datetime.now()``, ``date.today()``...
_CLOCK_CALLS = frozenset({"time", "time_ns", "now", "utcnow", "today", "monotonic"})
_CLOCK_ATTRIBUTES = frozenset({"minute", "hour"})
# Words that say a key is a lock (``lock:{job}``, ``self.lock_key``, ``leader``).
LOCK_WORDS = frozenset(
    {"lock", "locks", "locked", "unlock", "mutex", "leader", "leadership", "semaphore", "lease"}
)
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def literal_words(shape: KeyShape) -> list[str]:
    """The words of a key's literal text (``"rate:{uid}:min"`` -> rate, min)."""
    return [w for part in shape.literal_text().split() for w in words(part)]


def hole_words(shape: KeyShape) -> list[str]:
    """The words of the names a key's holes are built from (``self.lock_key`` -> self, lock, key)."""
    out: list[str] = []
    for hole in shape.holes():
        for identifier in _IDENTIFIER.findall(hole.text.split("#")[0]):
            out.extend(words(identifier))
    return out


def names_lock(shape: KeyShape) -> bool:
    """Whether the key's text or the names it is built from say it is a lock."""
    return any(w in LOCK_WORDS for w in (*literal_words(shape), *hole_words(shape)))


def _nodes(node: cst.BaseExpression, lookup: Lookup | None) -> Iterator[cst.CSTNode]:
    """``node`` and everything it is built from, following names through ``lookup``."""
    seen: set[str] = set()
    todo: list[cst.CSTNode] = [node]
    budget = 1000
    while todo and budget:
        budget -= 1
        current = todo.pop()
        yield current
        if isinstance(current, cst.Name):
            if lookup is not None and current.value not in seen:
                seen.add(current.value)
                bound = lookup(current.value)
                if bound is not None:
                    todo.append(bound)
            continue
        if isinstance(current, cst.Lambda | cst.FunctionDef):
            continue
        todo.extend(current.children)


def _is_window_divisor(node: cst.BaseExpression) -> bool:
    """``// 60``, ``// 3600``, ``// WINDOW``, ``// self.window_seconds``."""
    if isinstance(node, cst.Integer):
        try:
            value = int(node.value.replace("_", ""), 0)
        except ValueError:
            return False
        return value >= 60 and value % 60 == 0
    if isinstance(node, cst.Name | cst.Attribute):
        name = node.value if isinstance(node, cst.Name) else node.attr.value
        return bool(set(words(name)) & {"window", "period", "interval", "bucket"})
    return False


def time_window(
    node: cst.BaseExpression, shape: KeyShape, lookup: Lookup | None = None
) -> str | None:
    """Why the key names one window of time (a fixed-window counter), or None.

    True when the key (or a name it is built from) reads the clock (``time.time()``,
    ``datetime.now()``, ``x.strftime(...)``), buckets a number by a multiple of a minute
    (``// 60``), or when its literal text or the names it is built from say rate, limit,
    throttle, window, minute, hour or day.
    """
    for word in literal_words(shape):
        if word in WINDOW_WORDS:
            return f"its name contains '{word}'"
    found: dict[int, str] = {}  # rank -> reason; the clock beats a bucket beats a name
    for current in _nodes(node, lookup):
        if isinstance(current, cst.Call):
            func = current.func
            attr = called_name(current)
            if attr in _CLOCK_CALLS and (attr not in ("time", "time_ns") or _is_time_module(func)):
                found.setdefault(0, f"it is built from {code(func)}()")
            elif attr == "strftime":
                found.setdefault(1, "it is built from a formatted date")
        elif isinstance(current, cst.BinaryOperation) and isinstance(
            current.operator, cst.FloorDivide
        ):
            if _is_window_divisor(current.right):
                found.setdefault(2, f"it is built from a time bucket (// {code(current.right)})")
        elif isinstance(current, cst.Attribute) and current.attr.value in _CLOCK_ATTRIBUTES:
            found.setdefault(3, f"it is built from {code(current)}")
        elif isinstance(current, cst.Name) and current.value in WINDOW_NAMES:
            found.setdefault(4, f"it is built from {current.value}")
    for word in hole_words(shape):
        if word in WINDOW_NAMES:
            found.setdefault(5, f"it is built from a {word}")
    return found[min(found)] if found else None


def _is_time_module(func: cst.BaseExpression) -> bool:
    """``time.time`` or a bare ``time()`` (``from time import time``), not ``obj.time()``."""
    if isinstance(func, cst.Name):
        return True
    return isinstance(func, cst.Attribute) and code(func.value) in ("time", "_time")
