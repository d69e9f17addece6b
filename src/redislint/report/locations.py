"""What several machine-readable formats share: source lines, fingerprints, plain data."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from typing import Any

from redislint.diagnostics import Finding, Fix, Position
from redislint.engine.source import source_lines
from redislint.report.base import ReportContext
from redislint.rules import BY_CODE


def offending_text(finding: Finding, lines: Sequence[str]) -> str:
    """The source text of a finding's range, or its whole first line for an empty range."""
    first, last = finding.start, finding.end
    if not 0 < first.line <= len(lines):
        return ""
    if (last.line, last.column) <= (first.line, first.column) or last.line > len(lines):
        return lines[first.line - 1]
    if first.line == last.line:
        return lines[first.line - 1][first.column - 1 : last.column - 1]
    middle = lines[first.line : last.line - 1]
    return "\n".join(
        [
            lines[first.line - 1][first.column - 1 :],
            *middle,
            lines[last.line - 1][: last.column - 1],
        ]
    )


def _normalise(text: str) -> str:
    return " ".join(text.split())


def identities(
    findings: Sequence[Finding], context: ReportContext
) -> list[tuple[str, str, str, str, int]]:
    """What identifies each finding across edits: (code, path, enclosing function or class,
    whitespace-normalised offending text, occurrence of that text there). No line number.
    """
    lines_of: dict[str, list[str] | None] = {}
    seen: Counter[tuple[str, str, str, str]] = Counter()
    out = []
    for finding in findings:
        if finding.path not in lines_of:
            text = context.source(finding.path)
            lines_of[finding.path] = source_lines(text) if text is not None else None
        lines = lines_of[finding.path]
        basis = _normalise(offending_text(finding, lines)) if lines is not None else ""
        if not basis:
            basis = finding.message
        key = (finding.code, finding.path, finding.scope, basis)
        out.append((*key, seen[key]))
        seen[key] += 1
    return out


def _hash(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:32]


def fingerprints(findings: Sequence[Finding], context: ReportContext) -> list[str]:
    """A stable identity per finding that survives edits elsewhere in the file.

    It hashes the code, the path, the enclosing function or class, the offending source
    text (whitespace-normalised) and which occurrence of that text this is there, but
    never a line number: adding lines above a finding keeps its fingerprint, so code
    scanning and GitLab keep tracking one alert.
    """
    out = []
    for code, path, scope, basis, occurrence in identities(findings, context):
        parts = (code, path, basis, str(occurrence))
        out.append(_hash(*parts) if not scope else _hash(*parts, scope))
    return out


def baseline_fingerprints(findings: Sequence[Finding], context: ReportContext) -> list[str]:
    """The fingerprints of a baseline: as ``fingerprints`` but without the path, which a
    baseline stores apart (relative to itself, so it works from any directory)."""
    return [
        _hash(code, scope, basis, str(occurrence))
        for code, _path, scope, basis, occurrence in identities(findings, context)
    ]


def position_dict(position: Position) -> dict[str, int]:
    return {"line": position.line, "column": position.column}


def fix_dict(fix: Fix | None) -> dict[str, Any] | None:
    if fix is None:
        return None
    return {
        "message": fix.message,
        "safe": fix.safe,
        "edits": [
            {
                "start": position_dict(edit.start),
                "end": position_dict(edit.end),
                "content": edit.content,
            }
            for edit in fix.edits
        ],
    }


def finding_dict(finding: Finding, fingerprint: str) -> dict[str, Any]:
    """The documented JSON object of one finding (``json`` and ``json-lines``)."""
    rule = BY_CODE.get(finding.code)
    return {
        "code": finding.code,
        "name": finding.name,
        "severity": finding.severity.value,
        "message": finding.message,
        "path": finding.path,
        "start": position_dict(finding.start),
        "end": position_dict(finding.end),
        "fix": fix_dict(finding.fix),
        "url": rule.doc_url() if rule is not None else None,
        "fingerprint": fingerprint,
        "recognised": finding.recognised or None,
    }
