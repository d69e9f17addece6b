"""Positions of the few nodes that are reported, computed in one partial code generation.

libcst's ``PositionProvider`` records a range for every node of the module (about twice
the cost of parsing). Findings are rare, so this state records only the requested nodes
and stops generating code as soon as the last of them is done.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext, suppress
from dataclasses import dataclass, field

import libcst as cst
from libcst._nodes.internal import CodegenState

from redislint.diagnostics import Position

_NEWLINE = re.compile(r"\r\n?|\n")
_NULL = nullcontext()


class _Done(Exception):
    """Every requested node has its range: stop generating code."""


@dataclass
class _TargetState(CodegenState):
    targets: set[int] = field(default_factory=set)
    found: dict[int, tuple[Position, Position]] = field(default_factory=dict)
    line: int = 1
    column: int = 0

    def add_indent_tokens(self) -> None:
        for token in self.indent_tokens:
            self.add_token(token)

    def add_token(self, value: str) -> None:
        if "\n" not in value and "\r" not in value:
            self.column += len(value)
            return
        segments = _NEWLINE.split(value)
        self.line += len(segments) - 1
        self.column = len(segments[-1])

    def pop_trailing_newline(self) -> None:
        pass

    def record_syntactic_position(  # type: ignore[override]  # a shared nullcontext is cheaper
        self,
        node: cst.CSTNode,
        *,
        start_node: cst.CSTNode | None = None,
        end_node: cst.CSTNode | None = None,
    ) -> AbstractContextManager[None]:
        if id(node) not in self.targets:
            return _NULL
        return self._record(node)

    @contextmanager
    def _record(self, node: cst.CSTNode) -> Iterator[None]:
        start = Position(self.line, self.column + 1)
        yield
        self.found[id(node)] = (start, Position(self.line, self.column + 1))
        self.targets.discard(id(node))
        if not self.targets:
            raise _Done


def node_ranges(
    module: cst.Module, nodes: Iterable[cst.CSTNode]
) -> dict[int, tuple[Position, Position]]:
    """1-based (start, end) of each node, keyed by ``id(node)``; end is exclusive."""
    state = _TargetState(
        default_indent=module.default_indent,
        default_newline=module.default_newline,
        targets={id(n) for n in nodes},
    )
    if not state.targets:
        return {}
    with suppress(_Done):
        module._codegen(state)
    return state.found


def offset_position(start: Position, raw: str, offset: int) -> Position:
    """The position ``offset`` characters into ``raw``, which starts at ``start``."""
    lines = _NEWLINE.split(raw[:offset])
    if len(lines) == 1:
        return Position(start.line, start.column + offset)
    return Position(start.line + len(lines) - 1, len(lines[-1]) + 1)
