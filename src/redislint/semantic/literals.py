"""Positions inside Python string literals (for findings in Lua embedded in Python)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import libcst as cst
else:
    from redislint._lazy import cst


_PREFIX = re.compile(r"^[rRbBuUfF]*")
_OCTAL = re.compile(r"[0-7]{1,3}")
_SIMPLE_ESCAPES = "\\'\"abfnrtv"


def value_offsets(literal: cst.SimpleString) -> list[int] | None:
    """For each character of the literal's value, its offset in the literal's source.

    The returned list has one entry more than the value (the end). None when the literal
    is an f-string, or a bytes literal whose value is not ASCII (its bytes are not the
    characters of the decoded script).

    Python reads a line break in the source (``\\r\\n``, ``\\r`` or ``\\n``) as one
    ``\\n``, also inside triple-quoted strings; a backslash before it continues the line.
    """
    raw = literal.value
    prefix = _PREFIX.match(raw)
    assert prefix is not None
    flags = prefix.group().lower()
    if "f" in flags:
        return None
    is_bytes = "b" in flags
    if is_bytes:
        value = literal.evaluated_value
        if not isinstance(value, bytes) or not value.isascii():
            return None
    body_start = prefix.end()
    quote = raw[body_start : body_start + 3]
    if quote not in ('"""', "'''"):
        quote = raw[body_start]
    start = body_start + len(quote)
    end = len(raw) - len(quote)
    offsets: list[int] = []
    raw_string = "r" in flags
    i = start
    while i < end:
        ch = raw[i]
        if ch == "\r":
            offsets.append(i)
            i += 2 if raw.startswith("\r\n", i) else 1
            continue
        if ch != "\\" or i + 1 >= end:
            offsets.append(i)
            i += 1
            continue
        nxt = raw[i + 1]
        if nxt in "\r\n":  # a continued line: no character (kept in raw strings)
            length = 3 if raw.startswith("\r\n", i + 1) else 2
            if raw_string:
                offsets.append(i)
                i += 1
                continue
            i += length
            continue
        if raw_string:
            # r"\x" keeps both characters; the backslash only stops a quote ending the string
            offsets.append(i)
            offsets.append(i + 1)
            i += 2
            continue
        octal = _OCTAL.match(raw, i + 1)
        if nxt == "x":
            length = 4
        elif nxt == "u" and not is_bytes:
            length = 6
        elif nxt == "U" and not is_bytes:
            length = 10
        elif nxt == "N" and not is_bytes:
            close = raw.find("}", i)
            length = close - i + 1 if close > 0 else 2
        elif octal is not None:
            length = 1 + len(octal.group())
        elif nxt in _SIMPLE_ESCAPES:
            length = 2
        else:
            offsets.append(i)  # unknown escape: the backslash is kept
            i += 1
            continue
        offsets.append(i)
        i += length
    offsets.append(end)
    return offsets
