"""What a rule sees of the file it checks, and how it reports a finding."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import libcst as cst

from redislint.engine.model import Command, Scope
from redislint.engine.treefacts import TreeCondition
from redislint.keys.shape import KeyShape, shape_of

if TYPE_CHECKING:
    from redislint.config import Settings
    from redislint.engine.analyzer import Analyzer
    from redislint.engine.project import Project
    from redislint.rules.base import Rule


@dataclass(frozen=True)
class Anchor:
    """Where a finding points: a node, or a character range inside a string literal."""

    node: cst.CSTNode
    inner: tuple[int, int] | None = None  # value offsets inside a SimpleString


@dataclass(frozen=True)
class RawFinding:
    """A finding before positions are known (they are computed only for reported nodes)."""

    rule: type[Rule]
    anchor: Anchor
    message: str
    condition: TreeCondition | None = None
    redact: tuple[str, ...] = ()


class FileContext:
    """One file under analysis: its tree, its scopes, the settings and the project."""

    def __init__(
        self,
        path: str,
        module: cst.Module,
        analyzer: Analyzer,
        settings: Settings,
        project: Project,
        is_test: bool,
    ) -> None:
        self.path = path
        self.module = module
        self.analyzer = analyzer
        self.settings = settings
        self.project = project
        self.is_test = is_test
        self.findings: list[RawFinding] = []
        self._reported: set[tuple[int, str]] = set()

    @property
    def scopes(self) -> list[Scope]:
        return self.analyzer.scopes

    @property
    def commands(self) -> list[Command]:
        return self.analyzer.commands

    def command_for(self, node: cst.Call) -> Command | None:
        return self.analyzer.command_by_node.get(node)

    def module_constant(self, name: str) -> cst.BaseExpression | None:
        """The string expression a module-level name is bound to, if any."""
        return self.analyzer.scopes[0].strings.get(name)

    def shape(self, node: cst.BaseExpression, scope: Scope) -> KeyShape:
        """The key shape of an expression of ``scope`` (names inlined as the scope binds them)."""

        def lookup(name: str) -> tuple[cst.BaseExpression | None, int]:
            version = scope.versions.get(name, 0)
            if version:
                return scope.strings.get(name), version
            return self.scopes[0].strings.get(name), 0

        return shape_of(node, lookup)

    def report(
        self,
        rule: type[Rule] | Rule,
        node: cst.CSTNode,
        message: str,
        inner: tuple[int, int] | None = None,
        when: TreeCondition | None = None,
        redact: tuple[str, ...] = (),
    ) -> None:
        """Report a finding of ``rule`` at ``node`` (once per node and rule).

        With ``when``, the finding is kept only if the condition holds for the whole
        linted tree (decided after every file is linted). ``redact``: secrets that
        reporters must mask where they print source lines.
        """
        rule_type = rule if isinstance(rule, type) else type(rule)
        key = (id(node), rule_type.code + (str(inner) if inner else ""))
        if key in self._reported:
            return
        self._reported.add(key)
        self.findings.append(RawFinding(rule_type, Anchor(node, inner), message, when, redact))

    def reported(self, node: cst.CSTNode, code: str) -> bool:
        return (id(node), code) in self._reported
