"""The run as a process: Ctrl-C, a killed parent, a corrupt cache, flake8's own process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_flake8 import flake8

from redislint.config import Config, enabled_codes
from redislint.engine.runner import Runner

ROOT = Path(__file__).resolve().parent.parent
SLOW = "import redis\nr = redis.Redis()\n" + "r.get('k')\n" * 15_000  # seconds of work
GOOD = "import redis\nr = redis.Redis()\nr.keys('*')\n"


def _env() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(ROOT / "src"))


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        children = (task / "children").read_text().split()
        found.update(int(c) for c in children)
    return found


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start_slow_run(tmp_path: Path) -> tuple[subprocess.Popen[str], set[int]]:
    (tmp_path / "slow.py").write_text(SLOW)
    process = subprocess.Popen(
        [sys.executable, "-m", "redislint", "--no-cache", "-j", "1", "slow.py"],
        cwd=tmp_path,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # as in a terminal: a shell without job control starts background jobs (a test run
        # under `cmd &`) with SIGINT ignored, and Python would then never see the Ctrl-C
        preexec_fn=_default_sigint,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        workers = _children(process.pid)
        if workers:
            time.sleep(0.3)  # the worker is busy with the file now
            return process, workers
        time.sleep(0.05)
    process.kill()
    pytest.fail("no worker process started")


def _gone(pids: set[int], within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not any(Path(f"/proc/{pid}").exists() for pid in pids):
            return True
        time.sleep(0.05)
    return False


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
def test_ctrl_c_stops_at_once_with_exit_130(tmp_path: Path) -> None:
    process, workers = _start_slow_run(tmp_path)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 130
    assert err.strip() == "redislint: interrupted"
    assert out == ""
    assert _gone(workers, within=5), "a worker outlived the interrupted run"


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
def test_workers_die_with_a_killed_parent(tmp_path: Path) -> None:
    process, workers = _start_slow_run(tmp_path)
    process.send_signal(signal.SIGKILL)  # as CI's time-out would
    process.communicate(timeout=30)
    assert _gone(workers, within=5), "a worker kept working after its parent was killed"


def test_a_corrupt_or_unreadable_cache_never_crashes_a_run(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(GOOD)
    cache = tmp_path / "cache"
    config = Config(root=tmp_path)

    def run() -> list[tuple[str, int, str]]:
        runner = Runner(config, enabled_codes(config), cwd=tmp_path, cache_dir=cache, jobs=1)
        return [(f.path, f.start.line, f.code) for f in runner.run([tmp_path]).findings]

    expected = run()
    entries = list(cache.rglob("*.json"))
    assert entries
    for entry in entries:
        entry.write_text("[" * 100_000 + "]" * 100_000)  # valid JSON, absurdly nested
    assert run() == expected
    for entry in entries:
        entry.write_bytes(b"\xff\x00 not json")
    assert run() == expected
    (cache / "v1" / ".last-prune").unlink(missing_ok=True)
    for bucket in [p for p in cache.rglob("*") if p.is_dir()]:
        bucket.chmod(0)  # (root still lists it; the prune must not crash either way)
    try:
        assert run() == expected
    finally:
        for bucket in [p for p in cache.rglob("*") if p.is_dir()]:
            bucket.chmod(0o700)


def test_flake8_survives_code_that_crashes_libcst(tmp_path: Path) -> None:
    """A 20,000-term `and` chain is valid Python on which libcst's native parser overflows
    its stack; in flake8's process that would kill flake8. The plugin leaves it alone."""
    (tmp_path / "chain.py").write_text(
        "import redis\nr = redis.Redis()\nx = " + " and ".join(["a"] * 20_000) + "\n"
    )
    (tmp_path / "good.py").write_text(GOOD)
    done = flake8("--select", "RL", "chain.py", "good.py", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert done.stdout.splitlines() == [
        "good.py:3:1: RL301 keys() with '*' lists every key in one blocking call, stalling all "
        "other clients on a large database; iterate with scan_iter(match=...) instead"
    ]
