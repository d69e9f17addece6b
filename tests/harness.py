"""Fixture files that carry their expected findings as comments.

A line ending in ``# expect: RL101:5`` (``-- expect:`` inside embedded Lua) (several: ``# expect: RL101:5, RL201:9``) must
produce exactly those findings (code and 1-based column) on that line; every other line
must produce none. ``# ok: RL101`` marks a line that looks like a finding but must stay
silent (a lookalike); it documents the valid case and is counted. Lines at the top of
the form ``# config: key = value`` are TOML settings of ``[tool.redislint]`` for the
file (``select`` defaults to the code in the file name).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from redislint.config import enabled_codes, parse_config
from redislint.diagnostics import Finding
from redislint.engine.runner import Runner

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

EXPECT = re.compile(r"(?:#|--)\s*expect:\s*(?P<items>RL\d{3}:\d+(?:\s*,\s*RL\d{3}:\d+)*)")
OK = re.compile(r"#\s*ok:\s*(?P<codes>RL\d{3}(?:\s*,\s*RL\d{3})*)")
CONFIG = re.compile(r"^#\s*config:\s*(?P<toml>.+)$")

FIXTURES = Path(__file__).parent / "fixtures"


@dataclass(frozen=True)
class Expected:
    findings: set[tuple[str, int, str, int]]  # (path, line, code, column)
    ok_lines: dict[tuple[str, int], set[str]]


def expectations(files: list[Path], root: Path) -> Expected:
    findings: set[tuple[str, int, str, int]] = set()
    ok_lines: dict[tuple[str, int], set[str]] = {}
    for path in files:
        rel = path.relative_to(root).as_posix()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            match = EXPECT.search(line)
            if match:
                for item in match.group("items").split(","):
                    code, column = item.strip().split(":")
                    findings.add((rel, number, code, int(column)))
            match = OK.search(line)
            if match:
                ok_lines[(rel, number)] = {c.strip() for c in match.group("codes").split(",")}
    return Expected(findings, ok_lines)


def file_config(path: Path) -> dict[str, Any]:
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        match = CONFIG.match(line)
        if match:
            lines.append(match.group("toml"))
    return tomllib.loads("\n".join(lines)) if lines else {}


def run_fixture(target: Path, config_table: dict[str, Any]) -> list[Finding]:
    """Lint a fixture file or directory as the command line would, from its folder."""
    root = target if target.is_dir() else target.parent
    config = parse_config(config_table, None)
    config.root = root
    runner = Runner(config, enabled_codes(config), cwd=root)
    return runner.run([target]).findings


def found_set(findings: list[Finding]) -> set[tuple[str, int, str, int]]:
    return {(f.path, f.start.line, f.code, f.start.column) for f in findings}
