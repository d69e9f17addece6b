"""Suggestions that need a newer server follow ``target-redis-version``."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness import run_fixture

CASES = {
    "RL303": ("def f():\n    return r.sinter('a', 'b')\n", "smismember", "sismember"),
    "RL401": ("def f(e):\n    r.xadd('events', e)\n", "minid=", None),
    "RL403": (
        "import json\ndef f(a, b):\n    r.set('u', json.dumps({'a': a, 'b': b}))\n",
        "hexpire",
        None,
    ),
    "RL502": ("def f():\n    return r.rpop('jobs')\n", "lmove", "rpoplpush"),
    "RL503": (
        "def f(c):\n    return r.xreadgroup('g', c, {'s': '>'})\n",
        "xautoclaim",
        "xclaim",
    ),
    "RL504": (
        "def f():\n    while True:\n        print(r.lpop('inbox'))\n",
        "blmove",
        "blpop",
    ),
}


def message(tmp_path: Path, code: str, body: str, version: str | None) -> str | None:
    (tmp_path / "app.py").write_text("import redis\nr = redis.Redis()\n" + body)
    config: dict[str, object] = {"select": [code]}
    if version is not None:
        config["target-redis-version"] = version
    findings = run_fixture(tmp_path, config)
    assert len(findings) <= 1
    return findings[0].message if findings else None


@pytest.mark.parametrize("code", sorted(CASES))
def test_newer_commands_offered_only_when_the_target_has_them(tmp_path: Path, code: str) -> None:
    body, newer, older = CASES[code]
    latest = message(tmp_path, code, body, None)
    assert latest is not None and newer in latest
    old = message(tmp_path, code, body, "5.0")
    assert old is not None and newer not in old
    if older is not None:
        assert older in old


def test_no_sharded_pubsub_before_7(tmp_path: Path) -> None:
    body = "from redis.cluster import RedisCluster\nrc = RedisCluster()\nrc.publish('c', 1)\n"
    assert "spublish" in (message(tmp_path, "RL505", body, "7.0") or "")
    assert message(tmp_path, "RL505", body, "6.2") is None
