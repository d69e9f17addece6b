"""The flake8 plugin: redislint's engine, configuration and suppressions behind flake8.

flake8 hands over the lines it read and the ``ast`` tree it built; the plugin indexes
that tree, parses the same text once with libcst and runs the enabled rules, so it
reports what ``redislint FILE`` reports for the file. A file flake8 cannot parse never
reaches the plugin (flake8 reports E999 itself); one that only libcst rejects, or that
nests so deeply libcst's native parser would crash flake8's process, is left alone,
because RL000 is the command line's way of saying a file went unchecked. The plugin never
raises: an internal error becomes an RL000 report, not a failed flake8 run.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from redislint import __version__
from redislint.config import Config, enabled_codes, load_config
from redislint.engine.discovery import DEFAULT_EXCLUDE, matches_any
from redislint.engine.index import ModuleFacts, extract
from redislint.engine.modules import is_package_init, module_name
from redislint.engine.project import Project
from redislint.engine.pyparse import LIBCST_SAFE_DEPTH, libcst_depth
from redislint.engine.runner import Runner, may_use_redis, resolve_tree_conditions

Report = tuple[int, int, str, type]

# One runner per directory (each holds its configuration and the instantiated rules);
# flake8 checks many files of few directories, in one process or a few forked ones.
_RUNNERS: dict[Path, tuple[Runner, list[str]]] = {}


def _runner_for(directory: Path) -> tuple[Runner, list[str]]:
    """The runner for files in ``directory`` and the exclude patterns it honours.

    A configuration error propagates: flake8 then stops and shows it, as the command
    line would (exit code 2), instead of silently checking with the wrong settings.
    """
    cached = _RUNNERS.get(directory)
    if cached is None:
        config = load_config(start=directory)
        if config.path is None:
            # No configuration file: paths are relative to where flake8 runs, like the CLI.
            config = Config(root=Path.cwd().absolute())
        exclude = list(DEFAULT_EXCLUDE if config.exclude is None else config.exclude)
        exclude += config.extend_exclude
        cached = (Runner(config, enabled_codes(config)), exclude)
        _RUNNERS[directory] = cached
    return cached


def _excluded(path: Path, exclude: list[str], root: Path) -> bool:
    """Whether the configuration's ``exclude``/``extend-exclude`` skip a file below ``root``
    (as when ``redislint`` walks that directory); files elsewhere are checked."""
    try:
        path.absolute().relative_to(root)
    except ValueError:
        return False
    return matches_any(path, exclude, root)


class RedislintChecker:
    """flake8 extension ``RL``: the findings of every enabled redislint rule."""

    name = "redislint"
    version = __version__

    def __init__(self, tree: ast.AST, lines: list[str], filename: str) -> None:
        self.tree = tree
        self.lines = lines
        self.filename = filename

    def run(self) -> Iterator[Report]:
        runner, exclude = _runner_for(Path(self.filename).absolute().parent)
        try:
            reports = list(self._check(runner, exclude))
        except Exception as exc:  # a bug in redislint must not stop flake8's whole run
            message = f"internal error while analysing the file: {type(exc).__name__}: {exc}"
            reports = [(1, 0, f"RL000 {' '.join(message.split())}", type(self))]
        yield from reports

    def _check(self, runner: Runner, exclude: list[str]) -> Iterator[Report]:
        text = "".join(self.lines)
        path = Path(self.filename)
        if _excluded(path, exclude, runner.config.root) or not may_use_redis(text, runner.tokens):
            return
        if libcst_depth(self.tree) > LIBCST_SAFE_DEPTH:
            return  # libcst would overflow its native stack, in flake8's process
        key = str(path.absolute())
        facts = self._facts(path, key)
        project = Project([] if facts is None else [facts], runner.settings.client_name_patterns)
        result = runner.lint_text(text, path, self.filename, project)
        findings = runner.filter(resolve_tree_conditions([result]))
        for finding in findings:
            if finding.code == "RL000":
                continue
            # flake8 columns are 0-based and printed + 1: printed columns equal redislint's.
            column = max(finding.start.column - 1, 0)
            yield finding.start.line, column, f"{finding.code} {finding.message}", type(self)

    def _facts(self, path: Path, key: str) -> ModuleFacts | None:
        """The file's index entry, from the tree flake8 already built."""
        if not isinstance(self.tree, ast.Module):
            return None
        name, _root = module_name(path)
        try:
            return extract(self.tree, key, name, is_package_init(path))
        except RecursionError:
            return None
