"""``sarif``: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

Deterministic: no timestamps, no absolute paths of the machine (locations are relative to
``%SRCROOT%``, the directory redislint ran in), keys and arrays in a fixed order.
"""

from __future__ import annotations

import json
import re
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote, urljoin

from redislint import __version__
from redislint import rules as registry
from redislint.diagnostics import Finding, Fix, Position, Severity
from redislint.engine.runner import RunResult
from redislint.report.base import ReportContext
from redislint.report.locations import fingerprints
from redislint.rules.base import Rule
from redislint.rules.docs import rule_page

SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = "https://github.com/redislint/redislint"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "redislint/v1"
LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}

_RELATIVE_LINK = re.compile(r"\]\((?![a-z][a-z0-9+.-]*:|#)([^)\s]+)\)")


def _absolute_links(markdown: str, base: str) -> str:
    """Relative links of a rule page resolved against its URL (viewers show it elsewhere)."""
    return _RELATIVE_LINK.sub(lambda m: f"]({urljoin(base, m.group(1))})", markdown)


def _section(doc: str, title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", doc, re.S | re.M)
    return " ".join(match.group(1).split()) if match else ""


def _sentence(text: str) -> str:
    """SARIF viewers show messages as sentences."""
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def rule_descriptor(rule: type[Rule]) -> dict[str, Any]:
    page = _absolute_links(rule_page(rule), rule.doc_url())
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": _sentence(rule.summary)},
        "fullDescription": {
            "text": _sentence(_section(rule.doc(), "What it does") or rule.summary)
        },
        "help": {"text": page, "markdown": page},
        "helpUri": rule.doc_url(),
        "defaultConfiguration": {"level": LEVEL[rule.severity]},
        "properties": {"tags": list(rule.tags), "precision": rule.precision},
    }


def artifact_location(path: str) -> dict[str, str]:
    """A URI relative to ``%SRCROOT%``, or an absolute file URI for a path outside it."""
    posix = path.replace("\\", "/")
    if PurePosixPath(posix).is_absolute() or re.match(r"^[A-Za-z]:/", posix):
        drive = "/" if not posix.startswith("/") else ""
        return {"uri": "file://" + drive + quote(posix, safe="/:")}
    return {"uri": quote(posix, safe="/"), "uriBaseId": SRCROOT}


def region(start: Position, end: Position) -> dict[str, int]:
    if (end.line, end.column) < (start.line, start.column):
        end = start
    return {
        "startLine": start.line,
        "startColumn": start.column,
        "endLine": end.line,
        "endColumn": end.column,
    }


def location(finding: Finding) -> dict[str, Any]:
    return {
        "physicalLocation": {
            "artifactLocation": artifact_location(finding.path),
            "region": region(finding.start, finding.end),
        }
    }


def fix_object(fix: Fix, path: str) -> dict[str, Any]:
    return {
        "description": {"text": _sentence(fix.message)},
        "artifactChanges": [
            {
                "artifactLocation": artifact_location(path),
                "replacements": [
                    {
                        "deletedRegion": region(edit.start, edit.end),
                        "insertedContent": {"text": edit.content},
                    }
                    for edit in fix.edits
                ],
            }
        ],
        "properties": {"safe": fix.safe},
    }


def result_object(finding: Finding, index: int, fingerprint: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "ruleId": finding.code,
        "ruleIndex": index,
        "level": LEVEL[finding.severity],
        "message": {"text": _sentence(finding.message)},
        "locations": [location(finding)],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
    }
    if finding.fix is not None:
        out["fixes"] = [fix_object(finding.fix, finding.path)]
    if finding.recognised:
        out["properties"] = {"recognised": finding.recognised}
    return out


def sarif_log(result: RunResult, context: ReportContext) -> dict[str, Any]:
    reported = {f.code for f in result.findings}
    rules = [r for r in registry.ALL_RULES if r.code in context.codes or r.code in reported]
    index = {rule.code: i for i, rule in enumerate(rules)}
    prints = fingerprints(result.findings, context)
    notifications = [
        {
            "level": "error",
            "message": {"text": _sentence(f"{f.path}: {f.message}")},
            "locations": [location(f)],
            "associatedRule": {"id": f.code, "index": index[f.code]},
        }
        for f in result.findings
        if f.code == "RL000"
    ]
    invocation: dict[str, Any] = {"executionSuccessful": True}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    run = {
        "tool": {
            "driver": {
                "name": "redislint",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [rule_descriptor(r) for r in rules],
            }
        },
        "invocations": [invocation],
        "originalUriBaseIds": {
            SRCROOT: {"description": {"text": "The directory redislint was run in."}}
        },
        "columnKind": "unicodeCodePoints",
        "results": [
            result_object(f, index[f.code], p) for f, p in zip(result.findings, prints, strict=True)
        ],
    }
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


def render(result: RunResult, context: ReportContext) -> str:
    return json.dumps(sarif_log(result, context), indent=2, ensure_ascii=False) + "\n"
