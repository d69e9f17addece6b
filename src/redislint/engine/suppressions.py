"""Suppression comments: flake8-style noqa (all codes or a list), ``redislint: ignore[...]``,
and ``# redislint: ignore-file`` on a line of its own.

A suppression comment goes on the line where a finding starts, except where that line
cannot hold a comment: a line inside a multi-line string, or one that ends with a
backslash continuation. Such a finding is suppressed by a comment on the line where the
string or the continued line ends (as in ruff), and ``--add-noqa`` puts it there.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass, field

from redislint.engine.source import source_lines

# flake8's form: a bare noqa comment, or one listing codes (letters then digits).
_NOQA = re.compile(
    r"#\s*noqa(?::[\s]?(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?", re.IGNORECASE
)
_IGNORE = re.compile(r"#\s*redislint:\s*ignore(?!-file)(?:\[(?P<codes>[^\]]*)\])?", re.IGNORECASE)
# A line starts after \n or a lone \r (``^`` with MULTILINE knows only \n).
_IGNORE_FILE = re.compile(
    r"(?:\A|(?<=[\r\n]))[ \t\f]*#[ \t\f]*redislint:[ \t\f]*ignore-file\b", re.IGNORECASE
)
_OURS = re.compile(r"^RL\d*$")


@dataclass
class Suppression:
    """One suppression comment on one line; ``codes`` None means every code."""

    line: int
    codes: frozenset[str] | None
    used: set[str] = field(default_factory=set)
    kind: str = "noqa"  # "noqa" or "ignore" (``# redislint: ignore``)
    start: int = 0  # the directive's 0-based character range on the line
    end: int = 0
    tokens: tuple[str, ...] = ()  # the codes as written, in order

    def ours(self) -> list[str]:
        """The listed codes meant for redislint (every code of ``redislint: ignore``)."""
        if self.kind == "ignore":
            return list(self.codes or ())
        return [c for c in self.codes or () if _OURS.match(c)]


def split_lines(text: str) -> list[str]:
    """The physical lines of ``text`` as Python counts them (only CR, LF and CRLF end one)."""
    lines = source_lines(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def file_ignored(text: str) -> bool:
    """Whether the file carries ``# redislint: ignore-file``."""
    return "redislint" in text and _IGNORE_FILE.search(text) is not None


def _split(codes: str) -> list[str]:
    return [token for token in re.split(r"[,\s]+", codes.strip()) if token]


def normalise(token: str) -> str:
    """A listed code as the rule registry spells it (names and case resolved)."""
    from redislint.rules import lookup

    rule = lookup(token)
    return rule.code if rule is not None else token.upper()


def line_suppressions(line_text: str, line: int) -> list[Suppression]:
    """The suppression comments on one physical line."""
    found: list[Suppression] = []
    if "#" not in line_text:
        return found
    for kind, pattern in (("noqa", _NOQA), ("ignore", _IGNORE)):
        for match in pattern.finditer(line_text):
            codes = match.group("codes")
            listed = codes is not None and (kind == "noqa" or bool(_split(codes)))
            tokens = tuple(_split(codes)) if listed and codes is not None else ()
            found.append(
                Suppression(
                    line,
                    frozenset(normalise(t) for t in tokens) if listed else None,
                    kind=kind,
                    start=match.start(),
                    end=match.end(),
                    tokens=tokens,
                )
            )
    return found


def suppresses(suppression: Suppression, code: str) -> bool:
    return suppression.codes is None or bool(matching(suppression, code))


def matching(suppression: Suppression, code: str) -> list[str]:
    """The listed codes of ``suppression`` that cover ``code``."""
    if suppression.codes is None:
        return []
    return [
        c for c in suppression.codes if code == c or (c.startswith("RL") and code.startswith(c))
    ]


@dataclass
class CommentMap:
    """Where comments are, and on which line a line's suppression comment goes."""

    targets: dict[int, int] = field(default_factory=dict)
    comments: dict[int, tuple[int, str]] = field(default_factory=dict)  # line -> (column, text)
    exact: bool = True  # False when the file could not be tokenized

    def target(self, line: int) -> int:
        """The line that can hold a comment for a finding starting on ``line``."""
        seen = 0
        while line in self.targets and seen < 10_000:
            line = self.targets[line]
            seen += 1
        return line


def comment_map(text: str) -> CommentMap:
    """One tokenizer pass: the comments, multi-line strings and continued lines of ``text``."""
    found = CommentMap()
    has_tokens: set[int] = set()
    ended: set[int] = set()
    fstrings: list[int] = []
    fstring_start = getattr(tokenize, "FSTRING_START", -1)
    fstring_end = getattr(tokenize, "FSTRING_END", -1)
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            kind, (first, column), (last, _) = token.type, token.start, token.end
            if kind in (tokenize.NL, tokenize.NEWLINE):
                ended.add(first)
                continue
            if kind == tokenize.COMMENT:
                found.comments[first] = (column, token.string)
                continue
            if kind in (tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER):
                continue
            has_tokens.add(first)
            if kind == fstring_start:
                fstrings.append(first)
            elif kind == fstring_end and fstrings:
                first = fstrings.pop()
            if last > first and kind in (tokenize.STRING, fstring_end):
                for line in range(first, last):
                    found.targets[line] = last
    except (tokenize.TokenError, SyntaxError, ValueError, RecursionError, MemoryError):
        return CommentMap(exact=False)
    for line in has_tokens - ended:
        found.targets.setdefault(line, line + 1)  # a backslash continues the line
    return found


class FileSuppressions:
    """The suppression comments of one file, looked up by the line a finding starts on."""

    def __init__(self, text: str) -> None:
        self.lines = split_lines(text)
        lowered = text.lower()
        # every suppression comment holds one of these words: without them there is nothing
        # to look up, and no need to tokenize the file to find where comments are
        self._directives = "noqa" in lowered or "redislint" in lowered
        # only then can a finding's line differ from the line its comment goes on
        self._movable = self._directives and any(
            mark in text for mark in ('"""', "'''", "\\\n", "\\\r")
        )
        self._map: CommentMap | None = None
        self._by_line: dict[int, list[Suppression]] = {}

    @property
    def map(self) -> CommentMap:
        if self._map is None:
            self._map = comment_map("\n".join(self.lines) + "\n")
        return self._map

    def on_line(self, line: int) -> list[Suppression]:
        found = self._by_line.get(line)
        if found is None:
            text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
            found = self._by_line[line] = line_suppressions(text, line)
        return found

    def covering(self, line: int, code: str) -> list[Suppression]:
        """The suppressions that silence ``code`` for a finding starting on ``line``."""
        found = [s for s in self.on_line(line) if suppresses(s, code)]
        if not found and (self._map is not None or self._movable):
            target = self.map.target(line)
            if target != line:
                found = [s for s in self.on_line(target) if suppresses(s, code)]
        return found

    def comments(self) -> list[Suppression]:
        """Every suppression written in a real comment (not inside a string)."""
        out: list[Suppression] = []
        if not self._directives:
            return out
        for line, (column, comment) in sorted(self.map.comments.items()):
            for suppression in self.on_line(line):
                if suppression.start >= column and suppression.end <= column + len(comment):
                    out.append(suppression)
        return out
