"""``gitlab``: a GitLab Code Quality report (``artifacts: reports: codequality``)."""

from __future__ import annotations

import json
from typing import Any

from redislint.diagnostics import Finding, Severity
from redislint.engine.runner import RunResult
from redislint.report.base import ReportContext
from redislint.report.locations import fingerprints

# GitLab's scale: info, minor, major, critical, blocker.
SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


def issue(finding: Finding, fingerprint: str) -> dict[str, Any]:
    return {
        "description": f"{finding.code} {finding.message}",
        "check_name": f"{finding.code} {finding.name}",
        "fingerprint": fingerprint,
        "severity": SEVERITY[finding.severity],
        "location": {
            "path": finding.path,
            "lines": {
                "begin": finding.start.line,
                "end": max(finding.end.line, finding.start.line),
            },
        },
    }


def render(result: RunResult, context: ReportContext) -> str:
    prints = fingerprints(result.findings, context)
    issues = [issue(f, p) for f, p in zip(result.findings, prints, strict=True)]
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
