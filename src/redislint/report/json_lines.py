"""``json-lines``: one JSON object per line per finding, the objects of ``json``.

U+0085, U+2028 and U+2029 are written as escapes: JSON allows them raw, but readers that
split lines with ``str.splitlines()`` (or JavaScript) would cut an object in two there.
"""

from __future__ import annotations

import json

from redislint.engine.runner import RunResult
from redislint.report.base import ReportContext
from redislint.report.locations import finding_dict, fingerprints

_LINE_BREAKING = {"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def _one_line(item: str) -> str:
    for char, escape in _LINE_BREAKING.items():
        if char in item:
            item = item.replace(char, escape)
    return item


def render(result: RunResult, context: ReportContext) -> str:
    prints = fingerprints(result.findings, context)
    return "".join(
        _one_line(json.dumps(finding_dict(f, p), ensure_ascii=False)) + "\n"
        for f, p in zip(result.findings, prints, strict=True)
    )
