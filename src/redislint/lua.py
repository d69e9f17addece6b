"""Just enough Lua 5.1 to read Redis scripts: a tokenizer, and the ``redis.call``s in it.

The tokenizer knows every string form (quotes with escapes, long brackets of any level),
comments (line and long), numbers and names, so a ``redis.call`` inside a comment or a
string is never taken for a call.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Token:
    kind: str  # "name", "string", "number", "op"
    text: str  # the string's value for "string", else the source text
    start: int  # offset in the script
    end: int


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER = re.compile(r"0[xX][0-9a-fA-F]+|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_DIGITS = re.compile(r"[0-9]{1,3}")
_LONG_OPEN = re.compile(r"\[(=*)\[")
_OPS = ("...", "..", "==", "~=", "<=", ">=")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}


class LuaSyntaxError(ValueError):
    """The script is not well-formed Lua (an unterminated string or comment)."""


def _long_bracket(src: str, pos: int) -> tuple[str, int] | None:
    """A long bracket ``[==[ ... ]==]`` starting at ``pos``: (content, end)."""
    match = _LONG_OPEN.match(src, pos)
    if match is None:
        return None
    close = "]" + match.group(1) + "]"
    end = src.find(close, match.end())
    if end < 0:
        raise LuaSyntaxError("unfinished long string")
    content = src[match.end() : end]
    if content.startswith("\r\n"):
        content = content[2:]
    elif content.startswith("\n"):
        content = content[1:]
    return content, end + len(close)


def _quoted(src: str, pos: int) -> tuple[str, int]:
    quote = src[pos]
    out: list[str] = []
    i = pos + 1
    while i < len(src):
        ch = src[i]
        if ch == quote:
            return "".join(out), i + 1
        if ch == "\n":
            break
        if ch == "\\" and i + 1 < len(src):
            nxt = src[i + 1]
            if nxt in _ESCAPES:
                out.append(_ESCAPES[nxt])
                i += 2
            elif nxt == "\r":  # an escaped line break is a newline in the string
                out.append("\n")
                i += 3 if src.startswith("\n", i + 2) else 2
            elif digits := _DIGITS.match(src, i + 1):
                out.append(chr(int(digits.group())))
                i += 1 + len(digits.group())
            else:
                out.append(nxt)
                i += 2
            continue
        out.append(ch)
        i += 1
    raise LuaSyntaxError("unfinished string")


def tokenize(src: str) -> list[Token]:
    """Tokens of a Lua chunk; raises ``LuaSyntaxError`` on an unterminated string."""
    tokens: list[Token] = []
    i = 0
    n = len(src)
    if src.startswith("#!"):  # a shebang (``#!lua flags=...``, ``#!lua name=lib``) is no Lua
        newline = src.find("\n")
        i = n if newline < 0 else newline + 1
    while i < n:
        ch = src[i]
        if ch.isspace():
            i += 1
        elif src.startswith("--", i):
            long = _long_bracket(src, i + 2) if src.startswith("[", i + 2) else None
            if long is not None:
                i = long[1]
            else:
                newline = src.find("\n", i)
                i = n if newline < 0 else newline + 1
        elif ch in "\"'":
            text, end = _quoted(src, i)
            tokens.append(Token("string", text, i, end))
            i = end
        elif ch == "[" and _LONG_OPEN.match(src, i):
            long = _long_bracket(src, i)
            assert long is not None
            tokens.append(Token("string", long[0], i, long[1]))
            i = long[1]
        elif match := _NAME.match(src, i):
            tokens.append(Token("name", match.group(), i, match.end()))
            i = match.end()
        elif (ch in "0123456789" or ch == ".") and (match := _NUMBER.match(src, i)):
            tokens.append(Token("number", match.group(), i, match.end()))
            i = match.end()
        else:
            op = next((o for o in _OPS if src.startswith(o, i)), ch)
            tokens.append(Token("op", op, i, i + len(op)))
            i += len(op)
    return tokens


@dataclass(frozen=True)
class RedisCall:
    """A ``redis.call(...)`` / ``redis.pcall(...)`` in a script."""

    start: int  # offset of ``redis``
    end: int  # offset after the closing parenthesis
    command: str | None  # the first argument when it is a string literal (lower case)
    args: tuple[tuple[Token, ...], ...]  # the argument token runs, first one included


def redis_calls(src: str) -> list[RedisCall]:
    """Every ``redis.call``/``redis.pcall`` of a script, in source order."""
    tokens = tokenize(src)
    calls: list[RedisCall] = []
    for i, tok in enumerate(tokens):
        if not (
            tok.kind == "name"
            and tok.text == "redis"
            and i + 3 < len(tokens)
            and tokens[i + 1].text in (".", ":")
            and tokens[i + 2].kind == "name"
            and tokens[i + 2].text in ("call", "pcall")
            and tokens[i + 3].text == "("
        ):
            continue
        if i > 0 and tokens[i - 1].text in (".", ":"):
            continue  # x.redis.call is not Redis' API
        args: list[tuple[Token, ...]] = []
        current: list[Token] = []
        depth = 0
        end = tokens[i + 3].end
        for tok2 in tokens[i + 4 :]:
            end = tok2.end
            if tok2.text in ("(", "{", "["):
                depth += 1
            elif tok2.text in (")", "}", "]"):
                if depth == 0:
                    break
                depth -= 1
            if tok2.text == "," and depth == 0:
                args.append(tuple(current))
                current = []
                continue
            current.append(tok2)
        if current:
            args.append(tuple(current))
        first = args[0] if args else ()
        command = first[0].text.lower() if len(first) == 1 and first[0].kind == "string" else None
        calls.append(RedisCall(tok.start, end, command, tuple(args)))
    return calls
