"""The command line as a ruff user types it: subcommands, ruff's option names."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness import redislint

FIXABLE = (
    "import redis\n\nr = redis.Redis()\n\n\ndef f(k, v):\n    r.set(k, v)\n    r.expire(k, 60)\n"
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "a.py").write_text(FIXABLE)
    return tmp_path


def test_output_format_and_output_file_are_the_format_and_output_options(project: Path) -> None:
    ruff_style = redislint(project, "check", "--no-cache", "--output-format", "json", "a.py")
    ours = redislint(project, "--no-cache", "--format", "json", "a.py")
    assert ruff_style.stdout == ours.stdout and json.loads(ours.stdout)[0]["code"] == "RL102"
    proc = redislint(project, "--no-cache", "--output-file", "report.txt", "a.py")
    assert proc.returncode == 1 and proc.stdout == ""
    assert "a.py:7:5: RL102" in (project / "report.txt").read_text()


def test_exit_non_zero_on_fix(project: Path) -> None:
    assert redislint(project, "--no-cache", "--fix", "a.py").returncode == 0
    (project / "a.py").write_text(FIXABLE)
    proc = redislint(project, "--no-cache", "--fix", "--exit-non-zero-on-fix", "a.py")
    assert proc.returncode == 1  # fixed: nothing left, but the files changed
    assert "ex=60" in (project / "a.py").read_text()
    proc = redislint(project, "--no-cache", "--fix", "--exit-non-zero-on-fix", "a.py")
    assert proc.returncode == 0  # nothing to fix any more


def test_statistics_as_json_and_quiet(project: Path) -> None:
    proc = redislint(project, "--no-cache", "--statistics", "--output-format", "json", "a.py")
    assert json.loads(proc.stdout) == [
        {"code": "RL102", "name": "set-then-expire", "count": 1, "fixable": True}
    ]
    quiet = redislint(project, "--no-cache", "-q", "--statistics", "a.py")
    assert quiet.stdout == "    1  RL102  set-then-expire\n"


def test_silent_prints_nothing(project: Path) -> None:
    proc = redislint(project, "--no-cache", "-s", "a.py")
    assert (proc.returncode, proc.stdout, proc.stderr) == (1, "", "")


def test_rule_is_explain(project: Path) -> None:
    assert (
        redislint(project, "rule", "RL102").stdout
        == redislint(project, "--explain", "RL102").stdout
    )
    listing = redislint(project, "rule", "--all").stdout
    assert "RL405" in listing and "key-type-conflict" in listing


def test_help_lists_the_commands(project: Path) -> None:
    out = redislint(project, "--help").stdout
    for command in ("check", "keys", "rule", "server"):
        assert f"  {command} " in out
