"""The same findings in the same order: any number of workers, cold or warm cache, indexing
in the main process or in workers, the command line or the flake8 plugin."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from test_flake8 import cli_found, flake8

from harness import FIXTURES
from redislint.config import Config, enabled_codes
from redislint.engine import runner as runner_module
from redislint.engine.runner import Runner

ROOT = Path(__file__).resolve().parent.parent
Row = tuple[str, int, int, int, int, str, str]


def lint(target: Path, **options: object) -> list[Row]:
    config = Config(root=target)
    runner = Runner(config, enabled_codes(config), cwd=target, **options)  # type: ignore[arg-type]
    return [
        (f.path, f.start.line, f.start.column, f.end.line, f.end.column, f.code, f.message)
        for f in runner.run([target]).findings
    ]


def corpus(tmp_path: Path) -> Path:
    """The rule fixtures, the examples and the fixture projects in one tree."""
    tree = tmp_path / "corpus"
    shutil.copytree(FIXTURES / "rules", tree / "rules")
    shutil.copytree(ROOT / "examples", tree / "examples")
    shutil.copytree(FIXTURES / "projects", tree / "projects")
    # Valid code nested deeper than the default recursion limit allows to walk.
    (tree / "deep.py").write_text(
        "import redis\nr = redis.Redis()\nx = a" + ".b" * 1500 + "\nr.keys('*')\n"
    )
    return tree


def test_workers_and_cache_do_not_change_findings_or_their_order(tmp_path: Path) -> None:
    tree = corpus(tmp_path)
    serial = lint(tree, jobs=1)
    assert len({row[5] for row in serial}) >= 5 and ("deep.py", 4, 1) in [r[:3] for r in serial]
    cache = tmp_path / "cache"
    assert lint(tree, jobs=2) == serial
    assert lint(tree, jobs=2, cache_dir=cache) == serial  # cold
    assert any(cache.rglob("*.json"))
    assert lint(tree, jobs=2, cache_dir=cache) == serial  # warm
    assert lint(tree, jobs=1, cache_dir=cache) == serial


def test_indexing_in_process_or_in_workers_gives_the_same_findings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tree = corpus(tmp_path)
    in_process = lint(tree, jobs=2)
    # A file the main process cannot index (too deep for its stack) is indexed in a worker.
    parent = os.getpid()
    real = runner_module.index_source

    def too_deep_here(text: str, path: Path, key: str) -> object:
        if os.getpid() == parent and path.name == "deep.py":
            raise RecursionError("maximum recursion depth exceeded")
        return real(text, path, key)

    monkeypatch.setattr(runner_module, "index_source", too_deep_here)
    assert lint(tree, jobs=2) == in_process
    monkeypatch.setattr(runner_module, "index_source", real)
    monkeypatch.setattr(runner_module, "_PARALLEL_INDEX_MIN", 0)  # every index in a worker
    assert lint(tree, jobs=2) == in_process


def test_the_flake8_plugin_reports_in_the_command_lines_order() -> None:
    # flake8 checks Python files only: the command line's redis.conf findings are left out
    expected = [
        f[:4] for f in cli_found("examples", cwd=ROOT, ordered=True) if f[0].endswith(".py")
    ]
    done = flake8("--select", "RL", "--jobs", "2", "examples", cwd=ROOT)
    reported = []
    for line in done.stdout.splitlines():
        path, row, column, rest = line.split(":", 3)
        reported.append((path.removeprefix("./"), int(row), int(column), rest.split()[0]))
    assert len(reported) >= 8
    assert reported == expected
