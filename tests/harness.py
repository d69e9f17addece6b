"""Fixture files that carry their expected findings as comments.

A line ending in ``# expect: RL101:5`` (``-- expect:`` inside embedded Lua) (several: ``# expect: RL101:5, RL201:9``) must
produce exactly those findings (code and 1-based column) on that line; every other line
must produce none. ``# ok: RL101`` marks a line that looks like a finding but must stay
silent (a lookalike); it documents the valid case and is counted. Lines at the top of
the form ``# config: key = value`` are TOML settings of ``[tool.redislint]`` for the
file (``select`` defaults to the code in the file name).
"""

from __future__ import annotations

import os
import re
import subprocess
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


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """Write ``files`` (relative path -> text) below ``root``; returns ``root``."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def redislint(
    cwd: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m redislint ARGS`` in ``cwd``, as a user runs it (text output captured)."""
    return subprocess.run(
        [sys.executable, "-m", "redislint", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env={**os.environ, **env} if env is not None else None,
    )


def run_fixture(target: Path, config_table: dict[str, Any]) -> list[Finding]:
    """Lint a fixture file or directory as the command line would, from its folder."""
    root = target if target.is_dir() else target.parent
    config = parse_config(config_table, None)
    config.root = root
    runner = Runner(config, enabled_codes(config), cwd=root)
    return runner.run([target]).findings


def found_set(findings: list[Finding]) -> set[tuple[str, int, str, int]]:
    return {(f.path, f.start.line, f.code, f.start.column) for f in findings}


# -- redis.conf fixtures -------------------------------------------------------------------
# A conf fixture (tests/fixtures/conf/RLxxx*.conf) holds many cases, because a finding
# about a missing directive concerns a whole file. redis.conf comments are whole lines, so
# expectations are comment lines about the next directive:
#
#   # === name                 starts a case: a redis.conf of the lines up to the next case
#   # --- common.conf          starts another file of the same case (for include)
#   # expect: RL904            the next directive line has this finding (column 1)
#   # expect-missing: RL901    a finding at line 1 of this file (a directive is missing)
#   # ok: RL904                a valid case: the case produces no RL904 finding at all
#   # config: key = value      TOML settings for the case
#   # server: skip <why>       the agreement test does not start redis-server for the case
CASE = re.compile(r"^#\s*===\s*(?P<name>\S.*)$")
SUBFILE = re.compile(r"^#\s*---\s*(?P<name>\S+)\s*$")
CONF_EXPECT = re.compile(r"^#\s*expect:\s*(?P<codes>RL\d{3}(?:\s*,\s*RL\d{3})*)\s*$")
CONF_MISSING = re.compile(r"^#\s*expect-missing:\s*(?P<codes>RL\d{3}(?:\s*,\s*RL\d{3})*)\s*$")
CONF_OK = re.compile(r"^#\s*ok:\s*(?P<codes>RL\d{3}(?:\s*,\s*RL\d{3})*)\s*$")
CONF_SERVER = re.compile(r"^#\s*server:\s*skip\b")


@dataclass
class ConfCase:
    """One case of a conf fixture: its files and what it must produce."""

    fixture: str
    name: str
    files: dict[str, list[str]]
    expected: set[tuple[str, int, str]]  # (file, line, code)
    ok: set[str]
    config: dict[str, Any]
    start_server: bool

    @property
    def ident(self) -> str:
        return f"{self.fixture}:{self.name}"

    def write(self, directory: Path) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        for name, lines in self.files.items():
            target = directory / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text("\n".join(lines) + "\n", encoding="latin-1")
        return directory / "redis.conf"


def _codes(text: str) -> list[str]:
    return [c.strip() for c in text.split(",")]


def conf_cases(path: Path) -> list[ConfCase]:
    cases: list[ConfCase] = []
    current: ConfCase | None = None
    file = "redis.conf"
    pending: list[str] = []
    config_lines: list[str] = []

    def finish() -> None:
        if current is not None:
            current.config = tomllib.loads("\n".join(config_lines)) if config_lines else {}
            assert not pending, f"{path}: {current.name}: expectation without a directive"
            cases.append(current)

    for raw in path.read_text(encoding="latin-1").splitlines():
        line = raw.strip()
        header = CASE.match(line)
        if header:
            finish()
            current = ConfCase(path.stem, header.group("name").strip(), {}, set(), set(), {}, True)
            file, pending, config_lines = "redis.conf", [], []
            current.files[file] = []
            continue
        if current is None:
            continue
        sub = SUBFILE.match(line)
        if sub:
            assert not pending, f"{path}: {current.name}: expectation without a directive"
            file = sub.group("name")
            current.files[file] = []
            continue
        lines = current.files[file]
        lines.append(raw)
        number = len(lines)
        if (match := CONF_EXPECT.match(line)) is not None:
            pending.extend(_codes(match.group("codes")))
        elif (match := CONF_MISSING.match(line)) is not None:
            current.expected.update((file, 1, code) for code in _codes(match.group("codes")))
        elif (match := CONF_OK.match(line)) is not None:
            current.ok.update(_codes(match.group("codes")))
        elif (match := CONFIG.match(line)) is not None:
            config_lines.append(match.group("toml"))
        elif CONF_SERVER.match(line):
            current.start_server = False
        elif line and not line.startswith("#"):
            current.expected.update((file, number, code) for code in pending)
            pending = []
    finish()
    return cases
