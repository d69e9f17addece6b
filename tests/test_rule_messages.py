"""Messages name the other call's line and suggest only what the target server supports."""

from __future__ import annotations

from pathlib import Path

from harness import run_fixture

CODE = """import redis
import uuid

r = redis.Redis()


def two_calls(uid, token, deadline):
    r.set(f"a:{uid}", 1)
    r.expireat(f"a:{uid}", deadline)
    r.set(f"b:{uid}", 1, ex=10)
    r.set(f"b:{uid}", 2)
    r.getset(f"c:{uid}", 1)
    if r.set(f"lock:{uid}", token, nx=True, ex=5):
        r.delete(f"lock:{uid}")
    with r.pipeline() as pipe:
        pipe.watch(f"d:{uid}")
        pipe.multi()
        pipe.incr(f"d:{uid}")
        pipe.execute()
    r.incr(f"rate:{uid}")
"""


def messages(tmp_path: Path, version: str | None) -> dict[tuple[str, int], str]:
    (tmp_path / "app.py").write_text(CODE, encoding="utf-8")
    config: dict[str, object] = {"select": ["RL1", "RL2"]}
    if version is not None:
        config["target-redis-version"] = version
    return {(f.code, f.start.line): f.message for f in run_fixture(tmp_path / "app.py", config)}


def test_messages_name_the_other_line(tmp_path: Path) -> None:
    found = messages(tmp_path, None)
    assert "expireat() on line 9" in found["RL102", 8]
    assert "exat=deadline" in found["RL102", 8] and "Redis 6.2+" in found["RL102", 8]
    assert "set() on line 10" in found["RL103", 11]
    assert "get=True, keepttl=True" in found["RL103", 12]
    assert "set() on line 13" in found["RL203", 14]
    assert "delex(key, ifeq=token) (Redis 8.4+)" in found["RL203", 14]
    assert "execute() on line 19" in found["RL205", 16]
    assert "nx=True" in found["RL104", 20]
    assert "\x00" not in "".join(found.values())


def test_messages_respect_the_target_version(tmp_path: Path) -> None:
    old = messages(tmp_path, "5.0")
    assert "needs Redis 6.2" in old["RL102", 8] and "transaction" in old["RL102", 8]
    assert "keepttl needs Redis 6.0" in old["RL103", 11]
    assert "get=True" not in old["RL103", 12] and "keepttl" not in old["RL103", 12]
    assert "delex" not in old["RL203", 14] and "Lua" in old["RL203", 14]
    assert "nx=True" not in old["RL104", 20]
    six = messages(tmp_path, "6.0")
    assert "keepttl=True) in one transaction" in six["RL103", 12]
    recent = messages(tmp_path, "7.2")
    assert "delex" not in recent["RL203", 14]
    assert "nx=True" in recent["RL104", 20]
    assert "keepttl=True (Redis 6.0+)" in recent["RL103", 11]
