"""Running redislint: discover files, index them, lint each one, collect findings.

This is the one engine behind the command line, the flake8 plugin and pre-commit.
"""

from __future__ import annotations

import ast
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from redislint.config import Config, Settings
from redislint.diagnostics import Finding
from redislint.engine.conffiles import is_conf_file, lint_conf_paths, lint_conf_text
from redislint.engine.discovery import DEFAULT_EXCLUDE, discover, matches_any
from redislint.engine.index import ModuleFacts, extract
from redislint.engine.lint import FileResult, RuleSet, engine_finding, lint_module_text
from redislint.engine.modules import is_package_init, module_name
from redislint.engine.project import Project
from redislint.engine.source import Source, decode
from redislint.engine.treefacts import TreeFacts
from redislint.rules import ALL_RULES


@dataclass
class RunResult:
    """Everything a reporter needs."""

    findings: list[Finding] = field(default_factory=list)
    files_checked: int = 0

    @property
    def files_with_findings(self) -> int:
        return len({f.path for f in self.findings})

    @property
    def has_parse_errors(self) -> bool:
        return any(f.code == "RL000" for f in self.findings)


def display_path(path: Path, cwd: Path) -> str:
    """Paths below the current directory are shown relative to it."""
    absolute = path.absolute()
    try:
        return absolute.relative_to(cwd).as_posix()
    except ValueError:
        return str(path)


def prefilter_tokens(settings: Settings) -> tuple[str, ...]:
    """Substrings without which a file cannot hold a recognised Redis call."""
    return tuple(sorted({"redis", "valkey", *settings.client_name_patterns}))


def may_use_redis(text: str, tokens: Sequence[str]) -> bool:
    lowered = text.lower()
    return any(token in lowered for token in tokens)


def index_source(text: str, path: Path, key: str) -> ModuleFacts | None:
    """Module-level facts of one file (None when the standard parser rejects it)."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    name, _root = module_name(path)
    return extract(tree, key, name, is_package_init(path))


def read_source(path: Path) -> Source:
    try:
        with path.open("rb") as handle:
            data = handle.read()
    except IsADirectoryError:
        return Source(None, "utf-8", "is a directory")
    except FileNotFoundError:
        return Source(None, "utf-8", "no such file or directory")
    except PermissionError:
        return Source(None, "utf-8", "permission denied; cannot read the file")
    except OSError as exc:
        return Source(None, "utf-8", f"cannot read the file: {exc.strerror or exc}")
    return decode(data)


class Runner:
    """Lints files with one configuration."""

    def __init__(self, config: Config, codes: frozenset[str], cwd: Path | None = None) -> None:
        self.config = config
        self.codes = codes
        self.settings = config.settings
        self.cwd = (cwd or Path.cwd()).absolute()
        self.rules = RuleSet(codes, config.settings)
        self.tokens = prefilter_tokens(config.settings)

    def files(self, paths: Sequence[Path]) -> list[tuple[Path, bool]]:
        exclude = list(DEFAULT_EXCLUDE if self.config.exclude is None else self.config.exclude)
        exclude += self.config.extend_exclude
        return list(discover(paths, self.config.root, exclude))

    def run(self, paths: Sequence[Path]) -> RunResult:
        result = RunResult()
        sources: list[tuple[Path, str, str]] = []
        for path, _explicit in self.files(paths):
            shown = display_path(path, self.cwd)
            if _is_special(path) or self.is_conf(path):
                continue  # FIFOs, sockets and devices are never opened; conf files below
            source = read_source(path)
            result.files_checked += 1
            if source.text is None:
                result.findings.append(
                    engine_finding(
                        shown,
                        "RL000",
                        source.error or "cannot read",
                        source.error_line,
                        source.error_column,
                    )
                )
                continue
            sources.append((path, shown, source.text))
        candidates = [(p, s, t) for p, s, t in sources if may_use_redis(t, self.tokens)]
        project = Project(
            (
                f
                for f in (index_source(t, p, str(p.absolute())) for p, _s, t in candidates)
                if f is not None
            ),
            self.settings.client_name_patterns,
        )
        results = [self.lint_text(text, path, shown, project) for path, shown, text in candidates]
        result.findings.extend(resolve_tree_conditions(results))
        conf = lint_conf_paths(paths, self.config, self.rules, self.cwd)
        result.findings.extend(conf.findings)
        result.files_checked += conf.files_checked
        result.findings = self.filter(result.findings)
        result.findings.sort(key=Finding.sort_key)
        return result

    def run_stdin(self, data: bytes, filename: str) -> RunResult:
        """Lint text read from standard input as if it were the file ``filename``."""
        result = RunResult(files_checked=1)
        path = Path(filename)
        shown = display_path(path, self.cwd) if filename != "-" else "-"
        if self.is_conf(path):
            text = data.decode("latin-1")
            result.findings = self.filter(lint_conf_text(text, path, self.rules, self.cwd))
            result.findings.sort(key=Finding.sort_key)
            return result
        source = decode(data)
        if source.text is None:
            result.findings.append(
                engine_finding(
                    shown,
                    "RL000",
                    source.error or "cannot decode",
                    source.error_line,
                    source.error_column,
                )
            )
        elif may_use_redis(source.text, self.tokens):
            key = str(path.absolute())
            facts = index_source(source.text, path, key)
            project = Project(
                [facts] if facts is not None else [], self.settings.client_name_patterns
            )
            file_result = self.lint_text(source.text, path, shown, project)
            result.findings.extend(resolve_tree_conditions([file_result]))
        result.findings = self.filter(result.findings)
        result.findings.sort(key=Finding.sort_key)
        return result

    def is_conf(self, path: Path) -> bool:
        """A redis.conf-style file, linted by ``engine.conffiles`` rather than as Python."""
        return is_conf_file(path, self.config.config_files, self.config.root)

    def lint_text(self, text: str, path: Path, shown: str, project: Project) -> FileResult:
        is_test = matches_any(path, self.settings.test_paths, self.config.root)
        return lint_module_text(text, str(path.absolute()), shown, project, self.rules, is_test)

    def filter(self, findings: list[Finding]) -> list[Finding]:
        """Drop disabled codes and per-file ignores."""
        from redislint.config import matching_codes

        out = []
        per_file = self.config.per_file_ignores
        for finding in findings:
            if finding.code not in self.codes:
                continue
            if per_file:
                path = Path(finding.path)
                ignored: set[str] = set()
                for pattern, selectors in per_file.items():
                    if matches_any(path, [pattern], self.config.root) or matches_any(
                        path, [pattern], self.cwd
                    ):
                        for selector in selectors:
                            ignored |= matching_codes(selector)
                            ignored |= {
                                r.code for r in ALL_RULES if r.code.startswith(selector.upper())
                            }
                if finding.code in ignored:
                    continue
            out.append(finding)
        return out


def resolve_tree_conditions(results: list[FileResult]) -> list[Finding]:
    """Every file's findings, keeping conditional ones whose tree-wide condition holds."""
    findings = [f for r in results for f in r.findings]
    if any(r.pending for r in results):
        facts = TreeFacts(fact for r in results for fact in r.facts)
        findings += [f for r in results for f, cond in r.pending if facts.holds(cond)]
    return findings


def _is_special(path: Path) -> bool:
    """A path that exists but is neither a regular file nor a directory."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


__all__ = ["RuleSet", "RunResult", "Runner", "engine_finding", "resolve_tree_conditions"]
