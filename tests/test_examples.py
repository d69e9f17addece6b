"""``examples/`` shows every rule: default-on rules in a plain run, the rest with --select ALL;
and the fixed redis.conf examples are clean.

RL704 (non-cluster-client) needs ``cluster = true`` in the configuration, which applies to a
whole run: tests/test_cluster_rules.py shows it with ``--config examples/cluster.toml``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from harness import run_fixture
from redislint.cli import main
from redislint.rules import ALL_RULES, ENGINE_CODES

EXAMPLES = Path(__file__).parent.parent / "examples"
NEEDS_CLUSTER_CONFIG = {"RL704"}


def codes_found(monkeypatch: pytest.MonkeyPatch, *args: str) -> set[str]:
    monkeypatch.chdir(EXAMPLES.parent)
    result = CliRunner().invoke(main, ["--no-cache", "--format", "concise", *args, "examples"])
    assert result.exit_code == 1, result.output
    return {line.split()[1] for line in result.stdout.splitlines() if line.startswith("examples/")}


def test_plain_run_shows_every_default_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = (
        {r.code for r in ALL_RULES if r.default_enabled} - ENGINE_CODES - NEEDS_CLUSTER_CONFIG
    )
    assert codes_found(monkeypatch) == expected


def test_select_all_shows_every_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = {r.code for r in ALL_RULES} - ENGINE_CODES - NEEDS_CLUSTER_CONFIG
    assert codes_found(monkeypatch, "--select", "ALL") == expected


def test_fixed_configurations_are_clean() -> None:
    for name in ("good.redis.conf", "durable-good.redis.conf"):
        assert run_fixture(EXAMPLES / "conf" / name, {"select": ["ALL"]}) == []
