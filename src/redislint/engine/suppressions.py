"""Suppression comments: flake8-style noqa (all codes or a list), ``redislint: ignore[...]``,
and ``# redislint: ignore-file`` on a line of its own."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# flake8's form: ``# noqa`` or ``# noqa: A123, B456`` (codes are letters then digits).
_NOQA = re.compile(
    r"#\s*noqa(?::[\s]?(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?", re.IGNORECASE
)
_IGNORE = re.compile(r"#\s*redislint:\s*ignore(?!-file)(?:\[(?P<codes>[^\]]*)\])?", re.IGNORECASE)
# A line starts after \n or a lone \r (``^`` with MULTILINE knows only \n).
_IGNORE_FILE = re.compile(
    r"(?:\A|(?<=[\r\n]))[ \t\f]*#[ \t\f]*redislint:[ \t\f]*ignore-file\b", re.IGNORECASE
)


@dataclass
class Suppression:
    """One suppression comment on one line; ``codes`` None means every code."""

    line: int
    codes: frozenset[str] | None
    used: set[str] = field(default_factory=set)


def file_ignored(text: str) -> bool:
    """Whether the file carries ``# redislint: ignore-file``."""
    return "redislint" in text and _IGNORE_FILE.search(text) is not None


def _normalise(codes: str) -> frozenset[str]:
    from redislint.rules import lookup

    out = set()
    for token in re.split(r"[,\s]+", codes.strip()):
        if not token:
            continue
        rule = lookup(token)
        out.add(rule.code if rule is not None else token.upper())
    return frozenset(out)


def line_suppressions(line_text: str, line: int) -> list[Suppression]:
    """The suppression comments on one physical line."""
    found: list[Suppression] = []
    if "#" not in line_text:
        return found
    for match in _NOQA.finditer(line_text):
        codes = match.group("codes")
        found.append(Suppression(line, _normalise(codes) if codes else None))
    for match in _IGNORE.finditer(line_text):
        codes = match.group("codes")
        found.append(Suppression(line, _normalise(codes) if codes is not None else None))
    return found


def suppresses(suppression: Suppression, code: str) -> bool:
    if suppression.codes is None:
        return True
    return any(code == c or (c.startswith("RL") and code.startswith(c)) for c in suppression.codes)
