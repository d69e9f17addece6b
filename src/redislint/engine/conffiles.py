"""redis.conf / valkey.conf files: which ones a run checks, and how they are linted.

Python files go through the analyzer; configuration files go through the redis.conf
parser (``redislint.redisconf``) and the rules' ``check_config`` hook. Unreadable files
and lines redis-server would refuse are RL000 findings on the line.

Suppressions: redis.conf comments are whole lines, so a ``# noqa: RL904`` or
``# redislint: ignore[RL904]`` comment suppresses findings on the directive directly
below its comment block (the comment lines right above the directive, no blank line
between). A finding about a missing directive (anchored at line 1) is suppressed by such
a comment in the file's header: the comment and blank lines before its first directive.
``# redislint: ignore-file`` anywhere skips the file.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from redislint import redisconf
from redislint.diagnostics import Finding, Position
from redislint.engine.discovery import matches_any
from redislint.engine.suppressions import file_ignored, line_suppressions, suppresses
from redislint.redisconf import Conf
from redislint.semantic.confcontext import ConfContext, ConfFinding

if TYPE_CHECKING:
    from redislint.engine.results import RuleSet

CONF_NAMES = frozenset({"redis.conf", "valkey.conf"})
CONF_SUFFIXES = (".redis.conf", ".valkey.conf")


def is_conf_file(path: str | os.PathLike[str], patterns: Sequence[str], root: Path) -> bool:
    """``redis.conf``, ``valkey.conf``, ``*.redis.conf`` or a ``config-files`` glob."""
    name = os.path.basename(path)  # noqa: PTH119 - discovery passes str, no Path per file
    if name in CONF_NAMES or name.endswith(CONF_SUFFIXES):
        return True
    return bool(patterns) and matches_any(path, patterns, root)


def _is_comment(line: str) -> bool:
    return line.strip(" \t\r\n").startswith("#")


def _suppressed(lines: list[str], finding: ConfFinding) -> bool:
    code = finding.rule.code
    if finding.missing:
        block = []
        for text in lines:
            if text.strip(" \t\r\n") and not _is_comment(text):
                break
            block.append(text)
    else:
        block = []
        number = finding.line - 1
        while number >= 1 and _is_comment(lines[number - 1]):
            block.append(lines[number - 1])
            number -= 1
    return any(
        suppresses(s, code)
        for text in block
        if _is_comment(text)
        for s in line_suppressions(text, 0)
    )


def lint_conf(conf: Conf, rules: RuleSet, show: ShowPath) -> list[Finding]:
    """The findings of one configuration file (and the files it includes)."""
    from redislint.engine.results import engine_finding

    if conf.files and file_ignored(conf.texts[conf.files[0]]):
        return []
    ctx = ConfContext(conf, rules.settings)
    for rule in rules.config_rules:
        rule.check_config(conf, ctx)
    out = [
        engine_finding(show(error.path), "RL000", error.message, error.line, 1)
        for error in conf.errors
    ]
    for item in ctx.findings:
        if _suppressed(conf.texts.get(item.path, "").split("\n"), item):
            continue
        out.append(
            Finding(
                path=show(item.path),
                code=item.rule.code,
                name=item.rule.name,
                severity=item.rule.severity,
                message=item.message,
                start=Position(item.line, 1),
                end=Position(item.line, 1),
            )
        )
    return out


class ShowPath:
    """How a file is named in findings: relative to the current directory when below it."""

    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd

    def __call__(self, path: str) -> str:
        from redislint.engine.discovery import display_path

        return display_path(Path(path), self.cwd)


@dataclass
class ConfRun:
    findings: list[Finding] = field(default_factory=list)
    files_checked: int = 0


def lint_conf_files(files: Sequence[Path], rules: RuleSet, cwd: Path) -> ConfRun:
    """The configuration files found by discovery; a file another one includes is checked
    as part of it, not on its own (a fragment lacks the settings of the whole)."""
    run = ConfRun()
    if not files:
        return run
    run.files_checked = len(files)
    loaded = [(path, redisconf.load(path)) for path in files]
    included = {str(Path(f).absolute()) for _p, conf in loaded for f in conf.files[1:]}
    covered: set[str] = set()
    show = ShowPath(cwd)
    seen: set[tuple[str, int, str, str]] = set()
    for path, conf in loaded:
        key = str(path.absolute())
        if key in covered or (key in included and _has_root(key, loaded, included)):
            continue
        covered.update(str(Path(f).absolute()) for f in conf.files)
        for finding in lint_conf(conf, rules, show):
            ident = (finding.path, finding.start.line, finding.code, finding.message)
            if ident not in seen:
                seen.add(ident)
                run.findings.append(finding)
    return run


def _has_root(key: str, loaded: list[tuple[Path, Conf]], included: set[str]) -> bool:
    """Whether a file that is not itself included by anything includes ``key``."""
    for path, conf in loaded:
        if str(path.absolute()) in included:
            continue
        if key in {str(Path(f).absolute()) for f in conf.files[1:]}:
            return True
    return False


def lint_conf_text(text: str, path: Path, rules: RuleSet, cwd: Path) -> list[Finding]:
    """A configuration read from standard input, as if it were the file ``path``."""
    return lint_conf(redisconf.load_text(text, path), rules, ShowPath(cwd))
