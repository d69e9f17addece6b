#!/usr/bin/env python3
"""Refresh the command samples in docs/: a ``console`` block right after ``<!-- sample -->``.

The block's first line is the command (``$ redislint ...``, run from the repository root);
the rest is exactly what it prints (``flake8 ...`` samples
run flake8 with the plugin of this checkout). ``tests/test_doc_samples.py`` fails when one is stale;
``python scripts/doc_samples.py`` rewrites them.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# The output runs to the first line that starts with ``` (JSON output may hold ``` inside).
SAMPLE = re.compile(
    r"<!-- sample -->\n```console\n\$ (?P<command>[^\n]+)\n(?P<output>(?:(?!```)[^\n]*\n)*)```"
)


def samples(text: str) -> Iterator[re.Match[str]]:
    return SAMPLE.finditer(text)


def run(command: str) -> str:
    """What a sample command prints (standard output), run in-process from the root."""
    from click.testing import CliRunner

    from redislint.cli import main

    args = shlex.split(command)
    if args[0] == "flake8":
        return _flake8(args)
    assert args[0] == "redislint", command
    old = Path.cwd()
    os.chdir(ROOT)
    try:
        result = CliRunner().invoke(main, args[1:], env={"NO_COLOR": "1"})
    finally:
        os.chdir(old)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.stdout


def _flake8(args: list[str]) -> str:
    """flake8 with redislint's plugin from this checkout."""
    path = os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))
    done = subprocess.run(
        [sys.executable, "-m", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=path),
        check=False,
    )
    return done.stdout


def refreshed(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        output = run(match["command"])
        if output and not output.endswith("\n"):
            output += "\n"
        return f"<!-- sample -->\n```console\n$ {match['command']}\n{output}```"

    return SAMPLE.sub(replace, text)


def main() -> int:
    for path in DOCS:
        text = path.read_text(encoding="utf-8")
        new = refreshed(text)
        if new != text:
            path.write_text(new, encoding="utf-8")
            print(f"updated {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
