"""libcst expressions as resolver symbols (the rule pass's side of ``clients.sym``)."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from redislint.clients.sym import (
    SOTHER,
    SUNKNOWN,
    SAlt,
    SAttr,
    SAwait,
    SCall,
    SConst,
    SName,
    SSub,
    Sym,
)

if TYPE_CHECKING:
    import libcst as cst
else:
    from redislint._lazy import cst


@cache
def _other_types() -> tuple[type[cst.BaseExpression], ...]:
    """Expressions that are never Redis objects (built on first use: libcst loads lazily)."""
    return (
        cst.Dict,
        cst.List,
        cst.Set,
        cst.Tuple,
        cst.ListComp,
        cst.SetComp,
        cst.DictComp,
        cst.GeneratorExp,
        cst.Lambda,
        cst.FormattedString,
        cst.Comparison,
        cst.UnaryOperation,
        cst.Integer,
        cst.Float,
        cst.Imaginary,
    )


def from_cst(node: cst.BaseExpression) -> Sym:
    """Convert a libcst expression into a symbol."""
    if isinstance(node, cst.Name):
        if node.value in ("None", "True", "False"):
            return SConst(None if node.value == "None" else node.value == "True")
        return SName(node.value)
    if isinstance(node, cst.Attribute):
        return SAttr(from_cst(node.value), node.attr.value)
    if isinstance(node, cst.Call):
        args: list[Sym] = []
        kwargs: list[tuple[str, Sym]] = []
        for arg in node.args:
            if arg.keyword is not None:
                kwargs.append((arg.keyword.value, from_cst(arg.value)))
            elif arg.star:
                if not kwargs:
                    args.append(SUNKNOWN)
            elif len(args) < 3:
                args.append(from_cst(arg.value))
        return SCall(from_cst(node.func), tuple(args), tuple(kwargs))
    if isinstance(node, cst.Subscript):
        items: list[Sym] = []
        for element in node.slice:
            inner = element.slice
            if isinstance(inner, cst.Index):
                items.append(from_cst(inner.value))
            else:
                items.append(SUNKNOWN)
        return SSub(from_cst(node.value), tuple(items))
    if isinstance(node, cst.BooleanOperation):
        return SAlt((from_cst(node.left), from_cst(node.right)))
    if isinstance(node, cst.IfExp):
        return SAlt((from_cst(node.body), from_cst(node.orelse)))
    if isinstance(node, cst.BinaryOperation):
        if isinstance(node.operator, cst.BitOr):
            return SAlt((from_cst(node.left), from_cst(node.right)))
        return SOTHER
    if isinstance(node, cst.Await):
        return SAwait(from_cst(node.expression))
    if isinstance(node, cst.NamedExpr):
        return from_cst(node.value)
    if isinstance(node, cst.SimpleString | cst.ConcatenatedString):
        value = node.evaluated_value
        return SConst(value) if isinstance(value, str | bytes) else SOTHER
    if isinstance(node, _other_types()):
        return SOTHER
    return SUNKNOWN
