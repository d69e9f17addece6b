"""Where the keys of a Lua script's ``redis.call()``s come from: ``KEYS``, ``ARGV``, literals.

One pass over the tokens of ``redislint.lua``: bindings in source order, function
parameters (the callbacks of a function library get their keys as first parameter), and
every ``redis.call``/``redis.pcall`` with a literal command name.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from redislint.lua import RedisCall, Token, tokenize


class Origin(enum.Enum):
    """Where a value in a script comes from, as far as keys are concerned."""

    KEYS = "keys"  # KEYS[i], an element of KEYS (a loop over ipairs(KEYS), unpack(KEYS))
    LITERAL = "literal"  # text written in the script
    ARGV = "argv"  # built from ARGV
    BUILT = "built"  # built from KEYS[i] and other text: a key that was not declared
    KEYS_TABLE = "keys-table"  # the KEYS table itself
    ARGV_TABLE = "argv-table"  # the ARGV table itself
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Value:
    origin: Origin
    text: str | None = None  # the literal's value (LITERAL), for messages and key specs
    spread: bool = False  # a call in last position: it may stand for several arguments


_UNKNOWN = Value(Origin.UNKNOWN)
_BINARY = frozenset(
    {"+", "-", "*", "/", "%", "^", "..", "==", "~=", "<", "<=", ">", ">=", "and", "or"}
)
_UNARY = frozenset({"-", "not", "#"})
_CLOSE = {"(": ")", "[": "]", "{": "}"}
_BLOCK_OPEN = frozenset({"function", "if", "do", "repeat"})  # for/while blocks open at "do"
_BLOCK_CLOSE = frozenset({"end", "until"})


@dataclass(frozen=True)
class KeyedCall:
    """A ``redis.call``/``pcall`` with a literal command and the origins of its arguments."""

    call: RedisCall
    command: str
    args: tuple[Value, ...]  # the arguments after the command name


def _concat(values: list[Value]) -> Value:
    """``a .. b .. c`` (and ``string.format``): what a key built from these parts is."""
    origins = {v.origin for v in values}
    if Origin.ARGV in origins or Origin.ARGV_TABLE in origins:
        return Value(Origin.ARGV)
    if origins <= {Origin.LITERAL}:
        if all(v.text is not None for v in values):
            return Value(Origin.LITERAL, "".join(v.text or "" for v in values))
        return Value(Origin.LITERAL)
    if origins <= {Origin.LITERAL, Origin.KEYS, Origin.BUILT}:
        return Value(Origin.BUILT)
    return _UNKNOWN


class _Scanner:
    """A single pass over a script's tokens: bindings in source order, redis.call sites.

    Not a full Lua parser: it knows expressions (to find where each argument ends and what
    it is built from), ``local``/global assignments, ``for ... in ipairs(...)`` loops and
    function parameters. A name assigned values of different origins is unknown.
    """

    def __init__(self, tokens: list[Token], library: bool) -> None:
        self.tokens = tokens
        self.library = library
        self.names: dict[str, Value] = {}
        self.calls: list[KeyedCall] = []
        self.callbacks: set[int] = set()  # token index of registered ``function`` keywords
        self.callback_names: set[str] = set()
        if library:
            self._find_callbacks()

    # -- helpers ---------------------------------------------------------------------------
    def text(self, i: int) -> str:
        return self.tokens[i].text if i < len(self.tokens) else ""

    def kind(self, i: int) -> str:
        return self.tokens[i].kind if i < len(self.tokens) else ""

    def is_op(self, i: int, text: str) -> bool:
        return self.kind(i) == "op" and self.text(i) == text

    def matching(self, i: int) -> int:
        """The index after the bracket that closes the one at ``i``."""
        depth = 0
        for j in range(i, len(self.tokens)):
            tok = self.tokens[j]
            if tok.kind != "op":
                continue
            if tok.text in _CLOSE:
                depth += 1
            elif tok.text in (")", "]", "}"):
                depth -= 1
                if depth == 0:
                    return j + 1
        return len(self.tokens)

    def block_end(self, i: int) -> int:
        """The index after the ``end`` that closes the block opened at ``i``."""
        depth = 0
        for j in range(i, len(self.tokens)):
            tok = self.tokens[j]
            if tok.kind != "name":
                continue
            if tok.text in _BLOCK_OPEN:
                depth += 1
            elif tok.text in _BLOCK_CLOSE:
                depth -= 1
                if depth == 0:
                    return j + 1
        return len(self.tokens)

    def bind(self, name: str, value: Value) -> None:
        """Bind ``name``; a name given values of different origins becomes unknown."""
        old = self.names.get(name)
        if old is None or old == value:
            self.names[name] = value
        elif old.origin is value.origin:
            self.names[name] = Value(value.origin)
        else:
            self.names[name] = _UNKNOWN

    # -- function libraries ----------------------------------------------------------------
    def _find_callbacks(self) -> None:
        """``redis.register_function('f', function(keys, args) ... end)``, ``callback=...``."""
        for i in range(len(self.tokens)):
            if not (
                self.text(i) == "redis"
                and self.is_op(i + 1, ".")
                and self.text(i + 2) == "register_function"
            ):
                continue
            stop = self.matching(i + 3)
            j = i + 4
            while j < stop:
                if self.kind(j) == "name" and self.text(j) == "function":
                    self.callbacks.add(j)
                    j = self.block_end(j)
                    continue
                # a function passed by name: ('f', helper) or {callback = helper}
                ends = any(self.is_op(j + 1, t) for t in (")", "}", ","))
                starts = self.is_op(j - 1, ",") or self.is_op(j - 1, "=")
                if self.kind(j) == "name" and ends and starts:
                    self.callback_names.add(self.text(j))
                j += 1

    # -- expressions -----------------------------------------------------------------------
    def expression(self, i: int) -> tuple[Value, int]:
        """The value of the expression starting at token ``i``, and the index after it."""
        parts: list[Value] = []
        operators: list[str] = []
        while True:
            while self.kind(i) in ("op", "name") and self.text(i) in _UNARY:
                operators.append(self.text(i))
                i += 1
            value, i = self.primary(i)
            parts.append(value)
            op = self.text(i)
            if self.kind(i) in ("op", "name") and op in _BINARY:
                operators.append(op)
                i += 1
                continue
            break
        if len(parts) == 1 and not operators:
            return parts[0], i
        if operators and all(o == ".." for o in operators):
            return _concat(parts), i
        return _UNKNOWN, i

    def expression_list(self, i: int, stop: int) -> tuple[list[Value], int]:
        values: list[Value] = []
        while i < stop:
            value, i = self.expression(i)
            values.append(value)
            if self.is_op(i, ",") and i < stop:
                i += 1
                continue
            break
        return values, i

    def primary(self, i: int) -> tuple[Value, int]:
        tok = self.tokens[i] if i < len(self.tokens) else None
        if tok is None:
            return _UNKNOWN, i
        if tok.kind == "string":
            value: Value = Value(Origin.LITERAL, tok.text)
            i += 1
        elif tok.kind == "number":
            value = Value(Origin.LITERAL, tok.text)
            i += 1
        elif tok.kind == "name" and tok.text == "function":
            self.function(i)
            return _UNKNOWN, self.block_end(i)
        elif tok.kind == "name" and tok.text in ("nil", "true", "false"):
            return _UNKNOWN, i + 1
        elif tok.kind == "name":
            value = self.name_value(tok.text)
            i += 1
        elif tok.text == "(":
            end = self.matching(i)
            value, _ = self.expression(i + 1)
            i = end
        elif tok.text == "{":
            self.scan(i + 1, self.matching(i) - 1)
            return _UNKNOWN, self.matching(i)
        else:
            return _UNKNOWN, i + 1
        return self.suffixes(value, i, tok)

    def name_value(self, name: str) -> Value:
        if not self.library and name == "KEYS" and name not in self.names:
            return Value(Origin.KEYS_TABLE)
        if not self.library and name == "ARGV" and name not in self.names:
            return Value(Origin.ARGV_TABLE)
        return self.names.get(name, _UNKNOWN)

    def suffixes(self, value: Value, i: int, head: Token) -> tuple[Value, int]:
        dotted = head.text if head.kind == "name" else None
        while i < len(self.tokens):
            text = self.text(i)
            if self.kind(i) != "op" and self.kind(i) != "string":
                break
            if text == "[" and self.kind(i) == "op":
                end = self.matching(i)
                self.scan(i + 1, end - 1)
                if value.origin is Origin.KEYS_TABLE:
                    value = Value(Origin.KEYS)
                elif value.origin is Origin.ARGV_TABLE:
                    value = Value(Origin.ARGV)
                else:
                    value = _UNKNOWN
                dotted = None
                i = end
            elif text in (".", ":") and self.kind(i) == "op" and self.kind(i + 1) == "name":
                dotted = f"{dotted}.{self.text(i + 1)}" if dotted else None
                if text == ":":
                    dotted = f"<method>.{self.text(i + 1)}"
                value = _UNKNOWN
                i += 2
            elif text == "(" and self.kind(i) == "op":
                value, i = self.call(dotted, value, i)
                dotted = None
            elif self.kind(i) == "string" or (text == "{" and self.kind(i) == "op"):
                end = i + 1  # f"..." / f{...} call syntax
                if text == "{" and self.kind(i) == "op":
                    end = self.matching(i)
                    self.scan(i + 1, end - 1)
                value, i = _UNKNOWN, end
                dotted = None
            else:
                break
        return value, i

    def call(self, callee: str | None, receiver: Value, i: int) -> tuple[Value, int]:
        """A call ``callee(...)`` at the ``(`` at ``i``: record redis.call, follow helpers."""
        end = self.matching(i)
        args, _ = self.expression_list(i + 1, end - 1)
        if callee in ("redis.call", "redis.pcall"):
            self.record(i, end, args)
            return _UNKNOWN, end
        if callee in ("unpack", "table.unpack") and len(args) == 1:
            inner = args[0].origin
            if inner is Origin.KEYS_TABLE:
                return Value(Origin.KEYS, spread=True), end
            if inner is Origin.ARGV_TABLE:
                return Value(Origin.ARGV, spread=True), end
        if callee == "tostring" and len(args) == 1:
            return args[0], end
        if callee == "string.format" and args:
            return _concat(args), end
        return Value(Origin.UNKNOWN, spread=True), end

    def record(self, paren: int, end: int, args: list[Value]) -> None:
        start_tok = self.tokens[paren - 3] if paren >= 3 else self.tokens[paren]
        if not args or args[0].origin is not Origin.LITERAL or args[0].text is None:
            return
        first = self.tokens[paren + 1]
        if first.kind != "string":
            return
        call = RedisCall(start_tok.start, self.tokens[end - 1].end, first.text.lower(), ())
        self.calls.append(KeyedCall(call, first.text.lower(), tuple(args[1:])))

    # -- statements ------------------------------------------------------------------------
    def function(self, i: int) -> None:
        """``function [name](params) body end``: bind the parameters, scan the body."""
        j = i + 1
        name = None
        while self.kind(j) == "name" or (self.kind(j) == "op" and self.text(j) in (".", ":")):
            name = self.text(j) if self.kind(j) == "name" else name
            j += 1
        if not self.is_op(j, "("):
            return
        close = self.matching(j)
        params = [t.text for t in self.tokens[j + 1 : close - 1] if t.kind == "name"]
        callback = i in self.callbacks or (name is not None and name in self.callback_names)
        if not callback and i >= 3 and self.is_op(i - 1, "=") and self.kind(i - 2) == "name":
            callback = self.text(i - 2) in self.callback_names  # local f = function(...)
        for k, param in enumerate(params):
            if callback and k < 2:
                self.bind(param, Value(Origin.KEYS_TABLE if k == 0 else Origin.ARGV_TABLE))
            else:
                self.bind(param, _UNKNOWN)
        self.scan(close, self.block_end(i) - 1)

    def scan(self, i: int, stop: int) -> None:
        """Statements (and stray expressions) from ``i`` up to ``stop``."""
        while i < stop:
            tok = self.tokens[i]
            if tok.kind == "name" and tok.text == "local":
                i = self.local(i + 1, stop)
            elif tok.kind == "name" and tok.text == "function":
                self.function(i)
                i = self.block_end(i)
            elif tok.kind == "name" and tok.text == "for":
                i = self.for_loop(i, stop)
            elif tok.kind == "name" and self.is_op(i + 1, "=") and not self.after_dot(i):
                value, i = self.expression(i + 2)
                self.bind(tok.text, value)
            elif tok.kind in ("name", "string", "number") or tok.text in ("(", "{", "-", "#"):
                if tok.kind == "name" and tok.text in _KEYWORDS:
                    i += 1
                    continue
                _, after = self.expression(i)
                i = max(after, i + 1)
            else:
                i += 1

    def after_dot(self, i: int) -> bool:
        return i > 0 and self.kind(i - 1) == "op" and self.text(i - 1) in (".", ":")

    def local(self, i: int, stop: int) -> int:
        if self.text(i) == "function":
            self.function(i)
            return self.block_end(i)
        names: list[str] = []
        while self.kind(i) == "name":
            names.append(self.text(i))
            i += 1
            if self.is_op(i, ","):
                i += 1
                continue
            break
        if not self.is_op(i, "="):
            return i
        values, i = self.expression_list(i + 1, stop)
        for k, name in enumerate(names):
            if k < len(values):
                value = values[k]
            elif values and values[-1].spread:
                value = values[-1]  # local a, b = unpack(KEYS)
            else:
                value = _UNKNOWN
            self.bind(name, Value(value.origin, value.text))
        return i

    def for_loop(self, i: int, stop: int) -> int:
        """``for k, v in ipairs(KEYS) do``: ``v`` is a key. Numeric loops bind nothing known."""
        names: list[str] = []
        j = i + 1
        while self.kind(j) == "name" and self.text(j) != "in":
            names.append(self.text(j))
            j += 2 if self.is_op(j + 1, ",") else 1
        if (
            self.text(j) == "in"
            and self.text(j + 1) in ("ipairs", "pairs")
            and self.is_op(j + 2, "(")
        ):
            end = self.matching(j + 2)
            table, _ = self.expression(j + 3)
            element = {
                Origin.KEYS_TABLE: Value(Origin.KEYS),
                Origin.ARGV_TABLE: Value(Origin.ARGV),
            }.get(table.origin, _UNKNOWN)
            for k, name in enumerate(names):
                self.bind(name, element if k == 1 else _UNKNOWN)
            return end
        for name in names:
            self.bind(name, _UNKNOWN)
        return j


_KEYWORDS = frozenset(
    {
        "and",
        "break",
        "do",
        "else",
        "elseif",
        "end",
        "false",
        "for",
        "if",
        "in",
        "nil",
        "not",
        "or",
        "repeat",
        "return",
        "then",
        "true",
        "until",
        "while",
    }
)


def keyed_calls(src: str, library: bool = False) -> list[KeyedCall]:
    """The ``redis.call``s of a script (or function library) with their arguments' origins.

    In a script, keys come from the ``KEYS`` table; in a library (``FUNCTION LOAD``), from
    the first parameter of each function given to ``redis.register_function``. Raises
    ``LuaSyntaxError`` when the source cannot be tokenized.
    """
    tokens = tokenize(src)
    scanner = _Scanner(tokens, library)
    scanner.scan(0, len(tokens))
    return sorted(scanner.calls, key=lambda c: c.call.start)
