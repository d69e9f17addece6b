"""Baselines: record today's findings (``--write-baseline``), report only new ones
(``--baseline``).

A finding matches a baseline entry by its code, its file (relative to the baseline
file, so the baseline works from any directory) and a fingerprint of its normalised
offending code and the function or class around it (``report.locations``), never its
line number: code added or removed elsewhere in the file, or a function moved, keeps
old findings matched. Entries count: two identical findings in one function need two
entries. Parse errors (RL000) are never baselined.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from redislint.diagnostics import Finding
from redislint.report.base import ReportContext
from redislint.report.locations import baseline_fingerprints

FORMAT = 1
_NEVER = frozenset({"RL000"})


class BaselineError(Exception):
    """A baseline file that cannot be read or is not a redislint baseline."""


@dataclass(frozen=True)
class Entry:
    code: str
    path: str  # POSIX path relative to the baseline file's directory
    fingerprint: str


def _relative(finding_path: str, cwd: Path, base: Path) -> str:
    absolute = Path(finding_path) if Path(finding_path).is_absolute() else cwd / finding_path
    return Path(os.path.relpath(absolute.absolute(), base.absolute())).as_posix()


def entries(
    findings: list[Finding], context: ReportContext, baseline: Path
) -> list[tuple[Entry, Finding]]:
    """The baseline entry of each finding."""
    base = baseline.absolute().parent
    prints = baseline_fingerprints(findings, context)
    return [
        (Entry(f.code, _relative(f.path, context.cwd, base), p), f)
        for f, p in zip(findings, prints, strict=True)
    ]


def write(findings: list[Finding], context: ReportContext, baseline: Path) -> int:
    """Write the baseline of ``findings``; the number of entries."""
    kept = [f for f in findings if f.code not in _NEVER]
    items = [
        {
            "code": entry.code,
            "path": entry.path,
            "fingerprint": entry.fingerprint,
            # for readers only: matching ignores them
            "line": finding.start.line,
            "message": finding.message,
        }
        for entry, finding in entries(kept, context, baseline)
    ]
    items.sort(key=lambda i: (i["path"], i["line"], i["code"], i["fingerprint"]))
    document = {"redislint-baseline": FORMAT, "findings": items}
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    try:
        baseline.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise BaselineError(
            f"cannot write the baseline {baseline}: {exc.strerror or exc}"
        ) from None
    return len(items)


def read(baseline: Path) -> Counter[Entry]:
    try:
        data: Any = json.loads(baseline.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BaselineError(
            f"baseline {baseline} not found (create it with --write-baseline)"
        ) from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise BaselineError(f"cannot read the baseline {baseline}: {exc}") from None
    if not isinstance(data, dict) or data.get("redislint-baseline") != FORMAT:
        raise BaselineError(f"{baseline} is not a redislint baseline (format {FORMAT})")
    items = data.get("findings")
    if not isinstance(items, list):
        raise BaselineError(f"{baseline}: 'findings' must be a list")
    counts: Counter[Entry] = Counter()
    for item in items:
        try:
            counts[Entry(str(item["code"]), str(item["path"]), str(item["fingerprint"]))] += 1
        except (KeyError, TypeError):
            raise BaselineError(f"{baseline}: malformed entry {item!r}") from None
    return counts


def apply(
    findings: list[Finding], context: ReportContext, baseline: Path
) -> tuple[list[Finding], int]:
    """The findings not in the baseline, and how many were in it."""
    remaining = read(baseline)
    kept: list[Finding] = []
    matched = 0
    for entry, finding in entries(findings, context, baseline):
        if finding.code not in _NEVER and remaining[entry] > 0:
            remaining[entry] -= 1
            matched += 1
        else:
            kept.append(finding)
    return kept, matched
