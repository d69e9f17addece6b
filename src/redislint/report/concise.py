"""``concise``: one line per finding, ``path:line:col: CODE message`` (flake8/ruff style).

Control characters in paths and messages are shown as escapes (``printable``): one line
per finding, and nothing a terminal would act on.
"""

from __future__ import annotations

from redislint.engine.runner import RunResult
from redislint.report.base import ReportContext, Style, printable, summary_lines


def render(result: RunResult, context: ReportContext) -> str:
    style = Style(context.color)
    lines = [
        f"{style.bold(printable(f.path))}:{f.start.line}:{f.start.column}: "
        f"{style.severity(f.severity.value, f.code)} {printable(f.message)}"
        for f in result.findings
    ]
    if context.show_summary:
        lines.extend(summary_lines(result, context))
    return "\n".join(lines) + "\n"
