"""The command line as a ruff user types it: subcommands, ruff's option names."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

FIXABLE = (
    "import redis\n\nr = redis.Redis()\n\n\ndef f(k, v):\n    r.set(k, v)\n    r.expire(k, 60)\n"
)


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "redislint", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "a.py").write_text(FIXABLE)
    return tmp_path


def test_output_format_and_output_file_are_the_format_and_output_options(project: Path) -> None:
    ruff_style = _run(project, "check", "--no-cache", "--output-format", "json", "a.py")
    ours = _run(project, "--no-cache", "--format", "json", "a.py")
    assert ruff_style.stdout == ours.stdout and json.loads(ours.stdout)[0]["code"] == "RL102"
    proc = _run(project, "--no-cache", "--output-file", "report.txt", "a.py")
    assert proc.returncode == 1 and proc.stdout == ""
    assert "a.py:7:5: RL102" in (project / "report.txt").read_text()


def test_exit_non_zero_on_fix(project: Path) -> None:
    assert _run(project, "--no-cache", "--fix", "a.py").returncode == 0
    (project / "a.py").write_text(FIXABLE)
    proc = _run(project, "--no-cache", "--fix", "--exit-non-zero-on-fix", "a.py")
    assert proc.returncode == 1  # fixed: nothing left, but the files changed
    assert "ex=60" in (project / "a.py").read_text()
    proc = _run(project, "--no-cache", "--fix", "--exit-non-zero-on-fix", "a.py")
    assert proc.returncode == 0  # nothing to fix any more


def test_statistics_as_json_and_quiet(project: Path) -> None:
    proc = _run(project, "--no-cache", "--statistics", "--output-format", "json", "a.py")
    assert json.loads(proc.stdout) == [
        {"code": "RL102", "name": "set-then-expire", "count": 1, "fixable": True}
    ]
    quiet = _run(project, "--no-cache", "-q", "--statistics", "a.py")
    assert quiet.stdout == "    1  RL102  set-then-expire\n"


def test_silent_prints_nothing(project: Path) -> None:
    proc = _run(project, "--no-cache", "-s", "a.py")
    assert (proc.returncode, proc.stdout, proc.stderr) == (1, "", "")


def test_rule_is_explain(project: Path) -> None:
    assert _run(project, "rule", "RL102").stdout == _run(project, "--explain", "RL102").stdout
    listing = _run(project, "rule", "--all").stdout
    assert "RL405" in listing and "key-type-conflict" in listing


def test_help_lists_the_commands(project: Path) -> None:
    out = _run(project, "--help").stdout
    for command in ("check", "keys", "rule", "server"):
        assert f"  {command} " in out
