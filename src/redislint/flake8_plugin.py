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
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from redislint import __version__
from redislint.config import Config, config_file_in, enabled_codes, installed_plugins, load_config
from redislint.engine.discovery import exclude_patterns, excluded_below
from redislint.engine.prefilter import (
    may_define_keys,
    may_use_redis,
    names_redis,
    prefilter_tokens,
)

if TYPE_CHECKING:
    from redislint.engine.runner import Runner
    from redislint.semantic.index import ModuleFacts

Report = tuple[int, int, str, type]


@dataclass
class _Setup:
    """One configuration file's settings, and its runner once a file needs one.

    flake8 imports the plugin in every run and hands it every file; the engine (rules,
    libcst) is imported only when a file passes the prefilter, so a tree without Redis
    pays for little more than a substring search per file.
    """

    config: Config
    exclude: list[str]
    tokens: tuple[str, ...]
    _runner: Runner | None = None

    @property
    def runner(self) -> Runner:
        if self._runner is None:
            from redislint.engine.runner import Runner

            self._runner = Runner(self.config, enabled_codes(self.config))
        return self._runner


# One setup per configuration file, and the configuration file of each directory seen:
# flake8 checks many files of many directories, in one process or a few forked ones.
_SETUPS: dict[Path | None, _Setup] = {}
_CONFIG_OF: dict[Path, Path | None] = {}


def _config_file(directory: Path) -> Path | None:
    """``find_config_file(directory)``, remembering every directory on the way up."""
    walked: list[Path] = []
    found: Path | None = None
    while True:
        if directory in _CONFIG_OF:
            found = _CONFIG_OF[directory]
            break
        walked.append(directory)
        found = config_file_in(directory)
        if found is not None or directory.parent == directory:
            break
        directory = directory.parent
    for seen in walked:
        _CONFIG_OF[seen] = found
    return found


def _setup_for(directory: Path) -> _Setup:
    """The settings for files in ``directory``.

    A configuration error propagates: flake8 then stops and shows it, as the command
    line would (exit code 2), instead of silently checking with the wrong settings.
    """
    path = _config_file(directory)
    setup = _SETUPS.get(path)
    if setup is None:
        # No configuration file: paths are relative to where flake8 runs, like the CLI.
        if path is None:
            installed_plugins()  # what load_config does first
            config = Config(root=Path.cwd().absolute())
        else:
            config = load_config(path)
        exclude = exclude_patterns(config.exclude, config.extend_exclude)
        setup = _SETUPS[path] = _Setup(config, exclude, prefilter_tokens(config.settings))
    return setup


class RedislintChecker:
    """flake8 extension ``RL``: the findings of every enabled redislint rule."""

    name = "redislint"
    version = __version__

    def __init__(self, tree: ast.AST, lines: list[str], filename: str) -> None:
        self.tree = tree
        self.lines = lines
        self.filename = filename

    def run(self) -> Iterator[Report]:
        setup = _setup_for(Path(self.filename).absolute().parent)
        try:
            reports = list(self._check(setup))
        except Exception as exc:  # a bug in redislint must not stop flake8's whole run
            message = f"internal error while analysing the file: {type(exc).__name__}: {exc}"
            reports = [(1, 0, f"RL000 {' '.join(message.split())}", type(self))]
        yield from reports

    def _check(self, setup: _Setup) -> Iterator[Report]:
        text = "".join(self.lines)
        path = Path(self.filename)
        if not may_use_redis(text, setup.tokens) or excluded_below(
            path, setup.exclude, setup.config.root
        ):
            return
        from redislint.semantic.project import Project
        from redislint.semantic.pyparse import LIBCST_SAFE_DEPTH, libcst_depth

        if libcst_depth(self.tree) > LIBCST_SAFE_DEPTH:
            return  # libcst would overflow its native stack, in flake8's process
        runner = setup.runner
        key = str(path.absolute())
        facts = self._facts(path, key)
        project = Project([] if facts is None else [facts], runner.settings.client_name_patterns)
        # flake8's own tree of the file spares redislint a second standard parse
        tree = self.tree if isinstance(self.tree, ast.Module) else None
        findings = runner.text_findings(text, path, self.filename, project, tree)
        for finding in findings:
            if finding.code == "RL000":
                continue
            # flake8 columns are 0-based and printed + 1: printed columns equal redislint's.
            column = max(finding.start.column - 1, 0)
            yield finding.start.line, column, f"{finding.code} {finding.message}", type(self)

    def _facts(self, path: Path, key: str) -> ModuleFacts | None:
        """The file's index entry, from the tree flake8 already built."""
        from redislint.semantic.index import extract
        from redislint.semantic.modules import is_package_init, module_name

        if not isinstance(self.tree, ast.Module):
            return None
        name, _root = module_name(path)
        try:
            facts = extract(self.tree, key, name, is_package_init(path))
        except RecursionError:
            return None
        facts.mentions_redis = names_redis("".join(self.lines))
        facts.defines_keys = may_define_keys("".join(self.lines))
        return facts
