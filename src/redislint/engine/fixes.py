"""Applying fixes: ``--fix``, ``--unsafe-fixes``, ``--diff`` and editors' code actions.

A file is fixed in rounds: the fixes of its current findings that do not overlap are
applied together, the result must parse (CPython's parser decides; a file that would not
parse is never written), and the new text is linted again, because one fix can make
another possible or change what is reported. Rounds stop when no fix applies, when a
text comes back that was seen before (two fixes undoing each other), or after
``MAX_ROUNDS``. If the fixes of a round together break the file, they are tried one at
a time and the ones that break it are dropped.
"""

from __future__ import annotations

import ast
import difflib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from redislint.diagnostics import Finding, Fix
from redislint.semantic.edits import Offsets

if TYPE_CHECKING:
    from redislint.engine.runner import Runner

MAX_ROUNDS = 10

Lint = Callable[[str], list[Finding]]


def applicable(finding: Finding, unsafe: bool) -> bool:
    """Whether ``finding`` has a fix that the run may apply."""
    return finding.fix is not None and (finding.fix.safe or unsafe) and bool(finding.fix.edits)


def apply(text: str, fixes: Sequence[Fix]) -> tuple[str, list[int]]:
    """Apply the fixes that do not overlap an earlier one; the indexes of those applied."""
    offsets = Offsets(text)
    taken: list[tuple[int, int]] = []
    chosen: list[int] = []
    spans_of: dict[int, list[tuple[int, int, str]]] = {}
    order = sorted(range(len(fixes)), key=lambda i: min(e.start for e in fixes[i].edits))
    for i in order:
        spans = [
            (offsets.offset(e.start), offsets.offset(e.end), e.content) for e in fixes[i].edits
        ]
        if any(_overlap(a, b) for a in spans for b in taken):
            continue
        taken.extend((s, e) for s, e, _ in spans)
        spans_of[i] = spans
        chosen.append(i)
    edits = sorted((span for i in chosen for span in spans_of[i]), key=lambda s: (s[0], s[1]))
    pieces: list[str] = []
    position = 0
    for start, end, content in edits:
        pieces.append(text[position:start])
        pieces.append(content)
        position = end
    pieces.append(text[position:])
    return "".join(pieces), sorted(chosen)


def _overlap(a: tuple[int, int, str] | tuple[int, int], b: tuple[int, int]) -> bool:
    """Ranges that share a character, or two insertions at one place (order unknown)."""
    return (a[0] < b[1] and b[0] < a[1]) or a[0] == b[0] or (a[0] == a[1] == b[1])


def parses(text: str) -> bool:
    """Whether CPython accepts ``text`` (the check before any fixed file is written)."""
    try:
        ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


@dataclass
class Fixed:
    """One file after fixing: its new text, the findings fixed, the findings left."""

    text: str
    fixed: list[Finding] = field(default_factory=list)
    remaining: list[Finding] = field(default_factory=list)


def fix_text(text: str, lint: Lint, unsafe: bool, findings: list[Finding] | None = None) -> Fixed:
    """Fix ``text`` in rounds (see the module docstring); ``lint`` lints a text."""
    current = findings if findings is not None else lint(text)
    result = Fixed(text)
    seen = {text}
    must_parse = parses(text)
    for _round in range(MAX_ROUNDS):
        candidates = [f for f in current if applicable(f, unsafe)]
        if not candidates:
            break
        new_text, applied = apply(result.text, [_fix_of(f) for f in candidates])
        if must_parse and not parses(new_text):
            new_text, applied = _one_by_one(result.text, candidates)
        if not applied or new_text in seen:
            break
        seen.add(new_text)
        result.fixed.extend(candidates[i] for i in applied)
        result.text = new_text
        current = lint(new_text)
    result.remaining = current
    return result


def _one_by_one(text: str, candidates: list[Finding]) -> tuple[str, list[int]]:
    """Apply the fixes one at a time, keeping those after which the text still parses.

    Every fix's positions refer to ``text``, so each trial applies the accepted fixes
    and one more to the same original text.
    """
    accepted: list[int] = []
    current = text
    for i in range(len(candidates)):
        trial, done = apply(text, [_fix_of(candidates[j]) for j in [*accepted, i]])
        if len(done) == len(accepted) + 1 and parses(trial):
            accepted.append(i)
            current = trial
    return current, accepted


def _fix_of(finding: Finding) -> Fix:
    assert finding.fix is not None
    return finding.fix


def unified_diff(path: str, before: str, after: str) -> str:
    """A unified diff of one file (``--diff``), with git-style ``a/`` and ``b/`` names."""
    lines = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        fromfile=f"a/{path}",
        tofile=f"b/{path}",
    )
    out = []
    for line in lines:
        out.append(
            line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n"
        )
    return "".join(out)


@dataclass
class FileFix:
    """A file of the tree that fixes change."""

    path: Path
    shown: str
    before: str
    after: str
    encoding: str
    data: bytes  # the bytes read, to notice a file changed while it was being fixed
    fixed: list[Finding]


def fix_files(
    runner: Runner, findings: Iterable[Finding], unsafe: bool
) -> tuple[list[FileFix], list[str]]:
    """Fix every file of the last run that has applicable fixes; nothing is written.

    Returns the changed files and warnings (files that could not be fixed).
    """
    from redislint.engine.source import read_source

    by_path: dict[str, list[Finding]] = {}
    for finding in findings:
        if applicable(finding, unsafe):
            by_path.setdefault(finding.path, []).append(finding)
    changed: list[FileFix] = []
    warnings: list[str] = []
    project = runner.project
    if project is None:
        return changed, warnings
    for shown in sorted(by_path):
        path = runner.cwd / shown if not Path(shown).is_absolute() else Path(shown)
        data, source = read_source(path)
        if source.text is None:
            warnings.append(f"{shown}: cannot read the file to fix it: {source.error}")
            continue

        def lint(text: str, path: Path = path, shown: str = shown) -> list[Finding]:
            return runner.text_findings(text, path, shown, project)

        outcome = fix_text(source.text, lint, unsafe)
        if outcome.fixed and outcome.text != source.text:
            changed.append(
                FileFix(
                    path, shown, source.text, outcome.text, source.encoding, data, outcome.fixed
                )
            )
    return changed, warnings


def write(change: FileFix) -> str | None:
    """Write a fixed file in place (keeping its encoding and BOM); an error message or None."""
    try:
        if change.path.read_bytes() != change.data:
            return f"{change.shown}: the file changed while it was being fixed; not written"
        change.path.write_bytes(change.after.encode(change.encoding))
    except (OSError, UnicodeEncodeError) as exc:
        return f"{change.shown}: cannot write the fixed file: {exc}"
    return None
