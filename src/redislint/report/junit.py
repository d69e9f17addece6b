"""``junit``: JUnit XML, one test case per finding, for CI systems that read test reports."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from redislint.diagnostics import Finding
from redislint.engine.runner import RunResult
from redislint.report.base import ReportContext

# Characters XML 1.0 cannot hold at all, even escaped (ElementTree would write them as is).
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean(text: str) -> str:
    """Text safe for XML: characters XML cannot represent become Python-style escapes."""
    return _INVALID_XML.sub(lambda m: repr(m.group())[1:-1], text)


def _case(suite: ET.Element, finding: Finding) -> None:
    where = f"{finding.path}:{finding.start.line}:{finding.start.column}"
    case = ET.SubElement(
        suite,
        "testcase",
        {
            "classname": clean(finding.path),
            "name": clean(f"{finding.code} {finding.name} at {where}"),
            "file": clean(finding.path),
            "line": str(finding.start.line),
        },
    )
    # An unreadable or unparsable file is an error of the run, not a failed check.
    tag = "error" if finding.code == "RL000" else "failure"
    outcome = ET.SubElement(
        case, tag, {"type": finding.code, "message": clean(f"{finding.code} {finding.message}")}
    )
    outcome.text = clean(f"{where}: {finding.code} {finding.name}: {finding.message}")


def render(result: RunResult, context: ReportContext) -> str:
    findings = result.findings
    errors = sum(1 for f in findings if f.code == "RL000")
    root = ET.Element("testsuites", {"name": "redislint"})
    suite = ET.SubElement(
        root,
        "testsuite",
        {
            "name": "redislint",
            "tests": str(max(len(findings), 1)),
            "failures": str(len(findings) - errors),
            "errors": str(errors),
            "skipped": "0",
        },
    )
    for finding in findings:
        _case(suite, finding)
    if not findings:
        files = "file" if result.files_checked == 1 else "files"
        ET.SubElement(
            suite,
            "testcase",
            {"classname": "redislint", "name": f"no problems ({result.files_checked} {files})"},
        )
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
