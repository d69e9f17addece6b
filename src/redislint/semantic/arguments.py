"""What a command's arguments say: literal values, flags, and the options of SET."""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from redislint.semantic.model import Command

if TYPE_CHECKING:
    import libcst as cst
else:
    from redislint._lazy import cst

_MISSING = object()


def literal(node: cst.BaseExpression | None) -> object:
    """The Python value of a literal expression, or ``_MISSING``-like None sentinel."""
    if node is None:
        return _MISSING
    if isinstance(node, cst.Name) and node.value in ("None", "True", "False"):
        return {"None": None, "True": True, "False": False}[node.value]
    if isinstance(node, cst.SimpleString | cst.ConcatenatedString):
        value = node.evaluated_value
        return value if value is not None else _MISSING
    if isinstance(node, cst.Integer | cst.Float):
        try:
            return ast.literal_eval(node.value)
        except (ValueError, SyntaxError):
            return _MISSING
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        inner = literal(node.expression)
        if isinstance(inner, int | float) and not isinstance(inner, bool):
            return -inner
    return _MISSING


def is_literal(value: object) -> bool:
    return value is not _MISSING


def constant(
    node: cst.BaseExpression | None,
    lookup: Callable[[str], cst.BaseExpression | None] | None = None,
    depth: int = 0,
) -> object:
    """The value of an expression that is the same on every run, else the missing sentinel.

    Literals (``1``, ``"locked"``, ``True``), f-strings without fields, ``str(1)``,
    ``"x".encode()``, and names bound to them (through ``lookup``, e.g.
    ``FileContext.binding``). Anything computed (``uuid4().hex``, a parameter, an
    attribute) is not constant. Test with ``is_literal``.
    """
    if node is None or depth > 10:
        return _MISSING
    value = literal(node)
    if value is not _MISSING:
        return value
    if isinstance(node, cst.FormattedString):
        if all(isinstance(p, cst.FormattedStringText) for p in node.parts):
            return "".join(p.value for p in node.parts if isinstance(p, cst.FormattedStringText))
        return _MISSING
    if isinstance(node, cst.Name):
        bound = lookup(node.value) if lookup is not None else None
        return constant(bound, lookup, depth + 1) if bound is not None else _MISSING
    if isinstance(node, cst.Call) and len(node.args) <= 1:
        func = node.func
        if isinstance(func, cst.Name) and func.value in ("str", "bytes", "int") and node.args:
            return constant(node.args[0].value, lookup, depth + 1)
        if isinstance(func, cst.Attribute) and func.attr.value == "encode" and not node.args:
            return constant(func.value, lookup, depth + 1)
    return _MISSING


def text(node: cst.BaseExpression | None) -> str | None:
    """The value of a string literal (bytes decoded), else None."""
    value = literal(node)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value if isinstance(value, str) else None


def flag(cmd: Command, name: str) -> bool | None:
    """A boolean keyword of a redis-py call: True/False when known, None when unknowable."""
    node = cmd.args.get(name)
    if node is None:
        return None if cmd.args.unpacked else False
    value = literal(node)
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    if isinstance(value, int | float | str | bytes):
        return bool(value)
    return None


def given(cmd: Command, name: str) -> bool | None:
    """Whether a value other than a literal ``None`` is passed for ``name``."""
    node = cmd.args.get(name)
    if node is None:
        return None if cmd.args.unpacked else False
    return literal(node) is not None


@dataclass(frozen=True)
class SetOptions:
    """The options of a SET. ``None`` means the call leaves it unknowable (``**kwargs``)."""

    expiry: bool | None  # ex, px, exat or pxat
    keepttl: bool | None
    nx: bool | None
    xx: bool | None


TTL_PARAMS = ("ex", "px", "exat", "pxat")


def set_options(cmd: Command) -> SetOptions:
    """The options of a ``set()`` or ``execute_command("SET", ...)`` call."""
    if cmd.method == "execute_command":
        # The options are words; numbers are the values of EX/PX/EXAT/PXAT.
        values = [literal(a) for a in cmd.args.varargs[3:]]
        if cmd.args.unpacked or not all(
            isinstance(v, str | bytes | int | float) and not isinstance(v, bool) for v in values
        ):
            return SetOptions(None, None, None, None)
        tokens = [text(a) for a in cmd.args.varargs[3:]]
        upper = {t.upper() for t in tokens if t is not None}
        return SetOptions(
            expiry=bool(upper & {"EX", "PX", "EXAT", "PXAT"}),
            keepttl="KEEPTTL" in upper,
            nx="NX" in upper,
            xx="XX" in upper,
        )
    expiry: bool | None = False
    for param in TTL_PARAMS:
        state = given(cmd, param)
        if state:
            expiry = True
            break
        if state is None:
            expiry = None
    return SetOptions(
        expiry=expiry,
        keepttl=flag(cmd, "keepttl"),
        nx=flag(cmd, "nx"),
        xx=flag(cmd, "xx"),
    )


def value_node(cmd: Command) -> cst.BaseExpression | None:
    """The value written by a single-value write (``set``, ``hset``, ``lpush``...)."""
    for param in ("value", "values", "mapping", "members"):
        node = cmd.args.get(param)
        if node is not None:
            return node
    if cmd.args.varargs:
        return cmd.args.varargs[0]
    return None


def config_set_pairs(cmd: Command) -> list[tuple[str, cst.BaseExpression]]:
    """The (lower-case name, value) pairs of a ``CONFIG SET`` with literal names:
    ``config_set(name, value, *more)`` or ``execute_command("CONFIG", "SET", ...)``."""
    if cmd.name != "config|set":
        return []
    if cmd.method == "execute_command":
        args = list(cmd.args.varargs)
        first = text(args[0]) if args else None
        skip = 1 if first is not None and len(first.split()) > 1 else 2
        nodes = args[skip:]
    else:
        nodes = [n for n in (cmd.args.get("name"), cmd.args.get("value")) if n is not None]
        nodes += cmd.args.varargs
    pairs = []
    for i in range(0, len(nodes) - 1, 2):
        name = text(nodes[i])
        if name is not None:
            pairs.append((name.strip().lower(), nodes[i + 1]))
    return pairs
