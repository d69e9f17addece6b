"""The reporter interface and the registry of formats."""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from redislint.engine.source import decode

if TYPE_CHECKING:
    from redislint.engine.runner import RunResult

# format name -> module under redislint.report
FORMATS: dict[str, str] = {
    "concise": "concise",
    "full": "full",
    "json": "json_array",
    "json-lines": "json_lines",
    "sarif": "sarif",
    "github": "github",
    "gitlab": "gitlab",
    "junit": "junit",
}

Render = Callable[["RunResult", "ReportContext"], str]


@dataclass
class ReportContext:
    """What reporters may need besides the findings."""

    color: bool = False
    cwd: Path = field(default_factory=Path.cwd)
    codes: frozenset[str] = frozenset()  # the enabled rules
    sources: dict[str, str] = field(default_factory=dict)  # path -> text, when already known
    show_summary: bool = True
    unsafe_fixes: bool = False  # --unsafe-fixes: unsafe fixes count as available

    def source(self, path: str) -> str | None:
        """The text of a reported file (read again only for files with findings)."""
        if path not in self.sources:
            try:
                data = (self.cwd / path).read_bytes()
            except OSError:
                return None
            # Decoded as the engine decodes it, so columns count the same characters.
            text = decode(data).text
            if text is None:
                return None
            self.sources[path] = text
        return self.sources[path]


# What a terminal would act on instead of showing: C0 and C1 control characters (escape
# sequences, carriage returns, line breaks), DEL, Unicode line separators, and the
# bidirectional controls that make text display in another order than it reads
# ("Trojan Source"). The terminal formats show them as Python escapes.
_CONTROL = r"\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_UNPRINTABLE = re.compile(rf"[\t{_CONTROL}]")
_UNPRINTABLE_BUT_TAB = re.compile(f"[{_CONTROL}]")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in "\t\n\r":
        return {"\t": "\\t", "\n": "\\n", "\r": "\\r"}[char]
    point = ord(char)
    return f"\\x{point:02x}" if point < 0x100 else f"\\u{point:04x}"


def printable(text: str, keep_tabs: bool = False) -> str:
    """``text`` for a terminal: control characters shown as escapes (``\\x1b``, ``\\n``)."""
    if text.isprintable():
        return text
    return (_UNPRINTABLE_BUT_TAB if keep_tabs else _UNPRINTABLE).sub(_escape, text)


def get_reporter(name: str) -> Render:
    module = importlib.import_module(f"redislint.report.{FORMATS[name]}")
    render: Render = module.render
    return render


def summary(result: RunResult) -> str:
    count = len(result.findings)
    checked = result.files_checked
    files = "file" if checked == 1 else "files"
    details = f"{checked} {files} checked"
    if result.fixed:
        details += f", {result.fixed} fixed"
    if result.baselined:
        details += f", {result.baselined} in the baseline"
    if not count:
        return f"All checks passed ({details})"
    problems = "problem" if count == 1 else "problems"
    with_findings = result.files_with_findings
    in_files = "file" if with_findings == 1 else "files"
    return f"Found {count} {problems} in {with_findings} {in_files} ({details})"


def fix_hint(result: RunResult, unsafe: bool) -> str | None:
    """How many findings ``--fix`` would fix (for the human-readable formats)."""
    safe = sum(1 for f in result.findings if f.fix is not None and f.fix.safe)
    risky = sum(1 for f in result.findings if f.fix is not None and not f.fix.safe)
    if unsafe and safe + risky:
        return f"[*] {safe + risky} fixable with --fix --unsafe-fixes"
    if safe and risky:
        return f"[*] {safe} fixable with --fix ({risky} more with --fix --unsafe-fixes)"
    if safe:
        return f"[*] {safe} fixable with --fix"
    if risky:
        return f"[*] {risky} fixable with --fix --unsafe-fixes"
    return None


def summary_lines(result: RunResult, context: ReportContext) -> list[str]:
    """The summary line, and the fix hint when fixes are available."""
    hint = fix_hint(result, context.unsafe_fixes)
    return [summary(result), *([hint] if hint else [])]


class Style:
    """ANSI colors, or nothing when color is off (no dependency on rich for plain output)."""

    def __init__(self, color: bool) -> None:
        self.color = color

    def _wrap(self, code: str, text: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.color else text

    def bold(self, text: str) -> str:
        return self._wrap("1", text)

    def red(self, text: str) -> str:
        return self._wrap("1;31", text)

    def yellow(self, text: str) -> str:
        return self._wrap("1;33", text)

    def cyan(self, text: str) -> str:
        return self._wrap("36", text)

    def dim(self, text: str) -> str:
        return self._wrap("2", text)

    def severity(self, severity: str, text: str) -> str:
        if severity == "error":
            return self.red(text)
        if severity == "warning":
            return self.yellow(text)
        return self.cyan(text)
