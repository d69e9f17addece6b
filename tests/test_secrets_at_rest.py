"""No planted credential appears in any file redislint writes or in any output."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness import redislint, write_tree
from redislint.cli import FORMAT_CHOICES

SECRETS = ("hunter2-planted", "s3cretpass-planted", "topsecret99-planted", "authpw-planted")

CONFIG = 'REDIS_PASSWORD = "topsecret99-planted"\n'

APP = """
import redis

from app.config import REDIS_PASSWORD

PW = "hunter2-planted"
URL = "redis://:s3cretpass-planted@cache.example.com:6379/0"

r = redis.Redis(host="cache.example.com", password=PW)
u = redis.from_url(URL)
c = redis.Redis(host="cache.example.com", password=REDIS_PASSWORD)
d = redis.Redis(host="cache.example.com", password="hunter2-planted")


def login():
    r.execute_command("AUTH", "authpw-planted")
    return r.keys("*")
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    files = {"app/__init__.py": "", "app/config.py": CONFIG, "app/main.py": APP}
    return write_tree(tmp_path, files)


def test_no_secret_in_the_cache_the_outputs_or_the_baseline(project: Path) -> None:
    outputs: list[str] = []
    for fmt in FORMAT_CHOICES:
        for _ in range(2):  # cold, then from the cache
            proc = redislint(project, "--format", fmt, "--select", "ALL", "app")
            assert proc.returncode in (1, 2), proc.stderr
            outputs.append(proc.stdout + proc.stderr)
    assert any("RL604" in out for out in outputs)
    baseline = project / "baseline.json"
    redislint(project, "--write-baseline", str(baseline), "app")
    for fmt in ("table", "json", "markdown", "html"):
        outputs.append(redislint(project, "keys", "--format", fmt, "app").stdout)
    written = [p for p in (project / ".redislint_cache").rglob("*") if p.is_file()]
    assert written, "the runs wrote a cache"
    for path in [*written, baseline]:
        data = path.read_bytes()
        for secret in SECRETS:
            assert secret.encode() not in data, f"{secret} in {path}"
    for out in outputs:
        for secret in SECRETS:
            assert secret not in out


def test_the_full_format_masks_every_line_it_shows(project: Path) -> None:
    proc = redislint(project, "--format", "full", "--select", "ALL", "app")
    assert 'PW = "***************"' in proc.stdout  # a neighbour of a finding, masked too
    assert "redis://:******************@cache.example.com" in proc.stdout
