"""Baselines: today's findings recorded, only new ones reported, matches survive edits."""

from __future__ import annotations

import json
import os
from pathlib import Path

from click.testing import CliRunner

from redislint.cli import main

APP = """import redis

r = redis.Redis()


def purge():
    for k in r.keys("tmp:*"):
        r.delete(k)


def cache(uid, payload):
    r.set(f"cache:{uid}", payload)
"""


def invoke(cwd: Path, *args: str) -> tuple[int, str, str]:
    old = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(
            main, ["--no-cache", "--format", "concise", "--select", "RL000,RL101,RL301", *args]
        )
    finally:
        os.chdir(old)
    return result.exit_code, result.stdout, result.stderr


def project(tmp_path: Path) -> Path:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "app.py").write_text(APP)
    return tmp_path


def test_write_then_nothing_new(tmp_path: Path) -> None:
    project(tmp_path)
    code, out, err = invoke(tmp_path, "--write-baseline", "baseline.json", ".")
    assert (code, out) == (0, "")
    assert "Wrote 2 findings to the baseline baseline.json" in err
    data = json.loads((tmp_path / "baseline.json").read_text())
    assert data["redislint-baseline"] == 1
    assert [(e["code"], e["path"], e["line"]) for e in data["findings"]] == [
        ("RL301", "pkg/app.py", 7),
        ("RL101", "pkg/app.py", 12),
    ]
    code, out, _ = invoke(tmp_path, "--baseline", "baseline.json", ".")
    assert code == 0
    assert out.strip() == "All checks passed (1 file checked, 2 in the baseline)"


EDITED = '''"""Docs."""
import redis

r = redis.Redis()


def cache(uid, payload):
    # moved above purge, spaced differently
    r.set(f"cache:{uid}",   payload)


def helper():
    return 1


def purge():
    for k in r.keys("tmp:*"):  # a new comment
        r.delete(k)
'''


def test_matches_survive_unrelated_edits(tmp_path: Path) -> None:
    project(tmp_path)
    invoke(tmp_path, "--write-baseline", "baseline.json", ".")
    (tmp_path / "pkg" / "app.py").write_text(EDITED)
    code, out, _ = invoke(tmp_path, "--baseline", "baseline.json", ".")
    assert code == 0, out
    assert "2 in the baseline" in out


def test_new_findings_are_reported(tmp_path: Path) -> None:
    project(tmp_path)
    invoke(tmp_path, "--write-baseline", "baseline.json", ".")
    text = APP + '\n\ndef more():\n    return r.keys("*")\n'
    (tmp_path / "pkg" / "app.py").write_text(text)
    code, out, _ = invoke(tmp_path, "--baseline", "baseline.json", ".")
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith("pkg/app.py:16:12: RL301")
    assert lines[1] == "Found 1 problem in 1 file (1 file checked, 2 in the baseline)"


def test_the_same_code_in_another_function_is_new(tmp_path: Path) -> None:
    project(tmp_path)
    invoke(tmp_path, "--write-baseline", "baseline.json", ".")
    text = APP + '\n\ndef purge_again():\n    for k in r.keys("tmp:*"):\n        r.delete(k)\n'
    (tmp_path / "pkg" / "app.py").write_text(text)
    code, out, _ = invoke(tmp_path, "--baseline", "baseline.json", ".")
    assert code == 1
    assert out.startswith("pkg/app.py:16:14: RL301")


def test_a_repeated_finding_needs_an_entry_each(tmp_path: Path) -> None:
    project(tmp_path)
    invoke(tmp_path, "--write-baseline", "baseline.json", ".")
    text = APP.replace(
        "        r.delete(k)\n", '        r.delete(k)\n    r.keys("tmp:*")\n    r.keys("tmp:*")\n'
    )
    (tmp_path / "pkg" / "app.py").write_text(text)
    code, out, _ = invoke(tmp_path, "--baseline", "baseline.json", ".")
    assert code == 1
    assert len([line for line in out.splitlines() if ": RL301 " in line]) == 2


def test_the_baseline_works_from_another_directory(tmp_path: Path) -> None:
    project(tmp_path)
    invoke(tmp_path, "--write-baseline", "baseline.json", ".")
    code, out, _ = invoke(tmp_path / "pkg", "--baseline", "../baseline.json", ".")
    assert code == 0, out
    code, out, _ = invoke(tmp_path / "pkg", "--baseline", "../baseline.json", "app.py")
    assert code == 0, out


def test_other_files_do_not_match(tmp_path: Path) -> None:
    project(tmp_path)
    invoke(tmp_path, "--write-baseline", "baseline.json", ".")
    (tmp_path / "pkg" / "copy.py").write_text(APP)
    code, out, _ = invoke(tmp_path, "--baseline", "baseline.json", ".")
    assert code == 1
    assert {line.split(":")[0] for line in out.splitlines()[:-2]} == {"pkg/copy.py"}


def test_parse_errors_are_never_baselined(tmp_path: Path) -> None:
    project(tmp_path)
    (tmp_path / "broken.py").write_text("import redis\ndef f(:\n")
    invoke(tmp_path, "--write-baseline", "baseline.json", ".")
    data = json.loads((tmp_path / "baseline.json").read_text())
    assert "RL000" not in {e["code"] for e in data["findings"]}
    code, out, _ = invoke(tmp_path, "--baseline", "baseline.json", ".")
    assert code == 2
    assert "broken.py:2:7: RL000" in out


def test_bad_baselines_are_errors(tmp_path: Path) -> None:
    project(tmp_path)
    code, _, err = invoke(tmp_path, "--baseline", "missing.json", ".")
    assert code == 2
    assert "baseline missing.json not found (create it with --write-baseline)" in err
    (tmp_path / "other.json").write_text('{"version": 2}')
    code, _, err = invoke(tmp_path, "--baseline", "other.json", ".")
    assert code == 2
    assert "is not a redislint baseline" in err
    (tmp_path / "broken.json").write_text("{")
    code, _, err = invoke(tmp_path, "--baseline", "broken.json", ".")
    assert code == 2
    assert "cannot read the baseline" in err
