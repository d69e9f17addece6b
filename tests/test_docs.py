"""The registry, the docs folder and ``redislint --explain`` agree."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from redislint.cli import main
from redislint.rules import ALL_RULES
from redislint.rules.base import DOC_SECTIONS
from redislint.rules.docs import index_page, missing_sections, rule_page

DOCS = Path(__file__).parent.parent / "docs" / "rules"


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_doc_page_is_current(rule: type) -> None:
    page = DOCS / f"{rule.code}.md"
    assert page.exists(), f"missing {page}; run scripts/gen_docs.py"
    assert page.read_text(encoding="utf-8") == rule_page(rule), "stale: run scripts/gen_docs.py"


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_doc_has_every_section_in_order(rule: type) -> None:
    assert not missing_sections(rule)
    doc = rule.doc()
    positions = [doc.index(f"## {s}") for s in DOC_SECTIONS]
    assert positions == sorted(positions)


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_explain_prints_the_doc_page(rule: type) -> None:
    result = CliRunner().invoke(main, ["--explain", rule.code])
    assert result.exit_code == 0
    assert result.stdout == rule_page(rule) + "\n"


def test_no_stray_doc_pages() -> None:
    codes = {r.code for r in ALL_RULES}
    pages = {p.stem for p in DOCS.glob("RL*.md")}
    assert pages == codes


def test_index_is_current() -> None:
    assert (DOCS / "README.md").read_text(encoding="utf-8") == index_page(ALL_RULES)


def test_codes_and_names_are_well_formed() -> None:
    names = [r.name for r in ALL_RULES]
    assert len(set(names)) == len(names)
    for rule in ALL_RULES:
        assert re.fullmatch(r"RL\d{3}", rule.code)
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name)
        assert rule.summary and not rule.summary.endswith(".")
