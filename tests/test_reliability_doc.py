"""docs/reliability.md cannot go stale: its tables are what the tests run and recorded."""

from __future__ import annotations

import json
import re

from figures import harness_digest
from reliability_doc import DOC, FIGURES, ROOT, render_blocks


def test_generated_tables_are_current() -> None:
    doc = DOC.read_text(encoding="utf-8")
    figures = json.loads(FIGURES.read_text(encoding="utf-8"))
    assert render_blocks(doc, figures) == doc, "run: PYTHONPATH=src python tests/reliability_doc.py"


def test_figures_come_from_the_current_fuzz_harness() -> None:
    figures = json.loads(FIGURES.read_text(encoding="utf-8"))
    assert figures["harness"] == harness_digest(), (
        "tests/test_fuzz.py changed since the recorded campaign: record it again "
        "(see tests/reliability_doc.py)"
    )
    assert figures["budget_scale"] >= 10, "the recorded campaign is a long (--run-slow) one"
    assert figures["counts"].get("failures", 0) == 0


def test_every_regression_test_named_in_the_document_exists() -> None:
    doc = DOC.read_text(encoding="utf-8")
    named = set(re.findall(r"`(test_\w+)(?:\[[^\]]*\])?`", doc))
    assert len(named) >= 10
    defined = {
        match
        for path in (ROOT / "tests").glob("test_*.py")
        for match in re.findall(r"^def (test_\w+)", path.read_text(encoding="utf-8"), re.M)
    }
    assert named <= defined, sorted(named - defined)
