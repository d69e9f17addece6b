"""What the command line does beyond reporting: fix, show the diff, add noqa comments.

The engine pieces live in ``engine/fixes.py`` and ``engine/noqa.py``; this module runs
them over the result of a run and says what happened.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from redislint.diagnostics import Finding
from redislint.engine.fixes import FileFix, Fixed, fix_files, fix_text, unified_diff, write
from redislint.engine.noqa import add_noqa
from redislint.engine.runner import Runner, RunResult


@dataclass
class FixReport:
    """What ``--fix`` / ``--diff`` did."""

    changes: list[FileFix] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def fixed(self) -> list[Finding]:
        return [f for change in self.changes for f in change.fixed]

    def diff(self) -> str:
        return "".join(unified_diff(c.shown, c.before, c.after) for c in self.changes)


def fix_tree(
    runner: Runner, paths: Sequence[Path], result: RunResult, unsafe: bool, write_files: bool
) -> tuple[RunResult, FixReport]:
    """Fix the files of ``result``; when written, the tree is linted again for the report."""
    changes, warnings = fix_files(runner, result.findings, unsafe)
    report = FixReport(changes, warnings)
    if not write_files:
        return result, report
    written: list[FileFix] = []
    for change in changes:
        error = write(change)
        if error is None:
            written.append(change)
        else:
            report.warnings.append(error)
    report.changes = written
    if not written:
        return result, report
    fresh = runner.run(paths)  # unchanged files come from the cache
    fresh.fixed = len(report.fixed)
    return fresh, report


def fix_stdin(runner: Runner, text: str, result: RunResult, unsafe: bool) -> Fixed:
    """Fix text read from standard input (linted as ``result`` says)."""
    project = runner.project
    findings = [f for f in result.findings if f.code != "RL000"]
    if project is None or not findings:
        return Fixed(text, [], result.findings)
    shown = result.findings[0].path
    path = Path(shown) if shown != "-" else Path("-")

    return fix_text(
        text,
        lambda new: runner.text_findings(new, path, shown, project),
        unsafe,
        findings=result.findings,
    )


def show_fixes(fixed: Sequence[Finding]) -> str:
    """``--show-fixes``: the fixes applied, per file and code (as ruff lists them)."""
    if not fixed:
        return "No fixes applied.\n"
    lines = [f"Fixed {len(fixed)} {'problem' if len(fixed) == 1 else 'problems'}:"]
    by_file: dict[str, Counter[tuple[str, str]]] = {}
    for finding in fixed:
        by_file.setdefault(finding.path, Counter())[(finding.code, finding.name)] += 1
    for path in sorted(by_file):
        lines.append(f"- {path}:")
        for (code, name), count in sorted(by_file[path].items()):
            lines.append(f"  {count:>4}  {code} {name}")
    return "\n".join(lines) + "\n"


def add_noqa_to_tree(result: RunResult, cwd: Path) -> tuple[int, list[str]]:
    """``--add-noqa``: write the comments; the number added and warnings."""
    added = add_noqa(result.findings, cwd)
    warnings = list(added.warnings)
    count = 0
    for change, comments in added.files:
        error = write(change)
        if error is None:
            count += comments
        else:
            warnings.append(error)
    return count, warnings
