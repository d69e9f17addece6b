"""The recall census (bench/census.py) is complete and its figures in docs are current."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import census  # noqa: E402


def test_judgements_are_well_formed() -> None:
    judged = census.load()
    assert judged, "bench/census.tsv holds no judgement"
    for key, judgement in judged.items():
        assert judgement.verdict in census.VERDICTS, key
        assert judgement.reason.strip(), key


@pytest.mark.slow
def test_every_candidate_is_judged_and_the_figures_are_current() -> None:
    cands, roots = census.census()
    judged = census.load()
    missing = [c.key for c in cands if c.key not in judged]
    assert not missing, f"{len(missing)} candidates without a judgement, e.g. {missing[:5]}"
    section = census.section(cands, judged, census.lint(roots))
    doc = census.DOC.read_text(encoding="utf-8")
    assert f"{census.START}\n{section}{census.END}" in doc, "run python bench/census.py --write"
