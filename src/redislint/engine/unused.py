"""RL001 unused-suppression: suppression comments that silence no finding.

Only comments meant for redislint are judged, and only for rules enabled in the run (a
comment for a rule that is off may be meant for a run that enables it). In ``# noqa: E501, RL101`` the ``E501``
belongs to another tool and is never reported; a bare ``# noqa`` silences every tool's
findings on its line, so redislint cannot know it is unused and never reports it. A bare
``# redislint: ignore`` and every code of ``# redislint: ignore[...]`` are redislint's own.

A suppression that silenced only a finding that waits on a tree-wide condition is
reported only if that condition fails (then the finding would not have been reported
either); when several such findings used it, it counts as used.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from redislint import rules as registry
from redislint.diagnostics import Edit, Finding, Fix, Position
from redislint.engine.suppressions import FileSuppressions, Suppression, matching, normalise
from redislint.semantic.treefacts import TreeCondition

UNUSED = "RL001"


@dataclass
class Usage:
    """Which suppression comments silenced which codes, and under what condition."""

    uses: dict[int, list[tuple[str | None, TreeCondition | None]]] = field(default_factory=dict)

    def record(
        self, covering: Iterable[Suppression], code: str, condition: TreeCondition | None
    ) -> None:
        for suppression in covering:
            listed: list[str | None] = list(matching(suppression, code)) or [None]
            for listed_code in listed:
                self.uses.setdefault(id(suppression), []).append((listed_code, condition))


def _known(code: str) -> list[str]:
    """The rule codes a listed code covers (itself, or every code it is a prefix of)."""
    return [r.code for r in registry.ALL_RULES if code.startswith("RL") and r.code.startswith(code)]


def _judged(code: str, enabled: frozenset[str]) -> bool:
    """Codes of rules that are off in this run are not judged: the comment may be meant
    for a run that enables them, nor are the keyspace rules'. Unknown codes always are."""
    known = _known(code)
    # a keyspace rule (RL405) finds after every file is linted: not judged file by file
    per_file = [c for c in known if not registry.BY_CODE[c].overrides("check_keyspace")]
    return not known or any(c in enabled for c in per_file)


def _full(enabled: frozenset[str]) -> bool:
    """Every rule that is on by default is enabled: a bare ignore can be judged."""
    return all(
        r.code in enabled for r in registry.ALL_RULES if r.default_enabled and r.code != "RL000"
    )


def _reason(code: str) -> str:
    if not _known(code):
        return f"{code} is not a redislint code"
    return f"no {code} finding on this line"


def _status(
    uses: list[tuple[str | None, TreeCondition | None]], code: str | None
) -> tuple[bool, TreeCondition | None]:
    """(used, condition): unused when not used, or used only if ``condition`` holds."""
    conditions = [c for listed, c in uses if code is None or listed == code]
    if not conditions:
        return False, None
    if any(c is None for c in conditions) or len(conditions) > 1:
        return True, None
    condition = conditions[0]
    assert condition is not None
    return False, TreeCondition(condition.query, not condition.expected)


def unused(
    suppressions: FileSuppressions, usage: Usage, enabled: frozenset[str], shown: str
) -> list[tuple[Finding, TreeCondition | None]]:
    """RL001 findings (with the fix that removes what is unused) for one file."""
    out: list[tuple[Finding, TreeCondition | None]] = []
    for suppression in suppressions.comments():
        uses = usage.uses.get(id(suppression), [])
        if suppression.codes is None:
            if suppression.kind == "noqa" or not _full(enabled):
                continue  # a bare noqa may be another linter's; a bare ignore any rule's
            used, condition = _status(uses, None)
            if not used:
                out.append((_finding(suppressions, suppression, [], shown), condition))
            continue
        if UNUSED in suppression.codes:
            continue
        ours = suppression.ours()
        definite: list[str] = []
        for code in sorted(ours):
            if not _judged(code, enabled):
                continue
            used, condition = _status(uses, code)
            if used:
                continue
            if condition is None:
                definite.append(code)
            else:
                finding = _finding(suppressions, suppression, [code], shown, [_reason(code)])
                out.append((finding, condition))
        if definite:
            reasons = [_reason(c) for c in definite]
            out.append((_finding(suppressions, suppression, definite, shown, reasons), None))
    return out


def _finding(
    suppressions: FileSuppressions,
    suppression: Suppression,
    codes: list[str],
    shown: str,
    reasons: list[str] | None = None,
) -> Finding:
    rule = registry.BY_CODE[UNUSED]
    directive = "# noqa" if suppression.kind == "noqa" else "# redislint: ignore"
    kept = [t for t in suppression.tokens if normalise(t) not in codes]
    if not codes:
        message = f"`{directive}` suppresses nothing on this line; remove it"
    elif not kept:
        message = f"`{directive}` suppresses nothing: {'; '.join(reasons or [])}; remove it"
    else:
        names = ", ".join(codes)
        message = f"{names} in `{directive}` suppresses nothing: {'; '.join(reasons or [])}"
    line = suppression.line
    return Finding(
        path=shown,
        code=UNUSED,
        name=rule.name,
        severity=rule.severity,
        message=message,
        start=Position(line, suppression.start + 1),
        end=Position(line, suppression.end + 1),
        fix=_fix(suppressions, suppression, kept if codes else []),
    )


def _fix(suppressions: FileSuppressions, suppression: Suppression, kept: list[str]) -> Fix:
    """Remove the unused codes from the comment (keeping ``kept``), or the whole directive."""
    line = suppression.line
    text = suppressions.lines[line - 1]
    start, end = suppression.start, suppression.end
    if kept:
        if suppression.kind == "noqa":
            directive = "# noqa: " + ", ".join(kept)
        else:
            directive = "# redislint: ignore[" + ", ".join(kept) + "]"
        edit = Edit(Position(line, start + 1), Position(line, end + 1), directive)
        return Fix("Remove the unused codes", (edit,), safe=True)
    column, comment = suppressions.map.comments.get(line, (start, text[start:]))
    comment_end = column + len(comment.rstrip())
    before = text[:column]
    if start == column and end >= comment_end:  # the comment is just the directive
        if not before.strip():
            edit = Edit(Position(line, 1), Position(line + 1, 1), "")
        else:
            code_end = len(before.rstrip())
            edit = Edit(Position(line, code_end + 1), Position(line, comment_end + 1), "")
    elif start == column:  # the directive opens a longer comment: keep the rest
        rest = len(text[end:]) - len(text[end:].lstrip())
        edit = Edit(Position(line, start + 1), Position(line, end + rest + 1), "# ")
    else:  # the directive follows another comment
        gap = len(text[:start]) - len(text[:start].rstrip())
        edit = Edit(Position(line, start - gap + 1), Position(line, end + 1), "")
    return Fix("Remove the unused suppression comment", (edit,), safe=True)
