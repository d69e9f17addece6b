"""``full``: the concise header line plus the source lines with the offending range marked.

Lines are numbered as Python numbers them (``\\n``, ``\\r\\n`` or ``\\r``); control
characters in paths, messages and quoted source are shown as escapes (``printable``),
and the marker is aligned with the escaped text.
"""

from __future__ import annotations

from redislint.credentials import mask_credentials
from redislint.diagnostics import Finding
from redislint.engine.runner import RunResult
from redislint.engine.suppressions import split_lines
from redislint.report.base import ReportContext, Style, printable, summary_lines

_CONTEXT = 1  # lines shown before and after the finding


def _frame(finding: Finding, lines: list[str], style: Style) -> list[str]:
    first = finding.start.line
    last = max(finding.end.line, first)
    if not 0 < first <= len(lines):
        return []
    last = min(last, first + 5, len(lines))
    lo = max(1, first - _CONTEXT)
    hi = min(len(lines), last + _CONTEXT)
    width = len(str(hi))
    out = []
    for number in range(lo, hi + 1):
        line = lines[number - 1]
        out.append(f"{style.dim(str(number).rjust(width) + ' |')} {printable(line, True)}")
        if first <= number <= last:
            start = finding.start.column if number == first else 1
            end = finding.end.column if number == finding.end.line else len(line) + 1
            if end <= start:
                end = start + 1
            before = printable(line[: start - 1], True)
            prefix = "".join(ch if ch == "\t" else " " for ch in before)
            marker = "^" * max(1, len(printable(line[start - 1 : end - 1], True)))
            out.append(
                f"{style.dim(' ' * width + ' |')} {prefix}{style.severity(finding.severity.value, marker)}"
            )
    return out


def _masked(text: str, spans: set[tuple[int, int, int]]) -> list[str]:
    """The lines of ``text`` with credentials masked (same length: columns hold)."""
    lines = split_lines(mask_credentials(text)) or [""]
    for number, first, after in spans:
        if 0 < number <= len(lines):
            line = lines[number - 1]
            lines[number - 1] = line[: first - 1] + "*" * (after - first) + line[after - 1 :]
    return lines


def render(result: RunResult, context: ReportContext) -> str:
    style = Style(context.color)
    blocks: list[str] = []
    # Credentials are masked on every line shown: those the rules found, and whatever the
    # text itself says is one (credentials.py)
    secrets: dict[str, set[tuple[int, int, int]]] = {}
    for finding in result.findings:
        secrets.setdefault(finding.path, set()).update(finding.redact)
    lines_of: dict[str, list[str] | None] = {}
    for finding in result.findings:
        header = (
            f"{style.bold(printable(finding.path))}:{finding.start.line}:{finding.start.column}: "
            f"{style.severity(finding.severity.value, finding.code)} "
            f"{style.bold(finding.name)}: {printable(finding.message)}"
        )
        if finding.path not in lines_of:
            text = context.source(finding.path)
            lines_of[finding.path] = (
                _masked(text, secrets[finding.path]) if text is not None else None
            )
        lines = lines_of[finding.path]
        frame = _frame(finding, lines, style) if lines is not None else []
        blocks.append("\n".join([header, *frame]))
    out = "\n\n".join(blocks)
    if context.show_summary:
        closing = "\n".join(summary_lines(result, context))
        out = f"{out}\n\n{closing}" if out else closing
    return out + "\n"
