"""``full``: the concise header line plus the source lines with the offending range marked."""

from __future__ import annotations

from redislint.diagnostics import Finding
from redislint.engine.runner import RunResult
from redislint.report.base import ReportContext, Style, summary_lines

_CONTEXT = 1  # lines shown before and after the finding


def _frame(finding: Finding, text: str, style: Style, secrets: set[str]) -> list[str]:
    for secret in secrets:
        text = text.replace(secret, "*" * len(secret))  # same length: columns hold
    lines = text.splitlines()
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
        out.append(f"{style.dim(str(number).rjust(width) + ' |')} {lines[number - 1]}")
        if first <= number <= last:
            line_len = len(lines[number - 1])
            start = finding.start.column if number == first else 1
            end = finding.end.column if number == finding.end.line else line_len + 1
            if end <= start:
                end = start + 1
            prefix = "".join(ch if ch == "\t" else " " for ch in lines[number - 1][: start - 1])
            marker = "^" * (end - start)
            out.append(
                f"{style.dim(' ' * width + ' |')} {prefix}{style.severity(finding.severity.value, marker)}"
            )
    return out


def render(result: RunResult, context: ReportContext) -> str:
    style = Style(context.color)
    blocks: list[str] = []
    # Hard-coded passwords found in a file are masked in every frame shown from it.
    secrets: dict[str, set[str]] = {}
    for finding in result.findings:
        secrets.setdefault(finding.path, set()).update(s for s in finding.redact if s)
    for finding in result.findings:
        header = (
            f"{style.bold(finding.path)}:{finding.start.line}:{finding.start.column}: "
            f"{style.severity(finding.severity.value, finding.code)} "
            f"{style.bold(finding.name)}: {finding.message}"
        )
        text = context.source(finding.path)
        frame = _frame(finding, text, style, secrets[finding.path]) if text is not None else []
        blocks.append("\n".join([header, *frame]))
    out = "\n\n".join(blocks)
    if context.show_summary:
        closing = "\n".join(summary_lines(result, context))
        out = f"{out}\n\n{closing}" if out else closing
    return out + "\n"
