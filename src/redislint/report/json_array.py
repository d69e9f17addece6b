"""``json``: one array holding every finding (the schema is in docs/output-formats.md)."""

from __future__ import annotations

import json

from redislint.engine.runner import RunResult
from redislint.report.base import ReportContext
from redislint.report.locations import finding_dict, fingerprints


def render(result: RunResult, context: ReportContext) -> str:
    prints = fingerprints(result.findings, context)
    items = [finding_dict(f, p) for f, p in zip(result.findings, prints, strict=True)]
    return json.dumps(items, indent=2, ensure_ascii=False) + "\n"
