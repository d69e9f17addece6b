"""Suppression comments, as users write them."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness import run_fixture

HEAD = "import redis\nr = redis.Redis()\n"


def findings(tmp_path: Path, body: str) -> list[tuple[int, str]]:
    path = tmp_path / "app.py"
    path.write_text(HEAD + body)
    return [(f.start.line, f.code) for f in run_fixture(path, {})]


@pytest.mark.parametrize(
    ("comment", "suppressed"),
    [
        ("# noqa", True),
        ("# noqa: RL301", True),
        ("# NOQA:RL301", True),
        ("# noqa: RL101, RL301", True),
        ("# noqa: RL101", False),
        ("# noqa: E501", False),
        ("# redislint: ignore", True),
        ("# redislint: ignore[RL301]", True),
        ("# redislint: ignore[keys-command]", True),
        ("# redislint: ignore[RL3]", True),
        ("# redislint: ignore[RL101, set-without-ttl]", False),
        ("# type: ignore", False),
    ],
)
def test_line_comments(tmp_path: Path, comment: str, suppressed: bool) -> None:
    found = findings(tmp_path, f"r.keys('*')  {comment}\n")
    assert found == ([] if suppressed else [(3, "RL301")])


def test_noqa_applies_to_the_anchor_line_only(tmp_path: Path) -> None:
    body = "r.set(\n    'session:k',\n    1,\n)  # noqa: RL101\n"
    assert findings(tmp_path, body) == [(3, "RL101")]
    body = "r.set(  # noqa: RL101\n    'session:k',\n    1,\n)\n"
    assert findings(tmp_path, body) == []


def test_ignore_file(tmp_path: Path) -> None:
    body = "r.keys('*')\n\n# redislint: ignore-file\n"
    assert findings(tmp_path, body) == []


def test_ignore_file_must_be_on_its_own_line(tmp_path: Path) -> None:
    body = "r.keys('*')  # redislint: ignore-file\nr.set('session:k', 1)\n"
    assert findings(tmp_path, body) == [(3, "RL301"), (4, "RL101")]


def test_one_suppression_does_not_hide_other_lines(tmp_path: Path) -> None:
    body = "r.keys('*')  # noqa\nr.keys('*')\n"
    assert findings(tmp_path, body) == [(4, "RL301")]
