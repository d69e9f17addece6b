"""Every finding on the real-world corpus has a judgement, and docs/precision.md is current.

The corpus (bench/corpus.txt) is downloaded by bench/fetch into a cache outside the
repository; the test skips, saying so, only when the package index cannot be reached.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


def _precision_module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(
        "bench_precision", ROOT / "bench" / "precision.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def corpus() -> Path:
    precision = _precision_module()
    try:
        return precision.fetch_corpus()  # type: ignore[no-any-return]
    except subprocess.CalledProcessError as exc:
        pytest.skip(f"cannot download the corpus from the package index: {exc.stderr[-300:]}")


@pytest.mark.slow  # downloads the corpus
def test_every_finding_is_judged_and_the_figures_are_current(corpus: Path) -> None:
    precision = _precision_module()
    found = precision.lint_corpus(corpus)
    judged = precision.load_review()
    missing = sorted(k for k in found if k not in judged)
    stale = sorted(k for k in judged if k not in found)
    assert not missing, (
        "findings without a judgement in bench/review.tsv (read them, then add rows; "
        f"`python bench/precision.py --unjudged` prints them): {missing}"
    )
    assert not stale, f"judgements in bench/review.tsv that no longer match a finding: {stale}"
    doc = (ROOT / "docs" / "precision.md").read_text(encoding="utf-8")
    table = precision.precision_table(found, judged)
    assert table in doc, "docs/precision.md is stale: run python bench/precision.py --write"


@pytest.mark.slow
def test_the_whole_precision_section_is_current(corpus: Path) -> None:
    """Also the per-file recognition comparison (a second corpus run)."""
    precision = _precision_module()
    section, missing, stale = precision.report(corpus)
    assert not missing and not stale
    doc = (ROOT / "docs" / "precision.md").read_text(encoding="utf-8")
    assert section in doc, "docs/precision.md is stale: run python bench/precision.py --write"


def test_review_rows_are_well_formed() -> None:
    precision = _precision_module()
    for key, judgement in precision.load_review().items():
        assert judgement.verdict in ("TP", "FP"), key
        assert len(judgement.reason) > 15, key


@pytest.mark.slow
def test_the_prefilter_never_drops_a_finding_on_the_corpus(corpus: Path) -> None:
    """Every file of the corpus linted (no prefilter) finds exactly what a normal run finds."""
    from redislint.config import Config
    from redislint.engine.runner import Runner
    from redislint.rules import ALL_RULES

    config = Config(root=corpus)
    # every rule, and everything about each finding: the prefilter and the blanking of
    # functions that cannot hold a finding (engine/focus.py) change nothing
    codes = frozenset(r.code for r in ALL_RULES)
    runs = [
        Runner(config, codes, cwd=corpus, cache_dir=None, prefilter=p).run([corpus])
        for p in (True, False)
    ]
    with_prefilter, without = (
        [(f.path, f.start, f.end, f.code, f.message, f.fix) for f in run.findings] for run in runs
    )
    assert len(with_prefilter) > 150
    assert with_prefilter == without
