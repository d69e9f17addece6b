"""Bad input through the real command line: a clear RL000 or a clean skip, never a crash.

Every case of ``bad_inputs.CASES`` is linted next to ``ok.py``, whose finding must still be
reported, with the exit code the documentation promises (2 when a file could not be
checked, else 1 for the companion's finding). Permissions, FIFOs and standard input need
more than a file, and have tests of their own below.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
from bad_inputs import CASES, KEYS, REDIS, Case
from click.testing import CliRunner

from redislint.cli import main

ROOT = Path(__file__).resolve().parent.parent
OK = ("ok.py", 3, 1, "RL301")
Found = tuple[str, int, int, str, str]
FORMAT = ("--format", "json-lines")


def run_cli(cwd: Path, *args: str, stdin: bytes | None = None) -> tuple[int, list[Found], str]:
    """``redislint --format json-lines ARGS`` in ``cwd``: exit code, findings, stderr."""
    old = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(
            main, ["--no-cache", "--format", "json-lines", *args], input=stdin
        )
    finally:
        os.chdir(old)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.stderr
    found = [_found(line) for line in result.stdout.splitlines()]
    return result.exit_code, found, result.stderr


def _found(line: str) -> Found:
    item = json.loads(line)
    return (
        item["path"],
        item["start"]["line"],
        item["start"]["column"],
        item["code"],
        item["message"],
    )


@pytest.mark.parametrize(
    "case",
    [pytest.param(c, id=c.id, marks=[pytest.mark.slow] if c.slow else []) for c in CASES],
)
def test_bad_input(case: Case, tmp_path: Path) -> None:
    (tmp_path / "ok.py").write_text(REDIS + KEYS + "\n")
    paths = case.build(tmp_path)
    code, found, stderr = run_cli(tmp_path, *case.extra_args, *paths, "ok.py")
    assert OK in [f[:4] for f in found], "the good file's finding was lost"
    rest = [f for f in found if f[0] != "ok.py"]
    assert [f[:4] for f in rest] == [(e.path, e.line, e.column, e.code) for e in case.expect]
    for finding, expected in zip(rest, case.expect, strict=True):
        assert expected.message in finding[4]
        assert "\n" not in finding[4]
    assert code == case.exit_code
    for skipped in case.skipped:
        assert f"skipped {skipped}" in stderr


def test_ignore_file_marker_with_lone_cr(tmp_path: Path) -> None:
    (tmp_path / "cr.py").write_bytes(
        (REDIS + "# redislint: ignore-file\n" + KEYS + "\n").replace("\n", "\r").encode()
    )
    assert run_cli(tmp_path, "cr.py")[:2] == (0, [])


def test_standard_input_gets_the_same_answers(tmp_path: Path) -> None:
    """Standard input goes through the same checks, and the same worker isolation."""
    cases = {c.id: c for c in CASES}
    stdin_cases = ("syntax-error", "nul-byte", "invalid-utf8", "nested-1000", "nested-too-deep")
    for name in (*stdin_cases, "native-crash"):
        case = cases[name]
        directory = tmp_path / name
        directory.mkdir()
        (file,) = case.build(directory)
        data = (directory / file).read_bytes()
        code, found, _ = run_cli(directory, "-", stdin=data)
        (expected,) = case.expect
        assert [f[1:4] for f in found] == [(expected.line, expected.column, expected.code)]
        assert found[0][0] == "-" and expected.message in found[0][4]
        assert code == 2
    code, found, _ = run_cli(tmp_path, "--stdin-filename", "app.py", "-", stdin=b"")
    assert (code, found) == (0, [])


# -- FIFOs: never opened ---------------------------------------------------------------


class FifoWatch:
    """A writer blocked in open() on a FIFO: it returns only if someone opens it to read."""

    def __init__(self, path: Path) -> None:
        os.mkfifo(path)
        self.path = path
        self.opened_by_reader = threading.Event()
        self.thread = threading.Thread(target=self._write, daemon=True)
        self.thread.start()

    def _write(self) -> None:
        with self.path.open("w") as handle:  # blocks until a reader opens the FIFO
            self.opened_by_reader.set()
            handle.write("import redis\n")

    def release(self) -> None:
        """Open the reading end ourselves so the writer thread ends."""
        was_opened = self.opened_by_reader.is_set()
        fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK)
        self.thread.join(timeout=10)
        os.close(fd)
        if was_opened:
            self.opened_by_reader.set()
        else:
            self.opened_by_reader.clear()


def test_fifos_are_never_opened(tmp_path: Path) -> None:
    (tmp_path / "ok.py").write_text(REDIS + KEYS + "\n")
    (tmp_path / "tree").mkdir()
    named = FifoWatch(tmp_path / "named.py")
    walked = FifoWatch(tmp_path / "tree" / "walked.py")
    started = time.monotonic()
    code, found, stderr = run_cli(tmp_path, "named.py", "tree", "ok.py")
    assert time.monotonic() - started < 60
    named.release()
    walked.release()
    assert not named.opened_by_reader.is_set(), "redislint opened a named FIFO"
    assert not walked.opened_by_reader.is_set(), "redislint opened a FIFO in a directory"
    assert [f[:4] for f in found] == [OK]
    assert code == 1
    assert "skipped named.py: not a regular file" in stderr


# -- permission denied -----------------------------------------------------------------


def unprivileged() -> list[str]:
    """A command prefix that runs without the power to read every file.

    Root reads files whatever their mode (CAP_DAC_OVERRIDE): dropping every capability
    with ``setpriv`` makes root obey file modes like anyone else. Non-root needs nothing.
    """
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv (util-linux): cannot deny a read to root")
    prefix = [setpriv, "--bounding-set=-all", "--inh-caps=-all", "--"]
    with tempfile.TemporaryDirectory() as directory:
        locked = Path(directory) / "locked"
        locked.write_text("secret")
        locked.chmod(0)
        probe = subprocess.run(
            [*prefix, sys.executable, "-c", f"open({str(locked)!r}).read()"],
            capture_output=True,
            check=False,
        )
    if probe.returncode == 0:
        pytest.skip("dropping capabilities with setpriv did not make root obey file modes")
    if b"PermissionError" not in probe.stderr:
        pytest.skip(f"setpriv cannot drop capabilities here: {probe.stderr.decode()[-200:]}")
    return prefix


def run_unprivileged(cwd: Path, *args: str) -> tuple[int, list[Found], str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    done = subprocess.run(
        [*unprivileged(), sys.executable, "-m", "redislint", "--no-cache", "-q", *FORMAT, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, [_found(line) for line in done.stdout.splitlines()], done.stderr


def test_unreadable_files_and_directories(tmp_path: Path) -> None:
    (tmp_path / "ok.py").write_text(REDIS + KEYS + "\n")
    (tmp_path / "secret.py").write_text(REDIS + KEYS + "\n")
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "inside.py").write_text(REDIS + KEYS + "\n")
    (tmp_path / "tree" / "closed").mkdir(parents=True)
    (tmp_path / "tree" / "closed" / "deep.py").write_text(REDIS + KEYS + "\n")
    (tmp_path / "tree" / "open.py").write_text(REDIS + KEYS + "\n")
    (tmp_path / "tree" / "secret.py").write_text(REDIS + KEYS + "\n")
    for path in ("secret.py", "tree/secret.py"):
        (tmp_path / path).chmod(0)
    for path in ("locked", "tree/closed"):
        (tmp_path / path).chmod(0)
    try:
        code, found, _ = run_unprivileged(tmp_path, "secret.py", "locked", "tree", "ok.py")
    finally:
        for path in ("secret.py", "locked", "tree/secret.py", "tree/closed"):
            (tmp_path / path).chmod(stat.S_IRWXU)
    assert [f[:4] for f in found] == [
        ("locked", 1, 1, "RL000"),
        OK,
        ("secret.py", 1, 1, "RL000"),
        ("tree/closed", 1, 1, "RL000"),
        ("tree/open.py", 3, 1, "RL301"),
        ("tree/secret.py", 1, 1, "RL000"),
    ]
    messages = {f[0]: f[4] for f in found}
    assert messages["secret.py"] == "permission denied; cannot read the file"
    assert messages["tree/secret.py"] == "permission denied; cannot read the file"
    assert messages["locked"].startswith("cannot list the directory: permission denied")
    assert messages["tree/closed"].startswith("cannot list the directory: permission denied")
    assert code == 2
