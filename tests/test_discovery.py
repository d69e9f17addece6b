"""Glob matching of paths (exclude, per-file-ignores, test-paths) and test-code detection."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness import run_fixture
from redislint.engine.discovery import matches_any
from redislint.settings import DEFAULT_TEST_PATHS

ROOT = Path("/proj")


@pytest.mark.parametrize(
    ("path", "pattern", "expected"),
    [
        # a directory pattern with only a trailing slash matches that directory anywhere
        ("tests/a.py", "tests/", True),
        ("tests/unit/deep/b.py", "tests/", True),
        ("src/pkg/tests/c.py", "tests/", True),
        ("tests.py", "tests/", False),
        ("mytests/a.py", "tests/", False),
        ("src/app.py", "tests/", False),
        # a pattern with an inner slash is anchored at the root
        ("tests/unit/a.py", "tests/unit/", True),
        ("src/tests/unit/a.py", "tests/unit/", False),
        ("tests/a.py", "./tests/", True),
        ("tests/a.py", "/tests/", True),
        ("src/tests/a.py", "/tests/", False),
        # dot-directories keep their dot ("./" is a prefix, not a set of characters)
        (".ci/a.py", ".ci/*", True),
        ("ci/a.py", ".ci/*", False),
        (".ci/a.py", "./.ci/a.py", True),
        ("ci/a.py", "./.ci/a.py", False),
        # "**/" stands for zero or more directories
        ("tests/a.py", "**/tests/*", True),
        ("a/b/tests/a.py", "**/tests/*", True),
        ("a/b/c.py", "a/**/b/*.py", True),
        ("a/x/y/b/c.py", "a/**/b/*.py", True),
        # file-name patterns match the name in any directory
        ("src/test_x.py", "test_*.py", True),
        ("src/x_test.py", "*_test.py", True),
        ("pkg/conftest.py", "conftest.py", True),
        ("src/testing.py", "test_*.py", False),
    ],
)
def test_matches_any(path: str, pattern: str, expected: bool) -> None:
    assert matches_any(ROOT / path, [pattern], ROOT) is expected


def test_paths_outside_the_root_match_by_their_components() -> None:
    assert matches_any(Path("/elsewhere/tests/a.py"), ["tests/"], ROOT)
    assert not matches_any(Path("/elsewhere/src/a.py"), list(DEFAULT_TEST_PATHS), ROOT)


FLUSH = "import redis\nr = redis.Redis()\n\n\ndef reset():\n    r.flushdb()\n"


def test_default_test_paths_exempt_test_code_from_flush_in_code(tmp_path: Path) -> None:
    files = {
        "app/cache.py": True,  # application code: reported
        "scripts/reset.py": True,
        "app/testing_utils.py": True,
        "tests/test_cache.py": False,
        "tests/helpers/reset.py": False,  # any file below tests/
        "test/integration/setup.py": False,
        "app/tests/factories.py": False,  # a tests/ directory inside a package
        "app/cache_test.py": False,
        "app/test_cache.py": False,
        "conftest.py": False,
        "app/conftest.py": False,
    }
    for name in files:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(FLUSH)
    findings = run_fixture(tmp_path, {"select": ["RL302"]})
    reported = {f.path for f in findings}
    assert reported == {name for name, flagged in files.items() if flagged}


def test_configured_test_paths_replace_the_defaults(tmp_path: Path) -> None:
    for name in ("qa/check.py", "tests/test_a.py"):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(FLUSH)
    findings = run_fixture(tmp_path, {"select": ["RL302"], "test-paths": ["qa/"]})
    assert {f.path for f in findings} == {"tests/test_a.py"}
