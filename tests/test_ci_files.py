"""The GitHub workflow and the composite action: well-formed, and the action's command works."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml
from tooling import ROOT


def load(name: str) -> Any:
    return yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))


def test_action_inputs() -> None:
    action = load("action.yml")
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) == {"paths", "format", "args", "version"}
    assert action["inputs"]["format"]["default"] == "github"
    for step in action["runs"]["steps"]:
        # Inputs reach the scripts through the environment only (no script injection).
        assert "${{" not in step["run"], step["name"]


def run_step(name: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    (step,) = [s for s in load("action.yml")["runs"]["steps"] if s["name"] == name]
    shim = tmp_path / "bin"
    shim.mkdir()
    (shim / "redislint").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m redislint "$@"\n')
    (shim / "redislint").chmod(0o755)
    path = os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))
    return subprocess.run(
        ["bash", "-e", "-c", step["run"]],
        cwd=ROOT,
        env=dict(
            os.environ, **env, PATH=f"{shim}{os.pathsep}{os.environ['PATH']}", PYTHONPATH=path
        ),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_action_runs_redislint_with_its_inputs(tmp_path: Path) -> None:
    done = run_step(
        "Run redislint",
        {
            "REDISLINT_PATHS": "examples/job_lock.py  examples/cleanup.py",
            "REDISLINT_FORMAT": "github",
            "REDISLINT_ARGS": "--select RL3 --exit-zero",
        },
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line.split(",", 1)[0] for line in lines[:-1]] == [
        "::error file=examples/cleanup.py",
        "::error file=examples/cleanup.py",
    ]
    assert lines[-1] == "Found 2 problems in 1 file (2 files checked)"


def test_the_action_fails_the_step_on_findings(tmp_path: Path) -> None:
    done = run_step(
        "Run redislint",
        {
            "REDISLINT_PATHS": "examples/job_lock.py",
            "REDISLINT_FORMAT": "concise",
            "REDISLINT_ARGS": "",
        },
        tmp_path,
    )
    assert done.returncode == 1
    assert "examples/job_lock.py:11:12: RL202" in done.stdout


def test_workflow_jobs() -> None:
    workflow = load(".github/workflows/ci.yml")
    jobs = workflow["jobs"]
    assert jobs["test"]["strategy"]["matrix"]["python"] == ["3.10", "3.11", "3.12", "3.13"]
    assert any("./scripts/test" in s.get("run", "") for s in jobs["test"]["steps"])
    lint = " ".join(s.get("run", "") for s in jobs["lint"]["steps"])
    assert "ruff check" in lint and "ruff format --check" in lint and "mypy" in lint
    scanning = jobs["code-scanning"]
    assert scanning["permissions"]["security-events"] == "write"
    runs = " ".join(s.get("run", "") for s in scanning["steps"])
    assert "--format sarif --output redislint.sarif --exit-zero" in runs
    (upload,) = [s for s in scanning["steps"] if "upload-sarif" in s.get("uses", "")]
    assert upload["with"]["sarif_file"] == "redislint.sarif"


def test_the_pre_commit_snippets_pin_the_released_version() -> None:
    """Every `rev:` a document tells users to pin is this version's tag (``v0.1.0``)."""
    import re

    from redislint import __version__

    for doc in (ROOT / "README.md", ROOT / "docs" / "pre-commit.md"):
        revs = re.findall(r"^\s*rev:\s*(\S+)", doc.read_text(encoding="utf-8"), re.MULTILINE)
        assert revs, doc
        assert set(revs) == {f"v{__version__}"}, (doc, revs)
