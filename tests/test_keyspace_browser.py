"""The keyspace map's HTML page in a real headless browser (Debian's chromium)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from test_keyspace_map import _project

from harness import redislint

BROWSER = next(
    (
        found
        for name in ("chromium", "chromium-browser", "google-chrome")
        if (found := shutil.which(name))
    ),
    None,
)
pytestmark = pytest.mark.skipif(
    BROWSER is None, reason="no headless browser (apt-get install chromium; .ci/run does)"
)


def _page(tmp_path: Path) -> Path:
    project = _project(tmp_path)
    page = tmp_path / "keyspace.html"
    proc = redislint(project, "keys", "--format", "html", "-o", str(page), "app")
    assert proc.returncode == 0, proc.stderr
    return page


def _browser(*args: str) -> subprocess.CompletedProcess[str]:
    assert BROWSER is not None
    return subprocess.run(
        [
            BROWSER,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--enable-logging=stderr",
            "--v=0",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_page_renders_and_the_filter_works(tmp_path: Path) -> None:
    page = _page(tmp_path)
    proc = _browser("--dump-dom", f"{page.as_uri()}#filter=never")
    assert proc.returncode == 0, proc.stderr
    dom = proc.stdout
    rows = re.findall(r"<tr( hidden=\"\")?><td><code>([^<]+)</code>", dom)
    assert rows == [
        (' hidden=""', "shop:cart:{cart_id}"),
        ("", "stats:signups"),
        ("", "view:{user_id}"),
    ]
    assert "2 of 3 shown" in dom
    assert "Uncaught" not in proc.stderr  # no script error on the console


def test_a_screenshot_of_the_page(tmp_path: Path) -> None:
    page = _page(tmp_path)
    shot = tmp_path / "keyspace.png"  # kept out of the repository
    proc = _browser("--window-size=1200,500", f"--screenshot={shot}", page.as_uri())
    assert proc.returncode == 0, proc.stderr
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 10_000  # a page was drawn, not a blank canvas
