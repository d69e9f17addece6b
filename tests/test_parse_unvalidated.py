"""Parsing without libcst's per-node validation builds the same tree, and only skips it
during the parse."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from redislint.engine.lint import parse_unvalidated

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted(
    [
        *(ROOT / "tests" / "fixtures").rglob("*.py"),
        *(ROOT / "examples").rglob("*.py"),
        *(ROOT / "src" / "redislint").rglob("*.py"),
    ]
)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_tree_is_the_one_libcst_validates(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    try:
        expected = cst.parse_module(text)
    except cst.ParserSyntaxError:
        with pytest.raises(cst.ParserSyntaxError):
            parse_unvalidated(text)
        return
    tree = parse_unvalidated(text)
    assert tree.deep_equals(expected)
    assert tree.code == text


def test_nodes_built_after_the_parse_are_validated() -> None:
    parse_unvalidated("x = 1\n")
    with pytest.raises(cst.CSTValidationError):
        cst.SimpleWhitespace("not whitespace")


def test_validation_comes_back_when_the_parse_fails() -> None:
    with pytest.raises(cst.ParserSyntaxError):
        parse_unvalidated("def (:\n")
    with pytest.raises(cst.CSTValidationError):
        cst.SimpleWhitespace("x")
