"""Running redislint: discover files, index them, lint each one, collect findings.

This is the one engine behind the command line, the flake8 plugin and pre-commit.
"""

from __future__ import annotations

import ast
import dataclasses
import gc
import json
import os
import stat
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from redislint import rules as registry
from redislint.config import Config
from redislint.diagnostics import Finding, Position
from redislint.engine.cache import Cache, encode
from redislint.engine.conffiles import is_conf_file, lint_conf_files, lint_conf_text
from redislint.engine.discovery import (
    discover,
    display_path,
    exclude_patterns,
    matches_any,
    valid_unicode,
)
from redislint.engine.importers import ClientModules
from redislint.engine.prefilter import (
    may_define_keys,
    may_use_redis,
    prefilter_tokens,
)
from redislint.engine.results import FileResult, RuleSet, engine_finding
from redislint.engine.source import decode, read_source
from redislint.engine.suppressions import FileSuppressions
from redislint.engine.workers import (
    IndexTask,
    InlinePool,
    LintTask,
    Pool,
    Setup,
    default_jobs,
)
from redislint.keys.shape import KeyShape
from redislint.rules import plugins
from redislint.semantic.digest import digest
from redislint.semantic.index import ModuleFacts, index_source, names_a_key
from redislint.semantic.keyspace import build_map, value_type
from redislint.semantic.modules import module_name
from redislint.semantic.project import Project
from redislint.semantic.treefacts import TreeFacts

DEFAULT_FILE_TIMEOUT = 60.0
_PARALLEL_INDEX_MIN = 64  # fewer files are indexed in-process: workers would not pay off
_PROGRESS_MIN = 200  # runs this long show a progress bar on a terminal
_RETRY = object()  # an in-process index that must be redone in a worker


@dataclass
class RunResult:
    """Everything a reporter needs."""

    findings: list[Finding] = field(default_factory=list)
    files_checked: int = 0
    skipped: list[str] = field(default_factory=list)  # named files not checked, and why
    fixed: int = 0  # findings fixed by --fix before the findings were collected
    baselined: int = 0  # findings left out because the baseline has them

    @property
    def files_with_findings(self) -> int:
        return len({f.path for f in self.findings})

    @property
    def has_parse_errors(self) -> bool:
        return any(f.code == "RL000" for f in self.findings)


@dataclass
class SourceFile:
    """A file read and decoded, with what the phases learn about it."""

    path: Path
    shown: str
    key: str  # absolute path: the file's identity in the project index
    text: str
    digest: str
    candidate: bool = True  # passed the prefilter (may use Redis)
    facts_key: str = ""  # its cache key in the index (computed once)
    is_test: bool | None = None  # matches a test-paths glob (computed once)


class Progress(Protocol):
    """Progress display of a long run (a rich bar on a terminal)."""

    def start(self, total: int, description: str) -> None: ...

    def advance(self) -> None: ...

    def stop(self) -> None: ...


