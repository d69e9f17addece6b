"""``github``: GitHub Actions workflow commands, shown as annotations on the changed lines.

``::error file=app.py,line=7,col=5,endLine=7,endColumn=27,title=RL101 set-without-ttl::...``
"""

from __future__ import annotations

from redislint.diagnostics import Finding, Severity
from redislint.engine.runner import RunResult
from redislint.report.base import ReportContext, summary

COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    """The message part: GitHub unescapes ``%25``, ``%0D`` and ``%0A``."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A property value: data escaping plus ``:`` and ``,``, which delimit properties."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(finding: Finding) -> str:
    properties = {
        "file": finding.path,
        "line": str(finding.start.line),
        "col": str(finding.start.column),
        "endLine": str(finding.end.line),
        "endColumn": str(finding.end.column),
        "title": f"{finding.code} {finding.name}",
    }
    joined = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    return f"::{COMMAND[finding.severity]} {joined}::{escape_data(finding.message)}"


def render(result: RunResult, context: ReportContext) -> str:
    lines = [command(f) for f in result.findings]
    if context.show_summary:
        lines.append(summary(result))  # a plain log line, not a command
    return "".join(line + "\n" for line in lines)
