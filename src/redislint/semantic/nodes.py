"""Helpers over libcst nodes that need no analyzer state: a node's children, and
predicates and small readers of nodes (parameters, collections, exits, literals).

They are apart from the analyzer so that modules reading trees (``loops``) can use them
without importing the analyzer, and they use libcst only inside functions, so importing
this module does not load it (``redislint._lazy``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import TYPE_CHECKING

from redislint.semantic.arguments import literal

if TYPE_CHECKING:
    import libcst as cst
else:
    from redislint._lazy import cst

_SKIPPED_FIELDS = frozenset(
    {
        "lpar",
        "rpar",
        "comma",
        "semicolon",
        "leading_lines",
        "lines_after_decorators",
        "header",
        "footer",
        "newline",
        "trailing_whitespace",
        "empty_lines",
        "operator",
        "dot",
        "colon",
        "equal",
        "star",
        "asynchronous",
        "default_comma",
        "keyword",
        "attr",
        "whitespace",
        "lbracket",
        "rbracket",
        "lbrace",
        "rbrace",
    }
)
_FIELDS: dict[type[cst.CSTNode], tuple[str, ...]] = {}


def _fields(node_type: type[cst.CSTNode]) -> tuple[str, ...]:
    names = _FIELDS.get(node_type)
    if names is None:
        names = tuple(
            f.name
            for f in dataclasses.fields(node_type)
            if f.name not in _SKIPPED_FIELDS and not f.name.startswith("whitespace")
        )
        _FIELDS[node_type] = names
    return names


def children(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """The children of ``node`` that can hold code (no whitespace, commas, parens)."""
    for name in _fields(type(node)):
        value = getattr(node, name)
        if isinstance(value, cst.CSTNode):
            yield value
        elif isinstance(value, tuple | list):
            for item in value:
                if isinstance(item, cst.CSTNode):
                    yield item


def _results(comp: cst.BaseComp) -> tuple[cst.BaseExpression, ...]:
    """The expressions a comprehension produces its items from."""
    if isinstance(comp, cst.DictComp):
        return (comp.key, comp.value)
    return (comp.elt,)  # type: ignore[attr-defined]


def _iterables(comp: cst.BaseComp, child: cst.CSTNode) -> bool:
    level: cst.CompFor | None = comp.for_in
    while level is not None:
        if level.iter is child:
            return True
        level = level.inner_for_in
    return False


def _all_params(params: cst.Parameters) -> list[cst.Param]:
    out = [*params.posonly_params, *params.params, *params.kwonly_params]
    if isinstance(params.star_arg, cst.Param):
        out.append(params.star_arg)
    if params.star_kwarg is not None:
        out.append(params.star_kwarg)
    return out


def _elements(value: cst.BaseExpression) -> list[cst.BaseExpression]:
    if isinstance(value, cst.List | cst.Tuple | cst.Set):
        return [e.value for e in value.elements if not isinstance(e, cst.StarredElement)]
    return [value]


def _is_none(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


def _argv_value(node: cst.BaseExpression) -> str | None:
    """A command argument's value as the server sees it, when it is a literal."""
    value = literal(node)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _always_exits(body: cst.BaseSuite) -> bool:
    """A block whose last statement leaves it: ``return``, ``raise``, ``continue``,
    ``break``."""
    last: cst.CSTNode | None = body.body[-1] if body.body else None
    if isinstance(last, cst.SimpleStatementLine):
        last = last.body[-1] if last.body else None
    return isinstance(last, cst.Return | cst.Raise | cst.Continue | cst.Break)


# Calls that keep the elements of their one collection argument.
_SAME_ELEMENTS = frozenset({"list", "tuple", "set", "sorted", "reversed", "frozenset"})


def _element_sources(
    target: cst.BaseExpression, iterable: cst.BaseExpression
) -> Iterator[tuple[str, cst.BaseExpression]]:
    """Names of a loop target that take the elements of a collection, with the collection:
    ``for k in keys``, ``for k in keys.keys()``, ``for k, v in d.items()``, ``for i, k in
    enumerate(keys)``, ``for k, v in zip(keys, values)``."""
    while (
        isinstance(iterable, cst.Call)
        and isinstance(iterable.func, cst.Name)
        and iterable.func.value in _SAME_ELEMENTS
        and len(iterable.args) == 1
    ):
        iterable = iterable.args[0].value
    if isinstance(iterable, cst.Call) and not any(a.star or a.keyword for a in iterable.args):
        func = iterable.func
        parts = [a.value for a in iterable.args]
        if isinstance(func, cst.Attribute) and func.attr.value in ("keys", "items") and not parts:
            if func.attr.value == "items":
                target = _first_element(target)
            iterable = func.value
        elif isinstance(func, cst.Name) and func.value == "enumerate" and len(parts) == 1:
            if isinstance(target, cst.Tuple | cst.List) and len(target.elements) == 2:
                yield from _element_sources(target.elements[1].value, parts[0])
            return
        elif isinstance(func, cst.Name) and func.value == "zip":
            if isinstance(target, cst.Tuple | cst.List) and len(target.elements) == len(parts):
                for element, part in zip(target.elements, parts, strict=True):
                    yield from _element_sources(element.value, part)
            return
        else:
            return
    if isinstance(target, cst.Name) and _dotted(iterable) is not None:
        yield target.value, iterable


def _first_element(target: cst.BaseExpression) -> cst.BaseExpression:
    if isinstance(target, cst.Tuple | cst.List) and target.elements:
        return target.elements[0].value
    return target


def _dotted(node: cst.BaseExpression) -> str | None:
    """``self.keys`` for a name or an attribute chain; None for anything else."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = _dotted(node.value)
        return None if base is None else f"{base}.{node.attr.value}"
    return None


def _parameters(node: cst.CSTNode) -> set[str]:
    if not isinstance(node, cst.FunctionDef):
        return set()
    return {p.name.value for p in _all_params(node.params)}


def _exiting_arm(node: cst.If) -> int | None:
    """The arm the code after ``node`` is on when one arm always leaves the block:
    1 after ``if test: return``, 0 after ``if test: ... else: raise``."""
    if _always_exits(node.body):
        return 1 if node.orelse is None or not _always_exits_else(node.orelse) else None
    if isinstance(node.orelse, cst.Else) and _always_exits(node.orelse.body):
        return 0
    return None


def _always_exits_else(orelse: cst.If | cst.Else) -> bool:
    return isinstance(orelse, cst.Else) and _always_exits(orelse.body)


def _nested_exits(body: cst.BaseSuite) -> Iterator[tuple[cst.BaseExpression, int]]:
    """Tests of ``if`` statements nested in ``body`` (not in loops or functions) with an
    arm that always leaves the enclosing block, and the arm the code after them is on."""
    if not isinstance(body, cst.IndentedBlock):
        return
    for stmt in body.body:
        if isinstance(stmt, cst.If):
            arm = _exiting_arm(stmt)
            if arm is not None:
                yield stmt.test, arm
            else:
                yield from _nested_exits(stmt.body)


def _int_literal(node: cst.BaseExpression | None) -> int | None:
    if isinstance(node, cst.Integer):
        try:
            return int(node.value, 0)
        except ValueError:
            return None
    return None