class Runner:
    """Lints files with one configuration."""

    def __init__(
        self,
        config: Config,
        codes: frozenset[str],
        cwd: Path | None = None,
        *,
        jobs: int | None = None,
        cache_dir: Path | None = None,
        timeout: float = DEFAULT_FILE_TIMEOUT,
        progress: Progress | None = None,
        force_exclude: bool = False,
        inline: bool = False,
        isolated: bool = False,
        prefilter: bool = True,
        remember_runs: bool = False,
        keyspace: bool = False,
    ) -> None:
        self.config = config
        self.codes = codes
        self.settings = config.settings
        self.cwd = (cwd or Path.cwd()).absolute()
        self.jobs = jobs if jobs is not None else default_jobs()
        self.timeout = timeout
        self.progress = progress
        self.force_exclude = force_exclude
        self.isolated = isolated  # per-file recognition only (for measurements)
        # False: every file is indexed and linted, and parsed whole (for tests)
        self.prefilter = prefilter
        # True: a run over exactly the files of a remembered run reuses its findings without
        # indexing or linting (the CLI, except when fixing, which needs the project index)
        self.remember_runs = remember_runs
        # record every command on a key template in the file results (``redislint keys``)
        self.keyspace = keyspace
        self._rules: RuleSet | None = None
        self.tokens = prefilter_tokens(config.settings)
        self.cache = Cache(cache_dir, self._context())
        self._pool: Pool | InlinePool | None = None
        self.inline = inline  # lint in this process (no worker processes)
        self.project: Project | None = None  # the linked index of the last run (for fixes)
        self.file_results: dict[str, FileResult] = {}  # the last run's results, by file key
        self._conf_files: list[Path] = []

    def _context(self) -> str:
        """Everything besides a file's content that its results depend on."""
        settings = encode(dataclasses.asdict(self.settings))
        return json.dumps(
            [
                sorted(self.codes),
                settings,
                str(self.config.root),
                self.isolated,
                self.keyspace,
                plugins.fingerprint(),
            ],
            sort_keys=True,
        )

    def files(self, paths: Sequence[Path]) -> list[tuple[Path, bool]]:
        exclude = exclude_patterns(self.config.exclude, self.config.extend_exclude)
        return list(
            discover(paths, self.config.root, exclude, self.force_exclude, also=self.is_conf)
        )

    # -- the phases ----------------------------------------------------------------------
    def run(self, paths: Sequence[Path]) -> RunResult:
        result = RunResult()
        timer = _Timer()
        # The files read and the index live for the whole run: frozen, the cyclic collector
        # stops walking them at every collection (which made runs grow faster than trees).
        # Left alone when the host froze objects of its own.
        freeze = gc.get_freeze_count() == 0
        try:
            sources = self._read(paths, result)
            if freeze:
                gc.freeze()
            candidates = [s for s in sources if s.candidate]
            timer.lap(f"read {len(sources)} files, {len(candidates)} candidates")
            run_key = self._run_key(sources) if self.remember_runs else None
            remembered = self.cache.get(run_key) if run_key is not None else None
            if isinstance(remembered, list) and all(isinstance(f, Finding) for f in remembered):
                linted: list[Finding] = remembered
                timer.lap("the same files as a remembered run")
            else:
                facts = self._index(candidates)
                if freeze:
                    gc.freeze()
                project = Project(facts.values(), self.settings.client_name_patterns)
                self.project = project
                if self._pool is not None:
                    # the workers take it in while this process looks for importers
                    self._pool.use_facts(list(facts.values()))
                timer.lap("index")
                if not self.isolated:
                    candidates += self._importers(sources, candidates, facts, project)
                    self._imported(sources, facts, project)
                    project.forget()
                timer.lap("importers")
                linted = resolve_tree_conditions(self._lint(candidates, project, facts))
                timer.lap("lint")
                linted += self._keyspace_findings(
                    lambda keys: [
                        LintTask(f.key, f.shown, f.text, self._is_test(f))
                        for f in candidates
                        if f.key in keys
                    ],
                    self.file_results,
                    facts.values(),
                )
                timer.lap("keyspace")
                if run_key is not None and all(map(_complete, linted)):
                    self.cache.put(run_key, linted)
            conf = (
                lint_conf_files(self._conf_files, self.rules, self.cwd)
                if self._conf_files
                else None
            )
        except BaseException:  # Ctrl-C or a bug: stop the workers now, even busy ones
            self._close_pool(kill=True)
            raise
        finally:
            self._close_pool()
            if freeze:
                gc.unfreeze()
        result.findings.extend(linted)
        if conf is not None:
            result.findings.extend(conf.findings)
            result.files_checked += conf.files_checked
        result.findings = self.filter(result.findings)
        result.findings.sort(key=Finding.sort_key)
        if self.cache.writes:
            self.cache.prune_occasionally()
        return result

    def _read(self, paths: Sequence[Path], result: RunResult) -> list[SourceFile]:
        sources: list[SourceFile] = []
        self._conf_files = []
        changed = 0
        for path, explicit in self.files(paths):
            absolute = path.absolute()
            shown = display_path(path, self.cwd, absolute)
            if _is_special(path):  # FIFOs, sockets and devices are never opened
                if explicit:
                    result.skipped.append(f"{shown}: not a regular file (never read)")
                continue
            if self.is_conf(path):
                self._conf_files.append(path)  # linted by engine.conffiles
                continue
            data, source = read_source(path)
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
            source_file = SourceFile(path, shown, str(absolute), source.text, digest(data))
            source_file.candidate = not self.prefilter or may_use_redis(source.text, self.tokens)
            if (
                source_file.candidate
                and not self.inline
                and not self.cache.has(self._facts_key(source_file))
            ):
                changed += 1  # new or changed: it will be linted, start a worker now
                self.pool().warm(changed)
            sources.append(source_file)
        return sources

    def _run_key(self, sources: Sequence[SourceFile]) -> str | None:
        """What a run's findings depend on besides the context: every file read (files
        without a Redis token count too, they may import a client), where it is shown, and
        its module name (which depends on the packages around it)."""
        if not self.cache.enabled:
            return None
        files = [
            [s.key, s.shown, s.digest, self._facts_key(s) if s.candidate else ""] for s in sources
        ]
        return self.cache.key("run", json.dumps(files))

    def _is_test(self, source: SourceFile) -> bool:
        if source.is_test is None:
            source.is_test = matches_any(source.path, self.settings.test_paths, self.config.root)
        return source.is_test

    def _facts_key(self, source: SourceFile) -> str:
        if not source.facts_key:
            name, _root = module_name(source.path)
            source.facts_key = self.cache.key("facts", source.key, name, source.digest)
        return source.facts_key

    def _index(self, files: Sequence[SourceFile]) -> dict[str, ModuleFacts]:
        """Module-level facts of ``files`` (from the cache, else computed in workers)."""
        facts: dict[str, ModuleFacts] = {}
        todo: list[SourceFile] = []
        keys: dict[str, str] = {}
        for source in files:
            keys[source.key] = self._facts_key(source)
            cached = self.cache.get(keys[source.key])
            if isinstance(cached, ModuleFacts):
                facts[source.key] = cached
            else:
                todo.append(source)
        if not todo:
            return facts
        tasks = [IndexTask(str(s.path), s.key, s.text) for s in todo]
        if len(tasks) < _PARALLEL_INDEX_MIN:
            outcomes: list[object] = [self._index_here(t) for t in tasks]
            retry = [i for i, o in enumerate(outcomes) if o is _RETRY]
            if retry:  # too deep for this process: a worker gives the answer every run gets
                again = self.pool().run([tasks[i] for i in retry], lambda j: todo[retry[j]].shown)
                for i, redone in zip(retry, again, strict=True):
                    outcomes[i] = redone
        else:
            outcomes = list(self.pool().run(tasks, lambda i: todo[i].shown))
        for source, outcome in zip(todo, outcomes, strict=True):
            if isinstance(outcome, ModuleFacts):
                outcome.digest = source.digest
                outcome.is_test = self._is_test(source)
                facts[source.key] = outcome
                self.cache.put(keys[source.key], outcome)
        return facts

    @staticmethod
    def _index_here(task: IndexTask) -> object:
        """Index in this process; ``_RETRY`` when only a worker can (deep or failing code)."""
        try:
            return index_source(task.text, Path(task.path), task.key)
        except Exception:
            return _RETRY

    def _imported(
        self, sources: Sequence[SourceFile], facts: dict[str, ModuleFacts], project: Project
    ) -> None:
        """Index (not lint) the modules with no Redis token that the linted files import
        from: their key helpers and constants (``from app.keys import session_key``,
        ``from config import JOBS_CHANNEL``) are what keys and channels are built from."""
        wanted: set[str] = set()
        for module_facts in facts.values():
            for name, dotted in module_facts.imports.items():
                if names_a_key(name):
                    wanted.add(dotted)
                    wanted.add(dotted.rpartition(".")[0])
        last = {w.rsplit(".", 1)[-1] for w in wanted if w}
        new: list[SourceFile] = []
        for source in sources:
            if source.key in facts or source.path.stem not in last:
                continue
            if not may_define_keys(source.text):
                continue
            name, _root = module_name(source.path)
            if name in wanted or any(w.endswith("." + name) for w in wanted):
                new.append(source)
        for key, module_facts in self._index(new).items():
            facts[key] = module_facts
            project.add(module_facts)

    def _importers(
        self,
        sources: Sequence[SourceFile],
        candidates: list[SourceFile],
        facts: dict[str, ModuleFacts],
        project: Project,
    ) -> list[SourceFile]:
        """Files with no Redis token that import a module of the tree exporting clients.

        Imports are read from the text (no parse) and resolved as the index resolves
        them, so in a monorepo an import of one project's ``utils`` does not pull in the
        importers of every other ``utils``.
        """
        added: list[SourceFile] = []
        chosen = {s.key for s in candidates}
        exporting = ClientModules.of(facts, project)
        while exporting.files:
            new = [
                s
                for s in sources
                if s.key not in chosen and exporting.imported_by(s.path, s.key, s.text, project)
            ]
            if not new:
                break
            chosen.update(s.key for s in new)
            added += new
            more = self._index(new)
            for key, module_facts in more.items():
                facts[key] = module_facts
                project.add(module_facts)
            exporting = ClientModules.of(more, project)
        return added

    def _keyspace_findings(
        self,
        tasks: Callable[[set[str]], list[LintTask]],
        results: Mapping[str, FileResult],
        facts: Iterable[ModuleFacts],
    ) -> list[Finding]:
        """Findings of the rules that read the keyspace map (RL405), from the key templates
        the tree uses as more than one type. The files using them (rarely any; ``tasks``
        makes their lint tasks) are linted again for the places of those uses; the rest of
        the run never positions them."""
        rules = [r for r in self.rules.rules if type(r).overrides("check_keyspace")]
        if not rules:
            return []
        kinds: dict[KeyShape, set[str]] = {}
        users: dict[KeyShape, set[str]] = {}
        for key, result in results.items():
            for fact in result.facts:
                kind = value_type(fact.name)
                if kind is None:
                    continue
                for shape in fact.keys:
                    if shape.literal_text().strip():
                        kinds.setdefault(shape, set()).add(kind)
                        users.setdefault(shape, set()).add(key)
        mixed = {shape for shape, found in kinds.items() if len(found) > 1}
        if not mixed:
            return []
        again = tasks(set().union(*(users[shape] for shape in mixed)))  # the files to lint again
        setup = Setup(
            self.settings, frozenset({"RL000"}), self.isolated, self.prefilter, keyspace=True
        )
        pool = InlinePool(setup)
        pool.use_facts(list(facts))
        outcomes = pool.run(again, lambda i: again[i].shown)
        uses = [
            use
            for outcome in outcomes
            if isinstance(outcome, FileResult)
            for use in outcome.uses
            if use.template in mixed
        ]
        rows = [row for row in build_map(uses) if len(row.types) > 1]
        texts = {f.shown: f.text for f in again}
        found: list[Finding] = []
        for rule in rules:
            for item in rule.check_keyspace(rows):
                text = texts.get(item.path)
                if text is not None and FileSuppressions(text).covering(item.line, rule.code):
                    continue
                place = Position(item.line, item.column)
                found.append(
                    Finding(
                        item.path,
                        rule.code,
                        rule.name,
                        rule.severity,
                        item.message,
                        place,
                        place,
                    )
                )
        return found

    def _lint(
        self, files: Sequence[SourceFile], project: Project, facts: dict[str, ModuleFacts]
    ) -> list[FileResult]:
        results: list[FileResult | None] = []
        todo: list[int] = []
        keys: list[str] = []
        for i, source in enumerate(files):
            is_test = self._is_test(source)
            # what other files contribute to this one's result: only a cache key needs it
            deps = project.dependency_digest(source.key) if self.cache.enabled else ""
            key = self.cache.key(
                "lint", source.key, source.shown, str(is_test), source.digest, deps
            )
            keys.append(key)
            cached = self.cache.get(key)
            results.append(cached if isinstance(cached, FileResult) else None)
            if results[-1] is None:
                todo.append(i)
        if todo:
            tasks = [
                LintTask(
                    files[i].key,
                    files[i].shown,
                    files[i].text,
                    self._is_test(files[i]),
                )
                for i in todo
            ]
            pool = self.pool()
            pool.use_facts(list(facts.values()))
            if self.progress is not None and len(tasks) >= _PROGRESS_MIN:
                self.progress.start(len(tasks), "redislint")
                advance: Callable[[], None] | None = self.progress.advance
            else:
                advance = None
            try:
                outcomes = pool.run(tasks, lambda j: files[todo[j]].shown, advance)
            finally:
                if advance is not None and self.progress is not None:
                    self.progress.stop()
            for i, outcome in zip(todo, outcomes, strict=True):
                assert isinstance(outcome, FileResult)
                results[i] = outcome
                if all(map(_complete, outcome.findings)):
                    self.cache.put(keys[i], outcome)
        self.file_results = {f.key: r for f, r in zip(files, results, strict=True) if r is not None}
        return [r for r in results if r is not None]

    def _close_pool(self, kill: bool = False) -> None:
        if self._pool is not None:
            self._pool.close(kill=kill)
            self._pool = None

    def pool(self) -> Pool | InlinePool:
        if self._pool is None:
            setup = Setup(
                self.settings,
                self.codes,
                self.isolated,
                focus=self.prefilter,
                keyspace=self.keyspace,
            )
            self._pool = InlinePool(setup) if self.inline else Pool(setup, self.jobs, self.timeout)
        return self._pool

    def run_stdin(self, data: bytes, filename: str) -> RunResult:
        """Lint text read from standard input as if it were the file ``filename``.

        It goes through the same phases and worker processes as files on disk: the same
        crash isolation, time limit and findings.
        """
        result = RunResult(files_checked=1)
        path = Path(filename)
        shown = display_path(path, self.cwd) if filename != "-" else "-"
        if self.is_conf(path):
            text = data.decode("latin-1")
            result.findings = self.filter(lint_conf_text(text, path, self.rules, self.cwd))
            result.findings.sort(key=Finding.sort_key)
            return result
        source = decode(data)
        try:
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
                files = [SourceFile(path, shown, key, source.text, digest(data))]
                facts = self._index(files)
                project = self.project = Project(facts.values(), self.settings.client_name_patterns)
                result.findings.extend(resolve_tree_conditions(self._lint(files, project, facts)))
        except BaseException:  # Ctrl-C or a bug: stop the workers now, even busy ones
            self._close_pool(kill=True)
            raise
        finally:
            self._close_pool()
        result.findings = self.filter(result.findings)
        result.findings.sort(key=Finding.sort_key)
        return result

    @property
    def rules(self) -> RuleSet:
        """The enabled rules, instantiated on first use (a tree without Redis needs none)."""
        if self._rules is None:
            self._rules = RuleSet(self.codes, self.settings, self.keyspace)
        return self._rules

    def is_conf(self, path: str | os.PathLike[str]) -> bool:
        """A redis.conf-style file, linted by ``engine.conffiles`` rather than as Python."""
        return is_conf_file(path, self.config.config_files, self.config.root)

    def lint_text(
        self, text: str, path: Path, shown: str, project: Project, tree: ast.Module | None = None
    ) -> FileResult:
        """Lint one text in this process (stdin, the flake8 plugin, editors). ``tree``:
        the text as the standard parser reads it, when the caller has it."""
        from redislint.engine.lint import lint_module_text  # imports libcst

        is_test = matches_any(path, self.settings.test_paths, self.config.root)
        key = str(path.absolute())
        return lint_module_text(
            text, key, shown, project, self.rules, is_test, self.prefilter, tree
        )

    def text_findings(
        self, text: str, path: Path, shown: str, project: Project, tree: ast.Module | None = None
    ) -> list[Finding]:
        """One text's findings as a run reports them (tree-wide conditions judged on this
        text alone, disabled codes and per-file ignores left out), sorted: what fixing a
        file, fixing standard input and the flake8 plugin look at."""
        result = self.lint_text(text, path, shown, project, tree)
        findings = resolve_tree_conditions([result])
        findings += self.text_keyspace_findings(text, path, shown, project, result)
        return sorted(self.filter(findings), key=Finding.sort_key)

    def text_keyspace_findings(
        self, text: str, path: Path, shown: str, project: Project, result: FileResult
    ) -> list[Finding]:
        """The keyspace map's findings (RL405) of one text linted alone (``result``)."""
        key = str(path.absolute())
        is_test = matches_any(path, self.settings.test_paths, self.config.root)
        task = LintTask(key, shown, text, is_test)
        return self._keyspace_findings(
            lambda keys: [task] if key in keys else [],
            {key: result},
            list(project.by_path.values()),
        )

    def filter(self, findings: list[Finding]) -> list[Finding]:
        """Drop disabled codes and per-file ignores."""
        from redislint.config import matching_codes

        out = []
        per_file = self.config.per_file_ignores
        for finding in findings:
            if finding.code not in self.codes:
                continue
            message = valid_unicode(finding.message)
            if message is not finding.message:  # a message quoting a lone surrogate
                finding = dataclasses.replace(finding, message=message)
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
                                r.code
                                for r in registry.ALL_RULES
                                if r.code.startswith(selector.upper())
                            }
                if finding.code in ignored:
                    continue
            out.append(finding)
        return out


def _complete(finding: Finding) -> bool:
    """False for the RL000 of a file that was not checked (a time-out or a crash): such a
    result is not cached, the next run tries the file again."""
    return not (finding.code == "RL000" and "the file was not checked" in finding.message)


class _Timer:
    """Phase timings on standard error when REDISLINT_TIMING is set (for benchmarks)."""

    def __init__(self) -> None:
        self.enabled = bool(os.environ.get("REDISLINT_TIMING"))
        self.last = time.perf_counter()

    def lap(self, what: str) -> None:
        if self.enabled:
            now = time.perf_counter()
            print(f"redislint timing: {what}: {now - self.last:.3f} s", file=sys.stderr)
            self.last = now


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
