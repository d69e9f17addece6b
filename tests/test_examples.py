"""The examples show every rule, and their fixed versions are clean."""

from __future__ import annotations

from pathlib import Path

from harness import run_fixture
from redislint.rules import ALL_RULES, ENGINE_CODES

EXAMPLES = Path(__file__).parent.parent / "examples"


def test_examples_show_every_rule() -> None:
    findings = run_fixture(EXAMPLES, {"select": ["ALL"]})
    shown = {f.code for f in findings}
    assert "RL000" not in shown, [f for f in findings if f.code == "RL000"]
    missing = sorted(
        r.code for r in ALL_RULES if r.code not in shown and r.code not in ENGINE_CODES
    )
    assert not missing, f"no example shows {missing}"


def test_fixed_configurations_are_clean() -> None:
    for name in ("good.redis.conf", "durable-good.redis.conf"):
        assert run_fixture(EXAMPLES / "conf" / name, {"select": ["ALL"]}) == []
