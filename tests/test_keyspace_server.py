"""``redislint keys --server``: a read-only, bounded sample of a real redis-server, joined
to the map of a fixture project whose own functions filled the server."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import time
from pathlib import Path
from types import ModuleType

import pytest
from redis_server import RedisServer, start_server

from harness import redislint

APP = """
import redis


def start_session(r: redis.Redis, sid: int) -> None:
    r.set(f"session:{sid}", "user", ex=600)


def save_profile(r: redis.Redis, uid: int) -> None:
    r.hset(f"profile:{uid}", mapping={"name": f"user {uid}"})


def record_event(r: redis.Redis, eid: int) -> None:
    r.set(f"event:{eid}", "payload")


def cache_profile(r: redis.Redis, uid: int) -> None:
    r.get(f"profile:{uid}")


def touch_session(r: redis.Redis, sid: int) -> None:
    r.set(f"session:{sid}", "user")
"""

# the commands a sample may send (and the test's own INFO)
READ_ONLY = {"info", "dbsize", "scan", "type", "pttl", "memory|usage", "config|resetstat"}


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("keyspace_app", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # the test runs the fixture's code, redislint does not
    return module


@pytest.fixture
def filled(tmp_path: Path, redis_server: RedisServer) -> tuple[Path, RedisServer]:
    project = tmp_path / "project"
    project.mkdir()
    (project / "app.py").write_text(APP)
    app = _load(project / "app.py")
    r = redis_server.client()
    for i in range(300):
        app.start_session(r, i)
    for i in range(200):
        app.save_profile(r, i)
    for i in range(500):
        app.record_event(r, i)
    r.set("profile:999", "a string where the code keeps hashes")
    for i in range(100):
        r.set(f"legacy:{i}", "left behind by code that is gone")
    return project, redis_server


def _keys(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return redislint(project, "keys", "--format", "json", *args, "app.py")


def test_the_map_joined_to_the_server(filled: tuple[Path, RedisServer]) -> None:
    project, server = filled
    proc = _keys(project, "--server", f"redis://127.0.0.1:{server.port}/0")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    rows = {row["template"]: row for row in data["templates"]}
    assert data["server"]["keys"] == 1101
    assert data["server"]["sampled"] == 1101
    assert data["server"]["stopped"] == "complete"
    assert data["server"]["orphans"] == [{"prefix": "legacy:*", "estimated_keys": 100}]
    session = rows["session:{sid}"]["server"]
    assert (session["estimated_keys"], session["share_without_ttl"]) == (300, 0.0)
    event = rows["event:{eid}"]["server"]
    assert (event["estimated_keys"], event["share_without_ttl"]) == (500, 1.0)
    assert event["estimated_memory_bytes"] > 0
    profile = rows["profile:{uid}"]["server"]
    assert profile["estimated_keys"] == 201
    assert profile["types"] == {"hash": 200, "string": 1}
    # the code uses profile:{uid} as a hash (hset) and a string (get): only what the
    # server holds and the code never uses is a mismatch
    assert profile["type_mismatch"] == []


def test_a_type_the_code_never_uses_is_a_mismatch(filled: tuple[Path, RedisServer]) -> None:
    project, server = filled
    server.client().delete("profile:999")
    server.client().rpush("event:9999", "a list")
    proc = _keys(project, "--server", f"redis://127.0.0.1:{server.port}/0")
    rows = {row["template"]: row for row in json.loads(proc.stdout)["templates"]}
    assert rows["event:{eid}"]["server"]["type_mismatch"] == ["list"]


def test_the_sample_sends_no_write_and_no_keys(filled: tuple[Path, RedisServer]) -> None:
    project, server = filled
    client = server.client()
    client.config_resetstat()
    proc = _keys(project, "--server", f"redis://127.0.0.1:{server.port}/0")
    assert proc.returncode == 0, proc.stderr
    called = {name.removeprefix("cmdstat_") for name in client.info("commandstats")}
    assert called <= READ_ONLY, called - READ_ONLY
    assert "scan" in called and "keys" not in called
    assert client.dbsize() == 1101  # nothing written, nothing deleted


def test_the_sample_and_time_limits_hold(tmp_path: Path, redis_server: RedisServer) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "app.py").write_text(APP)
    client = redis_server.client()
    for start in range(0, 200_000, 20_000):
        pipe = client.pipeline(transaction=False)
        for i in range(start, start + 20_000):
            pipe.set(f"event:{i}", "x")
        pipe.execute()
    assert client.dbsize() == 200_000
    url = f"redis://127.0.0.1:{redis_server.port}/0"
    proc = _keys(project, "--server", url, "--sample", "1000")
    summary = json.loads(proc.stdout)["server"]
    assert (summary["sampled"], summary["stopped"]) == (1000, "sample limit")
    rows = {row["template"]: row for row in json.loads(proc.stdout)["templates"]}
    assert rows["event:{eid}"]["server"]["estimated_keys"] == 200_000
    start = time.monotonic()
    proc = _keys(project, "--server", url, "--sample", "200000", "--time-limit", "0.2")
    elapsed = time.monotonic() - start
    summary = json.loads(proc.stdout)["server"]
    assert summary["stopped"] == "time limit"
    assert 0 < summary["sampled"] < 200_000
    assert elapsed < 30  # the run stops by itself (the lint of app.py and start-up included)


def test_the_password_is_never_printed(tmp_path: Path) -> None:
    server = start_server(tmp_path / "redis", ["--save", "", "--requirepass", "s3cret-pw"])
    try:
        project = tmp_path / "project"
        project.mkdir()
        (project / "app.py").write_text(APP)
        wrong = f"redis://:not-the-pw@127.0.0.1:{server.port}/0"
        proc = _keys(project, "--server", wrong)
        assert proc.returncode == 2
        assert "not-the-pw" not in proc.stdout + proc.stderr
        assert "redis://:***@127.0.0.1" in proc.stderr
        right = f"redis://:s3cret-pw@127.0.0.1:{server.port}/0"
        env_proc = redislint(
            project,
            *("keys", "--format", "json", "--server-url-env", "APP_REDIS_URL", "app.py"),
            env={"APP_REDIS_URL": right},
        )
        assert env_proc.returncode == 0, env_proc.stderr
        assert "s3cret-pw" not in env_proc.stdout + env_proc.stderr
    finally:
        server.stop()


def test_check_adds_the_servers_figures_to_rl101(filled: tuple[Path, RedisServer]) -> None:
    project, server = filled
    proc = redislint(
        project,
        *("check", "--no-cache", "--select", "RL101"),
        *("--server", f"redis://127.0.0.1:{server.port}/0", "app.py"),
    )
    assert proc.returncode == 1, proc.stderr
    (line,) = [ln for ln in proc.stdout.splitlines() if ":22:5: RL101" in ln]
    assert "(on the server: 300 keys match, 0% without TTL, ~" in line


def test_the_examples_map_joined_to_a_server_they_filled(
    redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The README's examples/ run against a real server (their module-level clients
    pointed at it by the test), then ``redislint keys --server`` over examples/."""
    import redis

    real = redis_server.client()
    monkeypatch.setattr(redis, "Redis", lambda *args, **kwargs: real)
    examples = Path(__file__).resolve().parent.parent / "examples"
    sessions = _load(examples / "session_cache.py")
    for i in range(40):
        sessions.save_session_bad(f"s{i}", {"user": i})
    for i in range(60):
        sessions.save_session_fixed(f"t{i}", {"user": i})
    sessions.cache_prices_fixed({f"sku{i}": 1.0 for i in range(25)})
    url = f"redis://127.0.0.1:{redis_server.port}/0"
    proc = redislint(tmp_path, "keys", "--format", "json", "--server", url, str(examples))
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    rows = {row["template"]: row for row in data["templates"]}
    session = rows["session:{session_id}"]["server"]
    assert session["estimated_keys"] == 100
    assert session["share_without_ttl"] == 0.4
    price = rows["price:{sku}"]["server"]
    assert (price["estimated_keys"], price["share_without_ttl"]) == (25, 0.0)
    assert data["server"]["orphans"] == []
