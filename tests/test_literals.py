"""Offsets of a string literal's characters in its source (findings inside embedded Lua)."""

from __future__ import annotations

import ast

import libcst as cst
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from redislint.semantic.literals import value_offsets

# The cases include unknown escapes on purpose (``"\\q"`` keeps its backslash).
pytestmark = pytest.mark.filterwarnings("ignore:invalid escape sequence")


def literal(src: str) -> cst.SimpleString:
    module = cst.parse_module(f"x = {src}\n")
    stmt = module.body[0]
    assert isinstance(stmt, cst.SimpleStatementLine)
    assign = stmt.body[0]
    assert isinstance(assign, cst.Assign) and isinstance(assign.value, cst.SimpleString)
    return assign.value


def check(src: str) -> list[int]:
    """Every character's offsets span exactly the source text that produces it."""
    node = literal(src)
    value = node.evaluated_value
    offsets = value_offsets(node)
    assert offsets is not None
    assert isinstance(value, str | bytes)
    assert len(offsets) == len(value) + 1, (src, offsets, value)
    assert offsets == sorted(offsets)
    raw = node.value
    prefix = raw[: len(raw) - len(raw.lstrip("rRbBuU"))]
    quote = raw[len(prefix) : len(prefix) + 3]
    quote = quote if quote in ('"""', "'''") else quote[0]
    for i in range(len(value)):
        chunk = raw[offsets[i] : offsets[i + 1]]
        expected = value[i : i + 1]
        if chunk.startswith("\r"):
            produced: object = b"\n" if isinstance(value, bytes) else "\n"
        elif len(chunk) == 1:
            produced = chunk.encode() if isinstance(value, bytes) else chunk
        else:
            produced = ast.literal_eval(prefix + quote + chunk.replace("\r\n", "\n") + quote)
        assert produced == expected, (src, i, chunk)
    return offsets


@pytest.mark.parametrize(
    "src",
    [
        '"plain"',
        "'single'",
        '"tab\\there"',
        '"quote\\"d"',
        '"back\\\\slash"',
        '"\\x41\\101\\0\\7"',
        '"\\u00e9\\U0001F600\\N{BULLET}"',
        '"unknown \\q escape"',
        '"continued \\\nline"',
        '"""triple\nquoted "with" quotes"""',
        "'''triple\n'single' '''",
        '"""with\\\ncontinuation"""',
        'r"raw \\n stays"',
        'r"raw \\" quote"',
        'R"raw \\\\ pair"',
        'rb"raw bytes \\x41"',
        'b"bytes \\x41\\n"',
        'u"unicode é"',
        '"é🔑 wide"',
        '""',
        '""""""',
    ],
)
def test_offsets(src: str) -> None:
    check(src)


def test_positions_of_escapes() -> None:
    # value "a\tb": 'b' is at source offset 4 (after the two-character escape)
    assert check('"a\\tb"') == [1, 2, 4, 5]
    assert check('r"a\\tb"') == [2, 3, 4, 5, 6]
    assert check('"""a\nb"""') == [3, 4, 5, 6]


def test_crlf_line_breaks_are_one_character() -> None:
    node = cst.parse_module('x = """a\r\nb\\\r\nc"""\r\n').body[0].body[0].value  # type: ignore[attr-defined]
    assert node.evaluated_value == "a\nbc"
    assert value_offsets(node) == [3, 4, 6, 10, 11]


def test_unsupported() -> None:
    assert value_offsets(literal('b"\\xff non-ascii"')) is None


PIECES = [
    "a",
    "Z",
    " ",
    "é",
    "🔑",
    "'",
    '"',
    "\\n",
    "\\t",
    "\\\\",
    "\\'",
    '\\"',
    "\\x41",
    "\\101",
    "\\0",
    "\\u00e9",
    "\\N{BULLET}",
    "\\q",
    "\\\n",
    "\\\r\n",
    "\n",
    "\r\n",
]


@given(
    prefix=st.sampled_from(["", "r", "b", "rb", "u", "R", "B"]),
    quote=st.sampled_from(['"', "'", '"""', "'''"]),
    body=st.lists(st.sampled_from(PIECES), max_size=12),
)
@settings(max_examples=200, deadline=None)
def test_any_literal(prefix: str, quote: str, body: list[str]) -> None:
    src = prefix + quote + "".join(body) + quote
    try:
        node = literal(src)
        value = node.evaluated_value
    except Exception:
        assume(False)
        return
    assume(isinstance(value, str) or (isinstance(value, bytes) and value.isascii()))
    check(src)
