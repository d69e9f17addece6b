"""Every rule is shown by at least one example in examples/."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness import run_fixture
from redislint.rules import ALL_RULES, ENGINE_CODES

EXAMPLES = Path(__file__).parent.parent / "examples"


@pytest.fixture(scope="module")
def example_codes() -> set[str]:
    return {f.code for f in run_fixture(EXAMPLES, {"select": ["ALL"]})}


@pytest.mark.parametrize(
    "rule", [r for r in ALL_RULES if r.code not in ENGINE_CODES], ids=lambda r: r.code
)
def test_rule_has_an_example(rule: type, example_codes: set[str]) -> None:
    assert rule.code in example_codes, f"no example in examples/ shows {rule.code}"
