"""The command line, through click's runner and as a real installed command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from redislint import __version__
from redislint.cli import main
from redislint.rules import ALL_RULES

BAD = """import redis

r = redis.Redis()


def cache(uid, payload):
    r.set(f"user:{uid}", payload)
    return r.keys("*")
"""
GOOD = """import redis

r = redis.Redis()


def cache(uid, payload):
    r.set(f"user:{uid}", payload, ex=60)
    return list(r.scan_iter("*"))
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "bad.py").write_text(BAD)
    (tmp_path / "good.py").write_text(GOOD)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)
    return tmp_path


def invoke(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), input=input)
    return result.exit_code, result.stdout, result.stderr


def test_concise_output_and_exit_code(project: Path) -> None:
    code, out, _ = invoke("--format", "concise", ".")
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith("bad.py:7:5: RL101 set() writes 'user:{uid}' without a TTL")
    assert lines[1].startswith("bad.py:8:12: RL301 keys() with '*'")
    assert lines[-2] == "Found 2 problems in 1 file (2 files checked)"
    assert lines[-1] == "[*] 1 fixable with --fix --unsafe-fixes"


def test_full_output_marks_the_range(project: Path) -> None:
    code, out, _ = invoke("--format", "full", "bad.py")
    assert code == 1
    assert "bad.py:8:12: RL301 keys-command:" in out
    assert '8 |     return r.keys("*")\n  |            ^^^^^^^^^^^\n' in out


def test_clean_run(project: Path) -> None:
    code, out, _ = invoke("good.py")
    assert code == 0
    assert out.strip() == "All checks passed (1 file checked)"


def test_quiet_prints_findings_only(project: Path) -> None:
    code, out, _ = invoke("-q", "--format", "concise", "bad.py")
    assert code == 1
    assert len(out.splitlines()) == 2


def test_exit_zero(project: Path) -> None:
    code, _, _ = invoke("--exit-zero", "bad.py")
    assert code == 0


def test_select_ignore_and_names(project: Path) -> None:
    _, out, _ = invoke("--format", "concise", "--select", "RL3", "bad.py")
    assert "RL301" in out and "RL101" not in out
    _, out, _ = invoke("--format", "concise", "--ignore", "keys-command", "bad.py")
    assert "RL101" in out and "RL301" not in out
    _, out, _ = invoke("--format", "concise", "--select", "set-without-ttl,RL301", "bad.py")
    assert "RL101" in out and "RL301" in out


def test_unknown_selector_is_a_usage_error(project: Path) -> None:
    code, _, err = invoke("--select", "RL999", "bad.py")
    assert code == 2
    assert "unknown rule selector 'RL999'" in err


def test_statistics(project: Path) -> None:
    code, out, _ = invoke("--statistics", "bad.py")
    assert code == 1
    assert "    1  RL101  set-without-ttl" in out
    assert "    1  RL301  keys-command" in out


def test_output_file_is_written(project: Path) -> None:
    code, out, _ = invoke("--format", "concise", "--output", "report.txt", "bad.py")
    assert code == 1
    assert out == ""
    assert "RL301" in (project / "report.txt").read_text()


def test_output_to_unwritable_place(project: Path) -> None:
    code, _, err = invoke("--output", "missing-dir/report.txt", "bad.py")
    assert code == 2
    assert "cannot write --output missing-dir/report.txt" in err


def test_stdin(project: Path) -> None:
    code, out, _ = invoke("--format", "concise", "--stdin-filename", "app/cache.py", "-", input=BAD)
    assert code == 1
    assert out.splitlines()[0].startswith("app/cache.py:7:5: RL101")


def test_parse_error_exits_2(project: Path) -> None:
    (project / "broken.py").write_text("import redis\ndef f(:\n    pass\n")
    code, out, _ = invoke("--format", "concise", ".")
    assert code == 2
    assert "broken.py:2:7: RL000 syntax error: invalid syntax" in out
    assert "bad.py:8:12: RL301" in out  # the run went on


def test_no_color_and_color(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setattr("sys.stdout.isatty", lambda: True, raising=False)
    _, out, _ = invoke("--format", "concise", "--no-color", "bad.py")
    assert "\x1b[" not in out


def test_version() -> None:
    code, out, _ = invoke("--version")
    assert code == 0
    assert out.strip() == f"redislint, version {__version__}"


def test_list_rules_lists_every_rule() -> None:
    code, out, _ = invoke("--list-rules")
    assert code == 0
    for rule in ALL_RULES:
        assert rule.code in out and rule.name in out


def test_explain_by_code_and_name() -> None:
    code, out, _ = invoke("--explain", "RL101")
    assert code == 0
    assert out.startswith("# RL101 set-without-ttl")
    assert invoke("--explain", "set-without-ttl")[1] == out
    code, _, err = invoke("--explain", "RL999")
    assert code == 2 and "unknown rule" in err


SCRIPT = Path(sys.executable).parent / "redislint"


@pytest.mark.skipif(
    not SCRIPT.exists(), reason=f"the redislint command is not installed at {SCRIPT}"
)
def test_installed_command_runs(project: Path) -> None:
    env = {**os.environ, "NO_COLOR": "1"}
    proc = subprocess.run(
        [str(SCRIPT), "--format", "concise", "bad.py"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.splitlines()[0].startswith("bad.py:7:5: RL101")


def test_python_dash_m(project: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "redislint", "--format", "concise", "good.py"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "All checks passed" in proc.stdout


def test_no_libcst_for_trees_without_redis(tmp_path: Path) -> None:
    """--version and a run over files that never mention Redis do not import libcst or rich."""
    (tmp_path / "plain.py").write_text("import os\nprint(os.getcwd())\n")
    code = (
        "import sys\n"
        "from redislint.cli import main\n"
        "sys.argv = ['redislint', '--no-cache', '--select', 'ALL', '.']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('libcst' in sys.modules and type(sys.modules['libcst']).__name__ == 'module' "
        "and hasattr(sys.modules['libcst'], 'Module'), 'rich' in sys.modules)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert proc.stdout.strip().splitlines()[-1] == "False False"
