"""``concise``: one line per finding, ``path:line:col: CODE message`` (flake8/ruff style)."""

from __future__ import annotations

from redislint.engine.runner import RunResult
from redislint.report.base import ReportContext, Style, summary_lines


def render(result: RunResult, context: ReportContext) -> str:
    style = Style(context.color)
    lines = [
        f"{style.bold(f.path)}:{f.start.line}:{f.start.column}: "
        f"{style.severity(f.severity.value, f.code)} {f.message}"
        for f in result.findings
    ]
    if context.show_summary:
        lines.extend(summary_lines(result, context))
    return "\n".join(lines) + "\n"
