"""``--add-noqa``: a ``# noqa: RLxxx`` comment on the line of every current finding.

For teams that want a clean run today and fix later. The comment goes where the
suppression lookup looks for it (``engine.suppressions``): the finding's line, or the
line where a multi-line string or a backslash-continued line ends. Codes are merged into
an existing ``# noqa: ...`` (other tools' codes stay) or ``# redislint: ignore[...]``
comment on that line; otherwise ``  # noqa: RLxxx`` is appended after any other comment
(``# type: ignore`` keeps its place at the start of the comment). A file whose lines
cannot be tokenized, or that would not parse afterwards, is left alone. In a redis.conf
file a comment must be a line of its own: the comment goes on a new line above the directive.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from redislint.diagnostics import Finding
from redislint.engine.fixes import FileFix, parses
from redislint.engine.suppressions import FileSuppressions, Suppression, line_suppressions

_NOT_SUPPRESSIBLE = frozenset({"RL000", "RL001"})
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)?")


@dataclass(frozen=True)
class Added:
    """What ``--add-noqa`` changed."""

    files: list[tuple[FileFix, int]]  # each changed file, and how many lines got a comment
    warnings: list[str]


def add_noqa_text(text: str, findings: Iterable[Finding]) -> tuple[str, int] | None:
    """``text`` with noqa comments for ``findings``; None when it cannot be done safely."""
    suppressions = FileSuppressions(text)
    wanted: dict[int, list[str]] = {}
    for finding in findings:
        if finding.code in _NOT_SUPPRESSIBLE:
            continue
        line = suppressions.map.target(finding.start.line)
        codes = wanted.setdefault(line, [])
        if finding.code not in codes:
            codes.append(finding.code)
    if not wanted:
        return text, 0
    if not suppressions.map.exact:
        return None
    lines = [m.group() for m in _LINE.finditer(text)][:-1] or [text]
    comments = {id(s): s for s in suppressions.comments()}
    changed = 0
    for number, codes in sorted(wanted.items()):
        if not 0 < number <= len(lines):
            return None
        raw = lines[number - 1]
        body = raw.rstrip("\r\n")
        ending = raw[len(body) :]
        on_line = [s for s in suppressions.on_line(number) if id(s) in comments]
        new = _with_codes(body, on_line, sorted(codes))
        if new != body:
            lines[number - 1] = new + ending
            changed += 1
    result = "".join(lines)
    if not parses(result) and parses(text):
        return None
    return result, changed


def add_noqa_conf_text(text: str, findings: Iterable[Finding]) -> tuple[str, int]:
    """``text`` of a redis.conf file with a ``# noqa: ...`` comment line above each
    finding's directive (comments there are whole lines, see ``engine.conffiles``); codes
    are merged into a noqa comment already in the comment block above the directive."""
    wanted: dict[int, list[str]] = {}
    for finding in findings:
        if finding.code not in _NOT_SUPPRESSIBLE:
            codes = wanted.setdefault(max(finding.start.line, 1), [])
            if finding.code not in codes:
                codes.append(finding.code)
    lines = [m.group() for m in _LINE.finditer(text)][:-1]
    newline = next((ln[len(ln.rstrip("\r\n")) :] for ln in lines if ln.endswith("\n")), "\n")
    changed = 0
    for number in sorted(wanted, reverse=True):  # bottom up: line numbers stay valid
        codes = sorted(wanted[number])
        above = number - 1
        merged = False
        while above >= 1 and lines[above - 1].lstrip().startswith("#"):
            body = lines[above - 1].rstrip("\r\n")
            noqa = [s for s in line_suppressions(body, above) if s.kind == "noqa" and s.codes]
            if noqa:
                new = _with_codes(body, noqa, codes)
                if new != body:
                    lines[above - 1] = new + lines[above - 1][len(body) :]
                    changed += 1
                merged = True
                break
            above -= 1
        if not merged:
            lines.insert(number - 1, "# noqa: " + ", ".join(codes) + newline)
            changed += 1
    return "".join(lines), changed


def _with_codes(body: str, existing: list[Suppression], codes: list[str]) -> str:
    for kind in ("noqa", "ignore"):
        for suppression in existing:
            if suppression.kind != kind or suppression.codes is None:
                continue
            missing = [c for c in codes if c not in suppression.codes]
            if not missing:
                return body
            tokens = [*suppression.tokens, *missing]
            directive = (
                "# noqa: " + ", ".join(tokens)
                if kind == "noqa"
                else "# redislint: ignore[" + ", ".join(tokens) + "]"
            )
            return body[: suppression.start] + directive + body[suppression.end :]
    if any(s.codes is None for s in existing):
        return body  # a bare noqa or ignore already silences everything
    return body.rstrip() + "  # noqa: " + ", ".join(codes)


def add_noqa(findings: list[Finding], cwd: Path) -> Added:
    """Add noqa comments to the files of ``findings`` (nothing is written here)."""
    from redislint.engine.source import read_source

    by_path: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.code not in _NOT_SUPPRESSIBLE:
            by_path.setdefault(finding.path, []).append(finding)
    files: list[tuple[FileFix, int]] = []
    warnings: list[str] = []
    for shown in sorted(by_path):
        path = Path(shown) if Path(shown).is_absolute() else cwd / shown
        data, source = read_source(path)
        if source.text is None:
            warnings.append(f"{shown}: cannot read the file: {source.error}")
            continue
        if path.suffix in (".py", ".pyi"):
            outcome = add_noqa_text(source.text, by_path[shown])
        else:  # a Redis configuration file
            outcome = add_noqa_conf_text(source.text, by_path[shown])
        if outcome is None:
            warnings.append(f"{shown}: cannot place noqa comments safely; file left unchanged")
            continue
        text, count = outcome
        if count:
            files.append(
                (FileFix(path, shown, source.text, text, source.encoding, data, []), count)
            )
    return Added(files, warnings)
