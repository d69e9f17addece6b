"""What linting produces, and the enabled rules, without importing the parser."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from redislint import rules as registry
from redislint.diagnostics import ENGINE_CODES, Finding, Position
from redislint.engine.prefilter import prefilter_tokens
from redislint.rules.base import Rule
from redislint.semantic.treefacts import CommandFact, TreeCondition
from redislint.settings import Settings

if TYPE_CHECKING:
    from redislint.semantic.keyspace import KeyUse


@dataclass
class FileResult:
    """One file's findings, its findings that wait on a tree-wide condition, and its facts."""

    findings: list[Finding] = field(default_factory=list)
    pending: list[tuple[Finding, TreeCondition]] = field(default_factory=list)
    facts: list[CommandFact] = field(default_factory=list)
    uses: list[KeyUse] = field(default_factory=list)  # for the keyspace map only


class RuleSet:
    """The enabled rules, instantiated once per run, grouped by the hooks they use."""

    def __init__(self, codes: frozenset[str], settings: Settings, keyspace: bool = False) -> None:
        self.codes = codes
        self.settings = settings
        self.keyspace = keyspace  # also record every command on a key template
        self.rules: list[Rule] = [r(settings) for r in registry.ALL_RULES if r.code in codes]
        self.command_rules = [r for r in self.rules if type(r).overrides("check_command")]
        self.construction_rules = [r for r in self.rules if type(r).overrides("check_construction")]
        self.scope_rules = [r for r in self.rules if type(r).overrides("check_scope")]
        self.file_rules = [r for r in self.rules if type(r).overrides("check_file")]
        self.config_rules = [r for r in self.rules if type(r).overrides("check_config")]
        self.tree_commands = frozenset().union(*(type(r).tree_commands for r in self.rules))
        self.tokens = prefilter_tokens(settings)  # what makes a line of a file "about Redis"


def engine_finding(path: str, code: str, message: str, line: int = 1, column: int = 1) -> Finding:
    """A finding of the engine's own (RL000, RL001)."""
    rule = ENGINE_CODES[code]
    return Finding(
        path=path,
        code=code,
        name=rule.name,
        severity=rule.severity,
        message=message,
        start=Position(line, column),
        end=Position(line, column),
    )
