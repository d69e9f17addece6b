"""The finding type every part of redislint shares: rules create them, reporters print them."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Protocol


class Severity(str, enum.Enum):
    """How bad a finding is; maps onto SARIF levels and GitHub annotation kinds."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class RuleMeta(Protocol):
    """What a finding needs of its rule: a rule class or instance, or an engine code."""

    @property
    def code(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def severity(self) -> Severity: ...


@dataclass(frozen=True, order=True)
class Position:
    """A 1-based line and 1-based column (counted in Unicode code points)."""

    line: int
    column: int


@dataclass(frozen=True)
class Edit:
    """Replace the text between ``start`` and ``end`` with ``content``."""

    start: Position
    end: Position
    content: str


@dataclass(frozen=True)
class Fix:
    """A change that resolves a finding; ``safe`` fixes keep the program's behaviour."""

    message: str
    edits: tuple[Edit, ...]
    safe: bool


@dataclass(frozen=True)
class Finding:
    """One problem in one file, anchored at a source range."""

    path: str
    code: str
    name: str
    severity: Severity
    message: str
    start: Position
    end: Position
    fix: Fix | None = field(default=None, compare=False)
    fingerprint: str = field(default="", compare=False)
    # the qualified name of the function or class around the finding ("" at module level)
    scope: str = field(default="", compare=False)
    # Where secrets are in the reported file (a hard-coded password), as (line, first
    # column, column after the last): reporters that show source lines mask them. The
    # secrets themselves are never kept (nor written to the cache); messages never hold them.
    redact: tuple[tuple[int, int, int], ...] = field(default=(), compare=False)
    # How the Redis object the finding is about was recognised: "resolved" (imports,
    # constructors, annotations...), "evidence" (the Redis-only commands called on it) or
    # "name" (the client-name-patterns fallback); "" where no receiver is involved.
    recognised: str = field(default="", compare=False)

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.start.line, self.start.column, self.code, self.message)


@dataclass(frozen=True)
class EngineCode:
    """A diagnostic the engine emits itself (not a rule about Redis): its name and severity,
    known without importing the rules (``rules/engine_codes/`` documents them)."""

    code: str
    name: str
    severity: Severity


ENGINE_CODES = {
    "RL000": EngineCode("RL000", "parse-error", Severity.ERROR),
    "RL001": EngineCode("RL001", "unused-suppression", Severity.INFO),
}
