"""Positions inside Python string literals (for findings in Lua embedded in Python)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import libcst as cst
else:
    from redislint._lazy import cst


_PREFIX = re.compile(r"^[rRbBuUfF]*")


def value_offsets(literal: cst.SimpleString) -> list[int] | None:
    """For each character of the literal's value, its offset in the literal's source.

    The returned list has one entry more than the value (the end). None when the
    literal is not a plain string.
    """
    raw = literal.value
    prefix = _PREFIX.match(raw)
    assert prefix is not None
    flags = prefix.group().lower()
    if "b" in flags or "f" in flags:
        return None
    body_start = prefix.end()
    quote = raw[body_start : body_start + 3]
    if quote not in ('"""', "'''"):
        quote = raw[body_start]
    start = body_start + len(quote)
    end = len(raw) - len(quote)
    offsets: list[int] = []
    i = start
    if "r" in flags:
        offsets.extend(range(start, end))
        offsets.append(end)
        return offsets
    while i < end:
        ch = raw[i]
        if ch != "\\" or i + 1 >= end:
            offsets.append(i)
            i += 1
            continue
        nxt = raw[i + 1]
        if nxt == "\n":
            i += 2  # line continuation: no character
            continue
        if nxt == "x":
            length = 4
        elif nxt == "u":
            length = 6
        elif nxt == "U":
            length = 10
        elif nxt == "N":
            close = raw.find("}", i)
            length = close - i + 1 if close > 0 else 2
        elif nxt in "01234567":
            digits = re.match(r"[0-7]{1,3}", raw[i + 1 :])
            assert digits is not None
            length = 1 + len(digits.group())
        elif nxt in "\\'\"abfnrtv":
            length = 2
        else:
            offsets.append(i)  # unknown escape: backslash kept
            i += 1
            continue
        offsets.append(i)
        i += length
    offsets.append(end)
    return offsets
