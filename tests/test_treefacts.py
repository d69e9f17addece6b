"""Findings that depend on the whole tree are decided after every file is linted."""

from __future__ import annotations

from pathlib import Path

import libcst as cst

from redislint.keys.shape import Hole, KeyShape, shape_of
from redislint.semantic.treefacts import CommandFact, TreeCondition, TreeFacts, TreeQuery, portable


def shape(code: str) -> KeyShape:
    return shape_of(cst.parse_expression(code))


def test_portable_drops_binding_versions() -> None:
    assert portable(KeyShape(("lock:", Hole("name#2")))) == KeyShape(("lock:", Hole("name")))


def test_answer_by_name_flag_and_key() -> None:
    facts = TreeFacts(
        [
            CommandFact("set", frozenset({"nx"}), (shape('"lock:a"'),)),
            CommandFact("xack", frozenset(), (shape('"jobs"'),)),
        ]
    )
    nx = frozenset({"nx"})
    assert facts.answer(TreeQuery(frozenset({"set", "setnx"}), shape('"lock:a"'), nx))
    assert not facts.answer(TreeQuery(frozenset({"set"}), shape('"lock:b"'), nx))
    assert not facts.answer(TreeQuery(frozenset({"set"}), shape('"lock:a"'), frozenset({"xx"})))
    assert facts.answer(TreeQuery(frozenset({"xack"})))
    assert facts.answer(TreeQuery(frozenset({"xack"}), shape("f'{name}'")))
    assert not facts.answer(TreeQuery(frozenset({"xack"}), shape("f'{name}'"), exact=True))
    assert facts.holds(TreeCondition(TreeQuery(frozenset({"xadd"})), expected=False))


def test_conditional_finding_across_files(tmp_path: Path) -> None:
    """A rule's conditional report survives only when the tree-wide condition holds."""
    from redislint.diagnostics import Finding, Position, Severity
    from redislint.engine.lint import FileResult
    from redislint.engine.runner import resolve_tree_conditions

    finding = Finding("a.py", "RL503", "x", Severity.ERROR, "m", Position(1, 1), Position(1, 2))
    no_ack = TreeCondition(TreeQuery(frozenset({"xack"}), shape('"jobs"')), expected=False)
    reader = FileResult(pending=[(finding, no_ack)])
    acker = FileResult(facts=[CommandFact("xack", frozenset(), (shape('"jobs"'),))])
    assert resolve_tree_conditions([reader]) == [finding]
    assert resolve_tree_conditions([reader, acker]) == []


def test_portable_templates_ignore_volatility() -> None:
    """Within a function two clock reads may differ; across the tree it is one template."""
    from redislint.keys.shape import Relation, compare

    window = shape('f"rl:{int(time.time() // 60)}"')
    assert compare(window, window) is Relation.MAYBE
    assert compare(portable(window), portable(window)) is Relation.SAME
