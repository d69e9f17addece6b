"""Configuration and option faults: one clear line naming file, key and allowed values; exit 2.

Also: ``--output`` to places that cannot be written, and proof that the report file is
replaced atomically (a killed run leaves the old report or none, never half of one).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from redislint.cli import main

ROOT = Path(__file__).resolve().parent.parent
SOURCE = "import redis\nr = redis.Redis()\nr.keys('*')\n"


def invoke(cwd: Path, *args: str) -> tuple[int, str, str]:
    old = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, ["--no-cache", *args])
    finally:
        os.chdir(old)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.exit_code, result.stdout, result.stderr


# (file name, content, words the single error line must contain)
CONFIG_FAULTS: list[tuple[str, str, tuple[str, ...]]] = [
    ("redislint.toml", "select = [\n", ("redislint.toml", "invalid TOML")),
    (
        "pyproject.toml",
        "[tool.redislint]\nselect = [\n",
        ("pyproject.toml", "invalid TOML"),
    ),
    ("redislint.toml", 'select = "RL101"\n', ("'select' must be a list of strings",)),
    ("redislint.toml", "select = [1]\n", ("'select' must be a list of strings",)),
    ("redislint.toml", 'cluster = "yes"\n', ("'cluster' must be true or false",)),
    ("redislint.toml", "file-timeout = 0\n", ("'file-timeout' must be a positive number",)),
    ("redislint.toml", "file-timeout = -1\n", ("'file-timeout' must be a positive number",)),
    ("redislint.toml", 'file-timeout = "10"\n', ("'file-timeout' must be a positive number",)),
    ("redislint.toml", "file-timeout = true\n", ("'file-timeout' must be a positive number",)),
    ("redislint.toml", "file-timeout = inf\n", ("'file-timeout' must be a positive number",)),
    ("redislint.toml", "file-timeout = nan\n", ("'file-timeout' must be a positive number",)),
    (
        "redislint.toml",
        'target-redis-version = "seven"\n',
        ("'target-redis-version' must be a version string",),
    ),
    ("redislint.toml", 'per-file-ignores = ["x"]\n', ("'per-file-ignores' must be a table",)),
    (
        "redislint.toml",
        'per-file-ignores = { "*.py" = "RL101" }\n',
        ("'per-file-ignores' must be a table mapping glob patterns to lists", "got 'RL101'"),
    ),
    ("redislint.toml", "client-name-patterns = [1]\n", ("'client-name-patterns' must be",)),
    (
        "redislint.toml",
        'ignroe = ["RL301"]\n',
        ("unknown key 'ignroe'", "allowed keys:", "ignore"),
    ),
    (
        "redislint.toml",
        'select = ["RL999"]\n',
        ("'select' has unknown rule selector 'RL999'", "use ALL, a code"),
    ),
    ("redislint.toml", 'ignore = ["XYZ"]\n', ("'ignore' has unknown rule selector 'XYZ'",)),
    (
        "redislint.toml",
        'extend-select = ["no-such-rule"]\n',
        ("'extend-select' has unknown rule selector",),
    ),
    (
        "redislint.toml",
        'per-file-ignores = { "*.py" = ["RL99"] }\n',
        ("'per-file-ignores' has unknown rule selector 'RL99'",),
    ),
    (
        "redislint.toml",
        'select = ["RL101"]\nignore = ["set-without-ttl"]\n',
        ("'RL101' in 'select'", "'set-without-ttl' in 'ignore'", "name the same rules"),
    ),
    (
        "redislint.toml",
        'select = ["RL1"]\nextend-select = ["ALL"]\nignore = ["all"]\n',
        ("'ALL' in 'extend-select'", "'all' in 'ignore'"),
    ),
    ("pyproject.toml", "[tool]\nredislint = 1\n", ("[tool.redislint] must be a table",)),
]


@pytest.mark.parametrize(("name", "content", "words"), CONFIG_FAULTS)
def test_configuration_faults(
    name: str, content: str, words: tuple[str, ...], tmp_path: Path
) -> None:
    (tmp_path / name).write_text(content)
    (tmp_path / "app.py").write_text(SOURCE)
    code, out, err = invoke(tmp_path, "app.py")
    assert code == 2
    assert out == ""
    assert "Traceback" not in err
    (line,) = err.splitlines()
    assert line.startswith("redislint: error: ")
    for word in words:
        assert word in line


def test_a_configuration_file_that_is_not_utf8(tmp_path: Path) -> None:
    (tmp_path / "redislint.toml").write_bytes(b'select = ["RL1\xff"]\n')
    (tmp_path / "app.py").write_text(SOURCE)
    code, _, err = invoke(tmp_path, "app.py")
    assert code == 2 and "redislint.toml: cannot read configuration file" in err


def test_a_pyproject_of_ours_that_is_not_utf8_is_an_error_too(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_bytes(b'[tool.redislint]\nselect = ["RL1"]\n# \xff\n')
    (tmp_path / "app.py").write_text(SOURCE)
    code, out, err = invoke(tmp_path, "app.py")
    assert code == 2 and out == ""
    (line,) = err.splitlines()
    assert line.startswith("redislint: error: ") and "pyproject.toml: cannot read" in line


def test_another_tools_undecodable_pyproject_is_not_ours(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_bytes(b"[tool.black]\n# \xff\n")
    (tmp_path / "app.py").write_text(SOURCE)
    code, _out, err = invoke(tmp_path, "app.py")
    assert code in (0, 1) and "error" not in err


def test_selections_that_refine_are_not_contradictions(tmp_path: Path) -> None:
    (tmp_path / "redislint.toml").write_text('select = ["RL3"]\nignore = ["RL301"]\n')
    (tmp_path / "app.py").write_text(SOURCE)
    assert invoke(tmp_path, "app.py")[0] == 0
    (tmp_path / "redislint.toml").write_text('select = ["RL301"]\n')
    # The command line is another level: it may override what the file selects.
    assert invoke(tmp_path, "--ignore", "RL301", "app.py")[0] == 0


# (arguments, words of the error line)
OPTION_FAULTS: list[tuple[tuple[str, ...], tuple[str, ...]]] = [
    (("--select", "RL999", "app.py"), ("command line", "'--select' has unknown rule selector")),
    (("--ignore", "nope", "app.py"), ("'--ignore' has unknown rule selector 'nope'",)),
    (
        ("--select", "RL301", "--ignore", "keys-command", "app.py"),
        ("'RL301' in '--select'", "'keys-command' in '--ignore'"),
    ),
    (("--cache-dir", "c", "app.py"), ("--no-cache and --cache-dir contradict each other",)),
    (("--stdin-filename", "x.py", "app.py"), ("--stdin-filename", "with '-' only")),
    (("-", "app.py"), ("'-' (standard input) cannot be combined with other paths",)),
    (("--statistics", "--format", "sarif", "app.py"), ("--statistics", "--format sarif")),
]


@pytest.mark.parametrize(("args", "words"), OPTION_FAULTS)
def test_option_faults(args: tuple[str, ...], words: tuple[str, ...], tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(SOURCE)
    code, out, err = invoke(tmp_path, *args)  # invoke adds --no-cache
    assert (code, out) == (2, "")
    (line,) = err.splitlines()
    assert line.startswith("redislint: error: ")
    for word in words:
        assert word in line


@pytest.mark.parametrize(
    "args",
    [("--jobs", "0"), ("--format", "xml"), ("--config", "."), ("--frobnicate",)],
)
def test_click_usage_errors(args: tuple[str, ...], tmp_path: Path) -> None:
    code, _, err = invoke(tmp_path, *args)
    assert code == 2
    assert "Traceback" not in err and "Error:" in err


# -- --output ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("missing/dir/report.json", "no such file or directory"),
        ("/proc/version", "cannot write --output /proc/version"),
    ],
)
def test_output_to_an_unwritable_place(target: str, reason: str, tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(SOURCE)
    code, out, err = invoke(tmp_path, "--format", "json", "-o", target, "app.py")
    assert (code, out) == (2, "")
    (line,) = err.splitlines()
    assert line.startswith(f"redislint: error: cannot write --output {target}") and reason in line
    assert [p.name for p in tmp_path.iterdir()] == ["app.py"]  # no temporary file left


def test_output_to_a_directory(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    code, _, err = invoke(tmp_path, "-o", "out", ".")
    assert code == 2 and "is a directory" in err


def test_output_file_mode_follows_the_umask_and_keeps_an_existing_mode(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(SOURCE)
    old = os.umask(0o022)
    try:
        invoke(tmp_path, "--format", "sarif", "-o", "new.sarif", "app.py")
        assert (tmp_path / "new.sarif").stat().st_mode & 0o777 == 0o644
        (tmp_path / "kept.sarif").write_text("{}")
        (tmp_path / "kept.sarif").chmod(0o640)
        invoke(tmp_path, "--format", "sarif", "-o", "kept.sarif", "app.py")
        assert (tmp_path / "kept.sarif").stat().st_mode & 0o777 == 0o640
    finally:
        os.umask(old)


def test_output_through_a_symlink_keeps_the_link(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(SOURCE)
    (tmp_path / "reports").mkdir()
    (tmp_path / "latest.json").symlink_to("reports/run.json")
    invoke(tmp_path, "--format", "json", "-o", "latest.json", "app.py")
    assert (tmp_path / "latest.json").is_symlink()
    assert json.loads((tmp_path / "reports" / "run.json").read_text())[0]["code"] == "RL301"


# -- atomic output ---------------------------------------------------------------------------

KILL_MID_WRITE = textwrap.dedent(
    """
    import os, signal, sys
    real_fdopen = os.fdopen

    class HalfThenDie:
        def __init__(self, handle):
            self.handle = handle
        def __enter__(self):
            return self
        def __exit__(self, *exc):
            return False
        def write(self, text):
            self.handle.write(text[: len(text) // 2])
            self.handle.flush()
            os.kill(os.getpid(), signal.SIGKILL)  # killed in the middle of writing the report
        def __getattr__(self, name):
            return getattr(self.handle, name)

    os.fdopen = lambda *a, **k: HalfThenDie(real_fdopen(*a, **k))
    from redislint.cli import main
    main()
    """
)


SARIF_TO = ("--no-cache", "--format", "sarif", "-o")


def _env() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(ROOT / "src"))


def _many_findings(directory: Path, count: int) -> None:
    directory.mkdir()
    (directory / "app.py").write_text("import redis\nr = redis.Redis()\n" + "r.keys('*')\n" * count)


def test_a_run_killed_while_writing_leaves_the_old_report(tmp_path: Path) -> None:
    _many_findings(tmp_path / "src", 2000)
    report = tmp_path / "report.sarif"
    report.write_text('{"old": "report"}')
    done = subprocess.run(
        [sys.executable, "-c", KILL_MID_WRITE, *SARIF_TO, str(report), "src"],
        cwd=tmp_path,
        env=_env(),
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == -signal.SIGKILL
    assert report.read_text() == '{"old": "report"}'
    (partial,) = tmp_path.glob(".report.sarif.*.tmp")  # the half-written copy, not the report
    with pytest.raises(json.JSONDecodeError):
        json.loads(partial.read_text())


@pytest.mark.parametrize(
    "attempts", [3, pytest.param(24, marks=pytest.mark.slow)], ids=["3-kills", "24-kills"]
)
def test_killed_at_random_moments_the_report_is_old_or_complete(
    attempts: int, tmp_path: Path
) -> None:
    """SIGKILL real runs at moments spread over the end of a run: never a partial report."""
    _many_findings(tmp_path / "src", 1500)
    report = tmp_path / "report.sarif"
    args = [sys.executable, "-m", "redislint", "--no-cache", "--format", "sarif", "-o"]
    started = time.monotonic()
    subprocess.run([*args, str(report), "src"], cwd=tmp_path, env=_env(), check=False)
    duration = time.monotonic() - started
    complete = report.read_text()
    outcomes = {"old": 0, "new": 0}
    for attempt in range(attempts):
        report.write_text('{"old": "report"}')
        process = subprocess.Popen(
            [*args, str(report), "src"],
            cwd=tmp_path,
            env=_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(duration * (0.5 + 0.6 * attempt / attempts))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        text = report.read_text()
        if text == '{"old": "report"}':
            outcomes["old"] += 1
        else:
            assert text == complete, "a killed run left a partial report"
            outcomes["new"] += 1
    assert sum(outcomes.values()) == attempts


def test_output_to_a_fifo_is_written_directly(tmp_path: Path) -> None:
    """`-o /dev/stderr` or a FIFO (`-o >(jq .)`) has nothing to replace atomically."""
    (tmp_path / "app.py").write_text(SOURCE)
    os.mkfifo(tmp_path / "pipe")
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.append((tmp_path / "pipe").read_text()))
    reader.start()
    code, out, err = invoke(tmp_path, "--format", "json", "-o", "pipe", "app.py")
    reader.join(timeout=30)
    assert (code, out, err) == (1, "", "")
    assert json.loads(received[0])[0]["code"] == "RL301"
