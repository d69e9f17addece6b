"""Helpers the connections rules share: the names a loop binds, and whether an argument
uses them."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import libcst as cst
else:
    from redislint._lazy import cst


def _names_in(node: cst.CSTNode | None) -> set[str]:
    """Names bound by a ``for`` / comprehension target."""
    found: set[str] = set()
    todo: list[cst.CSTNode] = [node] if node is not None else []
    while todo:
        current = todo.pop()
        if isinstance(current, cst.Name):
            found.add(current.value)
        elif isinstance(current, cst.Tuple | cst.List):
            todo.extend(e.value for e in current.elements)
        elif isinstance(current, cst.StarredElement):
            todo.append(current.value)
    return found


def loop_targets(loop: cst.CSTNode) -> set[str]:
    """The names a loop binds on each iteration."""
    if isinstance(loop, cst.For):
        return _names_in(loop.target)
    names: set[str] = set()
    if isinstance(loop, cst.ListComp | cst.SetComp | cst.GeneratorExp | cst.DictComp):
        level: cst.CompFor | None = loop.for_in
        while level is not None:
            names |= _names_in(level.target)
            level = level.inner_for_in
    return names


def _mentions(node: cst.CSTNode, names: set[str]) -> bool:
    """Whether an argument expression (a few nodes) uses one of ``names``."""
    if not names:
        return False
    todo: list[cst.CSTNode] = [node]
    while todo:
        current = todo.pop()
        if isinstance(current, cst.Name) and current.value in names:
            return True
        if isinstance(current, cst.Attribute):
            todo.append(current.value)
            continue
        todo.extend(current.children)
    return False
