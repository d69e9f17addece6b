"""What the language server knows, without the protocol: trees, buffers, positions, fixes.

A *tree* is the directory a configuration file governs (or a workspace folder when there
is none). It is linted once in the background, as ``redislint`` would lint it (same
configuration, same on-disk cache, but in this process: a server with threads must not
fork). That gives every module's index facts, so a buffer sees the clients other
modules export, and every file's command facts, so findings that depend on the whole
tree (RL503, RL203...) are decided as on the command line. Until the tree is ready those
findings are held back rather than guessed.

A buffer is linted from its text in the editor, never from the file on disk: its own
facts replace the file's in the project, and its results are cached by content like the
command line's (a saved, unchanged buffer hits the entry a ``redislint`` run wrote).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from redislint.config import enabled_codes, load_config
from redislint.diagnostics import Edit, Finding, Position
from redislint.engine.discovery import display_path, exclude_patterns, excluded_below, matches_any
from redislint.engine.fixes import fix_text
from redislint.engine.importers import ClientModules
from redislint.engine.prefilter import may_use_redis
from redislint.engine.results import FileResult
from redislint.engine.runner import Runner
from redislint.engine.suppressions import split_lines
from redislint.semantic.digest import digest
from redislint.semantic.index import ModuleFacts, index_source
from redislint.semantic.project import Project
from redislint.semantic.treefacts import CommandFact, TreeFacts


@dataclass
class Tree:
    """One configuration's files: the runner, and what the background pass learned."""

    runner: Runner
    root: Path | None  # None: a file outside every workspace folder, linted alone
    modules: dict[str, ModuleFacts] = field(default_factory=dict)
    facts: dict[str, list[CommandFact]] = field(default_factory=dict)
    linted: set[str] = field(default_factory=set)  # files the command line lints
    exporting: ClientModules | None = None  # the modules exporting clients
    project: Project | None = None  # the tree's index, which resolves imports of them
    ready: bool = False
    building: bool = False  # the background pass has started
    error: str | None = None


