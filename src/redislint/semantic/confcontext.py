"""What a configuration rule sees: the expanded ``redis.conf`` and the settings, and the
findings it reports (``engine/conffiles.py`` lints the files and places the findings)."""

from __future__ import annotations

from dataclasses import dataclass, field

from redislint.diagnostics import RuleMeta
from redislint.redisconf import Conf, Directive
from redislint.settings import Settings


@dataclass(frozen=True)
class ConfFinding:
    rule: RuleMeta
    path: str
    line: int
    message: str
    missing: bool  # about a directive that is absent: anchored at line 1 of the root file


@dataclass
class ConfContext:
    """What a configuration rule sees: the expanded file and the settings."""

    conf: Conf
    settings: Settings
    findings: list[ConfFinding] = field(default_factory=list)

    def report(self, rule: RuleMeta, directive: Directive | None, message: str) -> None:
        """Report at ``directive``'s line, or at line 1 when the problem is a missing one."""
        if directive is None:
            self.findings.append(ConfFinding(rule, self.conf.path, 1, message, True))
        else:
            self.findings.append(ConfFinding(rule, directive.path, directive.line, message, False))
