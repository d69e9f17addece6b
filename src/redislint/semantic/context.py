"""What a rule sees of the file it checks, and how it reports a finding."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from redislint.clients.cst_sym import from_cst
from redislint.clients.types import Value
from redislint.diagnostics import RuleMeta
from redislint.keys.shape import KeyShape
from redislint.semantic.edits import FixPlan
from redislint.semantic.loops import LoopFacts, inspect_loop
from redislint.semantic.model import Command, Scope
from redislint.semantic.treefacts import TreeCondition

# A placeholder for the line of another node in a message; filled in once positions are known.
LINE_REF = re.compile("\x00line:(\\d+)\x00")

if TYPE_CHECKING:
    import libcst as cst
else:
    from redislint._lazy import cst

if TYPE_CHECKING:
    from redislint.semantic.analyzer import Analyzer
    from redislint.semantic.project import Project
    from redislint.settings import Settings


@dataclass(frozen=True)
class Anchor:
    """Where a finding points: a node, or a character range inside a string literal."""

    node: cst.CSTNode
    inner: tuple[int, int] | None = None  # value offsets inside a SimpleString


@dataclass(frozen=True)
class RawFinding:
    """A finding before positions are known (they are computed only for reported nodes)."""

    rule: RuleMeta
    anchor: Anchor
    message: str
    condition: TreeCondition | None = None
    fix: FixPlan | None = None
    redact: tuple[str, ...] = ()
    recognised: str = ""


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
        self.related: list[cst.CSTNode] = []  # nodes whose lines messages name
        self._reported: set[tuple[int, str]] = set()
        self._by_class: dict[str, list[Command]] | None = None
        self._loops: dict[int, LoopFacts] = {}

    @property
    def scopes(self) -> list[Scope]:
        return self.analyzer.scopes

    @property
    def commands(self) -> list[Command]:
        return self.analyzer.commands

    def class_commands(self, qualname: str) -> list[Command]:
        """The commands in the methods of class ``qualname`` of this file."""
        if self._by_class is None:
            self._by_class = {}
            for cmd in self.commands:
                owner = cmd.scope.class_qualname
                if owner is not None:
                    self._by_class.setdefault(owner, []).append(cmd)
        return self._by_class.get(qualname, [])

    def command_for(self, node: cst.Call) -> Command | None:
        return self.analyzer.command_by_node.get(node)

    def loop_facts(self, loop: cst.CSTNode) -> LoopFacts:
        """The waits and exits of a loop from ``Command.loops`` (inspected once per loop)."""
        facts = self._loops.get(id(loop))
        if facts is None:
            waits = self.analyzer.loop_waits.get(id(loop), ())
            facts = self._loops[id(loop)] = inspect_loop(loop, waits)
        return facts

    def module_constant(self, name: str) -> cst.BaseExpression | None:
        """The string expression a module-level name is bound to, if any."""
        return self.analyzer.scopes[0].strings.get(name)

    def shape(self, node: cst.BaseExpression, scope: Scope) -> KeyShape:
        """The key shape of an expression of ``scope`` (names inlined as the scope binds them)."""
        return self.analyzer.shape_in(node, scope)

    def resolve(self, node: cst.BaseExpression, scope: Scope) -> Value:
        """What an expression of ``scope`` evaluates to, through the engine's resolver."""
        return self.analyzer.resolver(scope).value(from_cst(node))

    def binding(self, cmd: Command, name: str) -> cst.BaseExpression | None:
        """The expression ``name`` was bound to when ``cmd`` ran.

        Local names as the analyzer saw them at the call; names that are not local to
        the command's function fall back to a module-level name bound exactly once.
        """
        found = cmd.bindings.get(name)
        if found is not None:
            return found
        scope = cmd.scope
        if scope.kind != "module" and name in scope.names:
            return None
        module = self.scopes[0]
        if module.versions.get(name, 0) == 1:
            return module.exprs.get(name)
        return None

    def line_of(self, node: cst.CSTNode) -> str:
        """A placeholder for the line of ``node`` inside a message ("on line 12").

        The engine replaces it with the line number when it computes positions, so rules
        can name the other call of a two-call problem without computing positions.
        """
        self.related.append(node)
        return f"\x00line:{len(self.related) - 1}\x00"

    def report(
        self,
        rule: RuleMeta,
        node: cst.CSTNode,
        message: str,
        inner: tuple[int, int] | None = None,
        when: TreeCondition | None = None,
        fix: FixPlan | None = None,
        redact: tuple[str, ...] = (),
    ) -> None:
        """Report a finding of ``rule`` at ``node`` (once per node and rule).

        With ``when``, the finding is kept only if the condition holds for the whole
        linted tree (decided after every file is linted). ``redact``: secrets that
        reporters must mask where they print source lines. ``fix`` describes how to fix
        it (``semantic/edits.py``); the engine turns it into text edits if it is reported.
        """
        key = (id(node), rule.code + (str(inner) if inner else ""))
        if key in self._reported:
            return
        self._reported.add(key)
        cmd = self.analyzer.command_by_node.get(node) if isinstance(node, cst.Call) else None
        recognised = cmd.receiver.recognised if cmd is not None else ""
        self.findings.append(
            RawFinding(rule, Anchor(node, inner), message, when, fix, redact, recognised)
        )

    def reported(self, node: cst.CSTNode, code: str) -> bool:
        return (id(node), code) in self._reported
