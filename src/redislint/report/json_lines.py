"""``json-lines``: one JSON object per line per finding, the objects of ``json``."""

from __future__ import annotations

import json

from redislint.engine.runner import RunResult
from redislint.report.base import ReportContext
from redislint.report.locations import finding_dict, fingerprints


def render(result: RunResult, context: ReportContext) -> str:
    prints = fingerprints(result.findings, context)
    return "".join(
        json.dumps(finding_dict(f, p), ensure_ascii=False) + "\n"
        for f, p in zip(result.findings, prints, strict=True)
    )