class Linter:
    """Lints editor buffers against the trees they belong to (thread-safe)."""

    def __init__(self, folders: Iterable[Path], cache: bool = True) -> None:
        self.folders = [f.absolute() for f in folders]
        self.cache = cache
        self.trees: dict[tuple[str, str], Tree] = {}
        # directory -> its tree: the configuration is looked up once per directory (until
        # a configuration file is saved, see ``forget``), not at every keystroke
        self._by_directory: dict[Path, Tree] = {}
        self._lock = threading.RLock()

    # -- trees ---------------------------------------------------------------------------
    def tree_for(self, path: Path) -> Tree:
        """The tree ``path`` belongs to (created, not yet built, on first use)."""
        directory = path.absolute().parent
        with self._lock:
            known = self._by_directory.get(directory)
        if known is not None:
            return known
        config = load_config(start=directory)
        if config.path is not None:
            root: Path | None = config.root
        else:
            root = next((f for f in self.folders if path.absolute().is_relative_to(f)), None)
            if root is not None:
                config.root = root
        key = (str(config.path), str(root))
        with self._lock:
            tree = self.trees.get(key)
            if tree is None:
                cache_dir = config.root / ".redislint_cache" if self.cache else None
                runner = Runner(
                    config,
                    enabled_codes(config),
                    cwd=root or path.absolute().parent,
                    cache_dir=cache_dir,
                    timeout=config.file_timeout,
                    inline=True,
                )
                tree = self.trees[key] = Tree(runner, root)
                if root is None:
                    tree.ready = True  # nothing else to learn about
            self._by_directory[directory] = tree
            return tree

    def build(self, tree: Tree) -> None:
        """The background pass over the tree (see the module docstring)."""
        if tree.ready or tree.root is None:
            return
        runner = tree.runner
        try:
            runner.run([tree.root])
        except Exception as exc:  # a tree that cannot be linted: buffers are linted alone
            tree.error = f"{type(exc).__name__}: {exc}"
        with self._lock:
            if runner.project is not None:
                tree.modules = dict(runner.project.by_path)
            tree.facts = {k: list(r.facts) for k, r in runner.file_results.items()}
            tree.linted = set(runner.file_results)
            project = runner.project
            if project is not None:
                tree.exporting = ClientModules.of(tree.modules, project)
                tree.project = project
            tree.ready = True

    def forget(self) -> None:
        """Drop every tree (a configuration file changed)."""
        with self._lock:
            self.trees.clear()
            self._by_directory.clear()

    # -- buffers ---------------------------------------------------------------------------
    def lint(self, path: Path, text: str) -> list[Finding]:
        """The findings of a buffer holding ``text`` for the file ``path``."""
        tree = self.tree_for(path)  # a ConfigError goes to the caller, who shows it
        runner = tree.runner
        config = runner.config
        exclude = exclude_patterns(config.exclude, config.extend_exclude)
        key = str(path.absolute())
        if tree.root is not None and excluded_below(path, exclude, tree.root):
            return []
        if not (
            may_use_redis(text, runner.tokens)
            or key in tree.linted
            or (
                tree.exporting is not None
                and tree.project is not None
                and tree.exporting.imported_by(path, key, text, tree.project)
            )
        ):
            return []  # as on the command line: no Redis token, no import of a client
        shown = display_path(path, runner.cwd)
        with self._lock:
            modules = dict(tree.modules)
        text_digest = digest(text.encode("utf-8", "surrogatepass"))
        facts = index_source(text, path, key)
        if facts is not None:
            facts.digest = text_digest
            modules[key] = facts
        else:
            modules.pop(key, None)
        project = Project(modules.values(), runner.settings.client_name_patterns)
        result = self._result(tree, text, text_digest, path, shown, project)
        findings = list(result.findings)
        # a key used as two types within the buffer (across files: the command line's)
        findings += runner.text_keyspace_findings(text, path, shown, project, result)
        with self._lock:
            tree.facts[key] = list(result.facts)
            if result.pending and tree.ready:
                everything = TreeFacts(f for facts_of in tree.facts.values() for f in facts_of)
                findings += [f for f, cond in result.pending if everything.holds(cond)]
        return sorted(runner.filter(findings), key=Finding.sort_key)

    def _result(
        self, tree: Tree, text: str, text_digest: str, path: Path, shown: str, project: Project
    ) -> FileResult:
        """The buffer's lint result, through the command line's cache entries."""
        runner = tree.runner
        key = str(path.absolute())
        is_test = matches_any(path, runner.settings.test_paths, runner.config.root)
        cache_key = runner.cache.key(
            "lint",
            key,
            shown,
            str(is_test),
            text_digest,
            project.dependency_digest(key),
        )
        cached = runner.cache.get(cache_key)
        if isinstance(cached, FileResult):
            return cached
        result = runner.lint_text(text, path, shown, project)
        if not any(f.code == "RL000" for f in result.findings):
            runner.cache.put(cache_key, result)
        return result

    def fix_all(self, path: Path, text: str, unsafe: bool = False) -> str:
        """``text`` with every applicable fix applied (the editor's "fix all")."""
        return fix_text(text, lambda new: self.lint(path, new), unsafe).text


# -- positions -----------------------------------------------------------------------------

UTF8, UTF16, UTF32 = "utf-8", "utf-16", "utf-32"


@dataclass(frozen=True)
class Span:
    """A range in the client's units: 0-based lines, characters in ``encoding`` units."""

    start: tuple[int, int]
    end: tuple[int, int]


class Positions:
    """Converts redislint positions (1-based, code points) to LSP positions of a text.

    LSP counts lines from 0 and, by default, characters in UTF-16 code units: a
    character outside the Basic Multilingual Plane (an emoji) is two units, an ``é``
    one. Lines end at CR, LF or CRLF, as in Python.
    """

    def __init__(self, text: str, encoding: str = UTF16) -> None:
        self.lines = split_lines(text)
        self.encoding = encoding

    def units(self, text: str) -> int:
        if self.encoding == UTF8:
            return len(text.encode("utf-8", "surrogatepass"))
        if self.encoding == UTF32:
            return len(text)
        return len(text.encode("utf-16-le", "surrogatepass")) // 2

    def convert(self, position: Position) -> tuple[int, int]:
        line = position.line - 1
        if line < 0:
            return 0, 0
        if line >= len(self.lines):
            return len(self.lines), 0
        return line, self.units(self.lines[line][: max(position.column - 1, 0)])

    def span(self, start: Position, end: Position) -> Span:
        return Span(self.convert(start), self.convert(end))

    def edit(self, edit: Edit) -> tuple[Span, str]:
        return self.span(edit.start, edit.end), edit.content

    def whole(self, text: str) -> Span:
        """The range of all of ``text`` (to replace it)."""
        if not self.lines:
            return Span((0, 0), (0, 0))
        if text.endswith(("\n", "\r")):
            return Span((0, 0), (len(self.lines), 0))
        return Span((0, 0), (len(self.lines) - 1, self.units(self.lines[-1])))
