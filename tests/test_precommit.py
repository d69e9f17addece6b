"""The pre-commit hook, through the real ``pre-commit try-repo``."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from tooling import ROOT, cache_dir

BAD = """import redis

r = redis.Redis()


def cache(uid, payload):
    r.set(f"user:{uid}", payload)
"""
GOOD = """import redis

r = redis.Redis()


def cache(uid, payload):
    r.set(f"user:{uid}", payload, ex=3600)
"""


def git(*args: str, cwd: Path) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=redislint tests", "-c", "user.email=tests@invalid", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
        # fixed dates: the same tree gives the same commit
        env=dict(
            os.environ,
            GIT_AUTHOR_DATE="2000-01-01T00:00:00Z",
            GIT_COMMITTER_DATE="2000-01-01T00:00:00Z",
        ),
    )
    return done.stdout


def snapshot(destination: Path) -> Path:
    """This checkout as it is now (uncommitted and new files too) in a repository of its own.

    try-repo installs the hook from a commit; committing a copy of the working tree makes
    the test check the code under test, not whatever HEAD happens to be.
    """
    listed = git("ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=ROOT)
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if not source.is_file():
            continue  # deleted but not yet committed
        target = destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    git("init", "-q", cwd=destination)
    git("add", "-A", cwd=destination)
    git("commit", "-q", "-m", "snapshot", cwd=destination)
    return destination


def try_repo(
    repo: Path, project: Path, *args: str, hook: str = "redislint"
) -> subprocess.CompletedProcess[str]:
    cache = cache_dir()
    env = dict(
        os.environ,
        PRE_COMMIT_HOME=str(cache / "pre-commit"),
        PIP_CACHE_DIR=str(cache / "pip"),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        NO_COLOR="1",
    )
    env.pop("PYTHONPATH", None)  # the hook runs from the environment pre-commit builds
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(repo), hook, *args],
        cwd=project,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )


def test_the_hook_definition() -> None:
    hook, conf = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "redislint"
    assert hook["entry"] == "redislint --force-exclude"  # excludes apply to the files it names
    assert hook["language"] == "python"
    assert hook["types_or"] == ["python", "pyi"]
    assert hook["require_serial"] is False
    assert conf["id"] == "redislint-conf"
    assert conf["entry"] == "redislint --force-exclude"
    pattern = re.compile(conf["files"])
    for name in ("redis.conf", "deploy/valkey.conf", "cache.redis.conf", "a/b.valkey.conf"):
        assert pattern.search(name), name
    for name in ("redis.config", "myredis.conf.bak", "notes/redis.conf.md"):
        assert not pattern.search(name), name


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    return snapshot(tmp_path_factory.mktemp("redislint-repo"))


def test_the_hook_fails_on_bad_code_and_passes_on_good_code(
    hook_repo: Path, tmp_path: Path
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "bad.py").write_text(BAD)
    (project / "good.py").write_text(GOOD)
    (project / "README.md").write_text("r.keys('*') in a file that is not Python\n")
    git("init", "-q", cwd=project)
    git("add", "-A", cwd=project)

    done = try_repo(hook_repo, project, "--all-files")
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "redislint" in output and "Failed" in output
    assert "bad.py:7:5: RL101 set() writes 'user:{uid}' without a TTL" in output
    assert "good.py:" not in output
    assert "README.md" not in output
    assert "Found 1 problem in 1 file (2 files checked)" in output

    done = try_repo(hook_repo, project, "--files", "good.py")
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "Passed" in output


def test_the_conf_hook_checks_redis_conf_files(hook_repo: Path, tmp_path: Path) -> None:
    project = tmp_path / "conf-project"
    project.mkdir()
    (project / "redis.conf").write_text("port 6379\nappendonly no\n")
    (project / "app.py").write_text(BAD)
    git("init", "-q", cwd=project)
    git("add", "-A", cwd=project)
    done = try_repo(hook_repo, project, "--all-files", hook="redislint-conf")
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "redis.conf:1:1: RL901" in output
    assert "app.py" not in output


def test_the_hook_fixes_with_fix(hook_repo: Path, tmp_path: Path) -> None:
    """The fixing setup of docs/pre-commit.md: `args: [--fix]`."""
    project = tmp_path / "fix-project"
    project.mkdir()
    (project / "purge.py").write_text(
        'import redis\n\nr = redis.Redis()\n\n\ndef purge():\n    for k in r.keys("tmp:*"):\n'
        "        r.unlink(k)\n"
    )
    rev = git("rev-parse", "HEAD", cwd=hook_repo).strip()
    (project / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hook_repo}\n    rev: {rev}\n    hooks:\n"
        "      - id: redislint\n        args: [--fix, --select, RL301]\n"
    )
    git("init", "-q", cwd=project)
    git("add", "-A", cwd=project)
    cache = cache_dir()
    env = dict(
        os.environ,
        PRE_COMMIT_HOME=str(cache / "pre-commit"),
        PIP_CACHE_DIR=str(cache / "pip"),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        NO_COLOR="1",
    )
    env.pop("PYTHONPATH", None)
    done = subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files"],
        cwd=project,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "files were modified by this hook" in output
    assert 'for k in r.scan_iter("tmp:*"):' in (project / "purge.py").read_text()
