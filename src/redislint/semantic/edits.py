"""Fixes as rules write them (libcst nodes) and as everything else sees them (text edits).

A rule describes a fix as changes to the nodes involved: ``Replace(old, new)`` swaps a
node for a transformed copy (built with ``with_changes``, so its whitespace and comments
stay as written), ``Remove(statement)`` deletes a statement line but keeps the comments
on and above it. Positions are only known after the rule pass (``semantic/positions.py``),
so the engine turns a plan into ``diagnostics.Edit`` ranges afterwards, for the findings
that are reported: the new node's code is generated with the indentation in force where
the old node stands, and the edit is narrowed to the text that actually changes.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from redislint.diagnostics import Edit, Fix, Position

if TYPE_CHECKING:
    import libcst as cst

    from redislint.semantic.positions import Layout
else:
    from redislint._lazy import cst

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class Replace:
    """Replace ``node`` (with its parentheses) by the code of ``new``."""

    node: cst.CSTNode
    new: cst.CSTNode


@dataclass(frozen=True)
class Remove:
    """Delete a statement line; the comments above it stay, and so does its trailing
    comment (on a line of its own) unless ``keep_comment`` is False."""

    line: cst.SimpleStatementLine
    keep_comment: bool = True


Change = Replace | Remove


@dataclass(frozen=True)
class FixPlan:
    """A fix before positions are known."""

    message: str
    safe: bool
    changes: tuple[Change, ...]

    def nodes(self) -> list[cst.CSTNode]:
        """The nodes whose outer ranges the edits need."""
        return [c.node if isinstance(c, Replace) else c.line for c in self.changes]


class Offsets:
    """Converts 1-based (line, column) positions of a text to string offsets and back."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0]
        for match in _LINE_BREAK.finditer(text):
            self.starts.append(match.end())

    def offset(self, position: Position) -> int:
        if position.line > len(self.starts):
            return len(self.text)
        return min(self.starts[position.line - 1] + position.column - 1, len(self.text))

    def position(self, offset: int) -> Position:
        low, high = 0, len(self.starts) - 1
        while low < high:  # the last line start at or before ``offset``
            middle = (low + high + 1) // 2
            if self.starts[middle] <= offset:
                low = middle
            else:
                high = middle - 1
        return Position(low + 1, offset - self.starts[low] + 1)


def generate(nodes: Sequence[cst.CSTNode], module: cst.Module, indent: Sequence[str] = ()) -> str:
    """The code of ``nodes`` as generated at a place indented by ``indent``."""
    from libcst._nodes.internal import CodegenState

    state = CodegenState(
        default_indent=module.default_indent,
        default_newline=module.default_newline,
        indent_tokens=list(indent),
    )
    for node in nodes:
        node._codegen(state)
    return "".join(state.tokens)


def _removal(change: Remove) -> list[cst.CSTNode]:
    """What stays of a removed statement line: the lines above it and its comment."""
    line = change.line
    kept: list[cst.CSTNode] = list(line.leading_lines)
    comment = line.trailing_whitespace.comment
    if comment is not None and change.keep_comment:
        kept.append(cst.EmptyLine(indent=True, comment=comment))
    return kept


def to_fix(plan: FixPlan, layout: Layout, module: cst.Module, offsets: Offsets) -> Fix | None:
    """The text edits of ``plan``; None when a node was not found or edits would overlap."""
    edits: list[Edit] = []
    spans: list[tuple[int, int]] = []
    for change in plan.changes:
        node = change.node if isinstance(change, Replace) else change.line
        outer = layout.outer.get(id(node))
        if outer is None:
            return None
        start, end = offsets.offset(outer.start), offsets.offset(outer.end)
        if isinstance(change, Replace):
            new = generate([change.new], module, outer.indent)
        else:
            new = generate(_removal(change), module, outer.indent)
        old = offsets.text[start:end]
        if end == len(offsets.text) and not old.endswith(("\n", "\r")):
            new = _without_final_newline(new)  # the file's last line has none
        first, last = _narrow(old, new)
        spans.append((start + first, end - (len(old) - last)))
        edits.append(
            Edit(
                offsets.position(start + first),
                offsets.position(end - (len(old) - last)),
                new[first : len(new) - (len(old) - last)],
            )
        )
    spans.sort()
    if any(a[1] > b[0] for a, b in itertools.pairwise(spans)):
        return None
    if not edits:
        return None
    return Fix(plan.message, tuple(sorted(edits, key=lambda e: (e.start, e.end))), plan.safe)


def _without_final_newline(text: str) -> str:
    for ending in ("\r\n", "\n", "\r"):
        if text.endswith(ending):
            return text[: -len(ending)]
    return text


def _narrow(old: str, new: str) -> tuple[int, int]:
    """The part of ``old`` that differs from ``new``: (first changed, end of change).

    The range is widened to whole words (``setnx(`` -> ``set(`` replaces ``setnx``, not
    ``nx``), and never splits a CRLF line break.
    """
    limit = min(len(old), len(new))
    first = 0
    while first < limit and old[first] == new[first]:
        first += 1
    tail = 0
    while tail < limit - first and old[len(old) - 1 - tail] == new[len(new) - 1 - tail]:
        tail += 1
    if _word_at(old, first) or _word_at(new, first):
        while first > 0 and _word_at(old, first - 1):
            first -= 1
    if _word_at(old, len(old) - tail - 1) or _word_at(new, len(new) - tail - 1):
        while tail > 0 and _word_at(old, len(old) - tail):
            tail -= 1
    if first > 0 and old[first - 1] == "\r" and old[first : first + 1] == "\n":
        first -= 1
    if tail and old[len(old) - tail - 1 : len(old) - tail + 1] == "\r\n":
        tail -= 1
    return first, len(old) - tail


def _word_at(text: str, index: int) -> bool:
    return 0 <= index < len(text) and (text[index].isalnum() or text[index] == "_")
