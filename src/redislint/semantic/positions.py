"""Positions of the few nodes that are reported, computed in one partial code generation.

libcst's ``PositionProvider`` records a range for every node of the module (about twice
the cost of parsing). Findings are rare, so this state records only the requested nodes
and stops generating code as soon as the last of them is done.

Besides the syntactic range of a node (what a finding points at), it can record a node's
*outer* range (with its parentheses, leading lines and indentation, as its code generation
emits it) and the indentation in force there: what a fix needs to replace the node's text
with the code of another node.
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


@dataclass(frozen=True)
class Outer:
    """Where a node's whole code generation starts and ends, and the indentation there."""

    start: Position
    end: Position
    indent: tuple[str, ...]


@dataclass
class Layout:
    """The ranges a lint needs: syntactic ranges, outer ranges, enclosing definitions."""

    ranges: dict[int, tuple[Position, Position]] = field(default_factory=dict)
    outer: dict[int, Outer] = field(default_factory=dict)
    # the qualified name of the function or class around each node ("" at module level)
    scopes: dict[int, str] = field(default_factory=dict)


@dataclass
class _TargetState(CodegenState):
    targets: set[int] = field(default_factory=set)
    outer_targets: set[int] = field(default_factory=set)
    layout: Layout = field(default_factory=Layout)
    names: list[str] = field(default_factory=list)
    opened: dict[int, tuple[Position, tuple[str, ...]]] = field(default_factory=dict)
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

    def before_codegen(self, node: cst.CSTNode) -> None:
        if isinstance(node, cst.FunctionDef | cst.ClassDef):
            self.names.append(node.name.value)
        if id(node) in self.outer_targets:
            here = Position(self.line, self.column + 1)
            self.opened[id(node)] = (here, tuple(self.indent_tokens))

    def after_codegen(self, node: cst.CSTNode) -> None:
        if isinstance(node, cst.FunctionDef | cst.ClassDef):
            self.names.pop()
        opened = self.opened.pop(id(node), None)
        if opened is not None:
            start, indent = opened
            self.layout.outer[id(node)] = Outer(start, Position(self.line, self.column + 1), indent)
            self.outer_targets.discard(id(node))
            self._maybe_done()

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
        self.layout.scopes[id(node)] = ".".join(self.names)
        yield
        self.layout.ranges[id(node)] = (start, Position(self.line, self.column + 1))
        self.targets.discard(id(node))
        self._maybe_done()

    def _maybe_done(self) -> None:
        if not self.targets and not self.outer_targets:
            raise _Done


def layout(
    module: cst.Module, nodes: Iterable[cst.CSTNode], outer: Iterable[cst.CSTNode] = ()
) -> Layout:
    """Syntactic ranges (and enclosing definitions) of ``nodes``, outer ranges of ``outer``."""
    state = _TargetState(
        default_indent=module.default_indent,
        default_newline=module.default_newline,
        targets={id(n) for n in nodes},
        outer_targets={id(n) for n in outer},
    )
    if not state.targets and not state.outer_targets:
        return state.layout
    with suppress(_Done):
        module._codegen(state)
    return state.layout


def node_ranges(
    module: cst.Module, nodes: Iterable[cst.CSTNode]
) -> dict[int, tuple[Position, Position]]:
    """1-based (start, end) of each node, keyed by ``id(node)``; end is exclusive."""
    return layout(module, nodes).ranges


def offset_position(start: Position, raw: str, offset: int) -> Position:
    """The position ``offset`` characters into ``raw``, which starts at ``start``."""
    lines = _NEWLINE.split(raw[:offset])
    if len(lines) == 1:
        return Position(start.line, start.column + offset)
    return Position(start.line + len(lines) - 1, len(lines[-1]) + 1)
