"""The rule base class: metadata next to logic, hooks the engine calls after its traversal.

A rule's docstring is its documentation (``redislint --explain``, ``docs/rules/``, the
SARIF help text), written in Markdown with the sections of ``DOC_SECTIONS``.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from redislint.diagnostics import Severity

if TYPE_CHECKING:
    from redislint.redisconf import Conf
    from redislint.semantic.confcontext import ConfContext
    from redislint.semantic.context import FileContext
    from redislint.semantic.keyspace import TemplateRow
    from redislint.semantic.model import Command, Construction, Scope
    from redislint.settings import Settings

DOC_SECTIONS = (
    "What it does",
    "Why is this bad?",
    "Example",
    "Use instead",
    "Fix safety",
    "References",
)

DOCS_URL = "https://github.com/redislint/redislint/blob/main/docs/rules/{code}.md"


@dataclass(frozen=True)
class KeyspaceFinding:
    """A finding about the tree's keyspace, where one of its uses is."""

    path: str
    line: int
    column: int
    message: str


class Rule:
    """Base class of every rule. Override the ``check_*`` hooks the rule needs."""

    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity]
    summary: ClassVar[str]
    default_enabled: ClassVar[bool] = True
    tags: ClassVar[tuple[str, ...]] = ()
    # How often a finding is a real problem (SARIF ``precision``): very-high, high, medium, low.
    precision: ClassVar[str] = "high"
    # Commands the rule asks about across the tree (``TreeQuery.names``): each file keeps
    # a summary of just these commands for the tree-wide pass.
    tree_commands: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def check_command(self, cmd: Command, ctx: FileContext) -> None:
        """Called for every method call on a recognised Redis object."""

    def check_construction(self, construction: Construction, ctx: FileContext) -> None:
        """Called for every client, pool, lock or pipeline construction."""

    def check_scope(self, scope: Scope, ctx: FileContext) -> None:
        """Called once per module, class body, function and lambda, after the traversal."""

    def check_file(self, ctx: FileContext) -> None:
        """Called once per file, after everything else."""

    def check_config(self, conf: Conf, ctx: ConfContext) -> None:
        """Called once per redis.conf / valkey.conf file (its includes expanded)."""

    def check_keyspace(self, rows: list[TemplateRow]) -> Iterator[KeyspaceFinding]:
        """Called once per run with the rows of the keyspace map whose templates the
        tree uses as more than one Redis type (``semantic/keyspace.py``)."""
        return iter(())

    @classmethod
    def doc(cls) -> str:
        """The rule's documentation (its docstring) as Markdown."""
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def doc_url(cls) -> str:
        return DOCS_URL.format(code=cls.code)

    @classmethod
    def overrides(cls, hook: str) -> bool:
        return getattr(cls, hook) is not getattr(Rule, hook)


def version_tuple(text: str) -> tuple[int, ...]:
    """``"7.2"`` -> ``(7, 2)``."""
    parts = []
    for piece in text.split("."):
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts)


def supports(target: tuple[int, ...] | None, version: str) -> bool:
    """Whether the configured ``target-redis-version`` (None: newest) has ``version``'s commands."""
    return target is None or target >= version_tuple(version)
