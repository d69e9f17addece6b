"""Connection rules across files, and secrets kept out of every output."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from harness import run_fixture
from redislint.cli import main

DB = """import functools

import redis


def get_redis():
    return redis.Redis(host="cache")


@functools.cache
def cached_redis():
    return redis.Redis(host="cache")
"""


def lint(root: Path, files: dict[str, str]) -> list[tuple[str, int, str, str]]:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    findings = run_fixture(root, {"select": ["RL801"]})
    return [(f.path, f.start.line, f.code, f.message) for f in findings]


@pytest.mark.parametrize(
    "view",
    [
        "from app.db import get_redis\n\n\ndef view():\n    return get_redis().get('x')\n",
        "from app.db import get_redis as connect\n\n\ndef view():\n    return connect().get('x')\n",
        "from app import db\n\n\ndef view():\n    return db.get_redis().get('x')\n",
        "from app.db import get_redis\n\n\nclass View:\n    def get(self):\n        return get_redis().get('x')\n",
    ],
)
def test_helper_called_from_another_module(tmp_path: Path, view: str) -> None:
    found = lint(tmp_path, {"app/__init__.py": "", "app/db.py": DB, "app/views.py": view})
    assert [(p, line, code) for p, line, code, _m in found] == [("app/db.py", 7, "RL801")]
    assert "in views.py (line " in found[0][3]


@pytest.mark.parametrize(
    "view",
    [
        "from app.db import get_redis\n\nclient = get_redis()\n",
        "from app.db import get_redis\n\n\nclass View:\n    def __init__(self):\n        self.redis = get_redis()\n",
        "from app.db import cached_redis\n\n\ndef view():\n    return cached_redis().get('x')\n",
        "from app.db import get_redis\n\n\ndef test_view():\n    assert get_redis().ping()\n",
    ],
)
def test_helper_used_for_setup_only(tmp_path: Path, view: str) -> None:
    assert lint(tmp_path, {"app/__init__.py": "", "app/db.py": DB, "app/views.py": view}) == []


SECRETS = """import redis

client = redis.Redis(host="cache.example.com", password="hunter2-very-secret")
URL = "redis://:s3cr3t-token@cache.example.com:6379/0"
"""


@pytest.mark.parametrize("fmt", ["concise", "full"])
def test_passwords_never_printed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str) -> None:
    (tmp_path / "settings.py").write_text(SECRETS)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["--format", fmt, "--select", "ALL", "settings.py"])
    assert "RL604" in result.stdout and "RL605" in result.stdout
    assert "hunter2-very-secret" not in result.stdout
    assert "s3cr3t-token" not in result.stdout
