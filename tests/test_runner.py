"""The runner: parallel workers, the cache, crash isolation, time limits, the prefilter."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from harness import FIXTURES
from redislint.cli import main
from redislint.config import Config, enabled_codes
from redislint.engine.runner import Runner

PROJECT = FIXTURES / "projects" / "imported_client"


def lint(target: Path, **kwargs: object) -> list[tuple[str, int, int, str, str]]:
    config = Config(root=target)
    runner = Runner(config, enabled_codes(config), cwd=target, **kwargs)  # type: ignore[arg-type]
    return [
        (f.path, f.start.line, f.start.column, f.code, f.message)
        for f in runner.run([target]).findings
    ]


def test_jobs_do_not_change_the_output() -> None:
    rules = FIXTURES / "rules"
    assert lint(rules, jobs=1) == lint(rules, jobs=2) == lint(rules, jobs=4)


def test_warm_cache_gives_the_same_output(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cold = lint(PROJECT, cache_dir=cache)
    entries = list(cache.rglob("*.json"))
    assert entries, "the cold run wrote nothing to the cache"
    assert lint(PROJECT, cache_dir=cache) == cold
    assert (cache / ".gitignore").read_text().strip().endswith("*")


def test_a_warm_run_reads_everything_from_the_cache(tmp_path: Path) -> None:
    """Every fact and result the cold run stores decodes again: the warm run writes nothing."""
    cache = tmp_path / "cache"
    config = Config(root=FIXTURES)
    cold = Runner(config, enabled_codes(config), cwd=FIXTURES, cache_dir=cache)
    cold_findings = cold.run([FIXTURES]).findings
    assert cold.cache.writes > 100
    warm = Runner(config, enabled_codes(config), cwd=FIXTURES, cache_dir=cache)
    assert warm.run([FIXTURES]).findings == cold_findings
    assert warm.cache.writes == 0


def test_corrupt_cache_entries_are_ignored(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cold = lint(PROJECT, cache_dir=cache)
    for entry in cache.rglob("*.json"):
        entry.write_text('{"_t": "os.system", "x": 1}' if "a" in entry.name else "{not json")
    assert lint(PROJECT, cache_dir=cache) == cold


def test_cache_entries_hold_no_code(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    lint(PROJECT, cache_dir=cache)
    for entry in cache.rglob("*.json"):
        json.loads(entry.read_text())  # plain JSON, never pickle


def test_changing_an_imported_module_invalidates_dependents(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(PROJECT, project)
    cache = tmp_path / "cache"
    before = lint(project, cache_dir=cache)
    assert ("app/relative.py", 5, 5, "RL301") in [f[:4] for f in before]
    db = project / "app" / "db.py"
    db.write_text(db.read_text().replace("cache = redis.Redis()", "cache = {}"))
    after = [f[:4] for f in lint(project, cache_dir=cache)]
    assert ("app/relative.py", 5, 5, "RL301") not in after
    assert ("app/services.py", 7, 5, "RL301") not in after  # cache.keys()
    assert ("app/services.py", 8, 5, "RL301") in after  # get_conn() still returns a client


def test_a_remembered_run_gives_the_same_findings_without_linting(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    config = Config(root=FIXTURES)
    cold = Runner(config, enabled_codes(config), cwd=FIXTURES, cache_dir=cache, remember_runs=True)
    expected = cold.run([FIXTURES]).findings
    assert cold.project is not None
    warm = Runner(config, enabled_codes(config), cwd=FIXTURES, cache_dir=cache, remember_runs=True)
    assert warm.run([FIXTURES]).findings == expected
    assert warm.project is None, "the remembered run indexed the tree again"
    assert warm.cache.writes == 0
    other = Runner(config, enabled_codes(config), cwd=FIXTURES, cache_dir=cache, remember_runs=True)
    assert other.run([FIXTURES / "projects"]).findings != expected  # other files: not remembered


def test_any_changed_file_makes_a_remembered_run_lint_again(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(PROJECT, project)
    cache = tmp_path / "cache"

    def run() -> list[tuple[str, int, str]]:
        config = Config(root=project)
        runner = Runner(
            config, enabled_codes(config), cwd=project, cache_dir=cache, remember_runs=True
        )
        return [(f.path, f.start.line, f.code) for f in runner.run([project]).findings]

    # a file without a single Redis token, that uses the client it imports
    plain = project / "app" / "plain.py"
    plain.write_text("from app.db import cache\n\ncache.keys('*')\n")
    assert ("app/plain.py", 3, "RL301") in run()
    assert ("app/plain.py", 3, "RL301") in run()
    plain.write_text("from app.db import cache\n\ncache.ttl('*')\n")
    assert ("app/plain.py", 3, "RL301") not in run()
    services = project / "app" / "services.py"
    services.write_text(services.read_text().replace('get_conn().keys("a")', "pass"))
    assert ("app/services.py", 8, "RL301") not in run()
    (project / "app" / "extra.py").write_text("from app.db import cache\ncache.keys('*')\n")
    assert ("app/extra.py", 2, "RL301") in run()


def test_files_without_redis_tokens_are_linted_when_they_import_clients() -> None:
    found = [f[:4] for f in lint(PROJECT)]
    assert ("app/services.py", 7, 5, "RL301") in found


def test_a_crashing_parser_becomes_rl000_and_the_run_goes_on(tmp_path: Path) -> None:
    # Valid Python (the standard parser keeps `and` chains flat) on which libcst's native
    # parser overflows its stack: the worker dies with SIGSEGV.
    (tmp_path / "deep.py").write_text("import redis\nx = " + " and ".join(["a"] * 20_000) + "\n")
    (tmp_path / "ok.py").write_text("import redis\nr = redis.Redis()\nr.keys('*')\n")
    found = lint(tmp_path, jobs=1)
    codes = {(f[0], f[3]) for f in found}
    assert ("ok.py", "RL301") in codes
    crashed = [f for f in found if f[0] == "deep.py"]
    assert len(crashed) == 1 and crashed[0][3] == "RL000"
    assert "crashed" in crashed[0][4]


def test_file_time_limit(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("import redis\nr = redis.Redis()\n" + "r.get('k')\n" * 2000)
    found = lint(tmp_path, jobs=1, timeout=0.001)
    assert [f[3] for f in found] == ["RL000"]
    assert "took longer than 0.001 s" in found[0][4]


def test_the_file_waiting_behind_a_stopped_one_is_checked_by_another_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker is given a second (small) file while it works on the first; when the first
    runs out of time, the worker is stopped and the second goes to a fresh worker."""
    import redislint.engine.lint as lint_module

    original = lint_module.lint_module_text

    def slow_on_one_file(text: str, key: str, *args: object) -> object:
        if key.endswith("slow.py"):
            time.sleep(30)
        return original(text, key, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(lint_module, "lint_module_text", slow_on_one_file)  # workers fork
    (tmp_path / "slow.py").write_text("import redis\nr = redis.Redis()\n" + "x = 1\n" * 500)
    (tmp_path / "fast.py").write_text("import redis\nr = redis.Redis()\nr.keys('*')\n")
    found = lint(tmp_path, jobs=1, timeout=2)
    assert [(f[0], f[3]) for f in found] == [("fast.py", "RL301"), ("slow.py", "RL000")]
    assert "took longer than 2 s" in found[1][4]


def test_a_run_with_an_unchecked_file_is_not_remembered(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("import redis\nr = redis.Redis()\nr.keys('*')\n")
    cache = tmp_path / ".cache"
    slow = lint(tmp_path, jobs=1, timeout=0.001, cache_dir=cache, remember_runs=True)
    assert [f[3] for f in slow] == ["RL000"]
    assert [f[:4] for f in lint(tmp_path, jobs=1, cache_dir=cache, remember_runs=True)] == [
        ("a.py", 3, 1, "RL301")
    ]


def test_cli_cache_options(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(PROJECT, tmp_path / "p")
    monkeypatch.chdir(tmp_path / "p")
    runner = CliRunner()
    first = runner.invoke(main, ["--format", "concise", "."])
    assert (tmp_path / "p" / ".redislint_cache").is_dir()
    second = runner.invoke(main, ["--format", "concise", "-j", "1", "."])
    assert first.stdout == second.stdout and first.exit_code == second.exit_code == 1
    runner.invoke(main, ["--no-cache", "--cache-dir", str(tmp_path / "c2"), "."])
    assert not (tmp_path / "c2").exists()
    runner.invoke(main, ["--cache-dir", str(tmp_path / "c3"), "."])
    assert (tmp_path / "c3").is_dir()


def test_a_file_reached_twice_is_checked_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a.py").write_text("import redis\nr = redis.Redis()\nr.keys('*')\n")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        main, ["--no-cache", "--format", "concise", ".", str(tmp_path / "a.py")]
    )
    assert result.stdout.count("RL301") == 1


def test_force_exclude_applies_to_named_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "redislint.toml").write_text('extend-exclude = ["legacy/"]\n')
    (tmp_path / "legacy").mkdir()
    (tmp_path / "legacy" / "a.py").write_text("import redis\nredis.Redis().keys('*')\n")
    monkeypatch.chdir(tmp_path)
    named = CliRunner().invoke(main, ["--no-cache", "--format", "concise", "legacy/a.py"])
    assert "RL301" in named.stdout
    forced = CliRunner().invoke(
        main, ["--no-cache", "--force-exclude", "--format", "concise", "legacy/a.py"]
    )
    assert "RL301" not in forced.stdout and forced.exit_code == 0


def findings_without_prefilter(target: Path) -> tuple[list[tuple[str, int, int, str]], ...]:
    config = Config(root=target)
    runs = [
        Runner(config, enabled_codes(config), cwd=target, prefilter=p).run([target])
        for p in (True, False)
    ]
    assert runs[0].files_checked == runs[1].files_checked
    return tuple(
        [(f.path, f.start.line, f.start.column, f.code) for f in run.findings] for run in runs
    )


def test_the_prefilter_never_drops_a_finding_on_the_fixtures() -> None:
    """Linting every file finds exactly what linting the prefiltered files finds."""
    with_prefilter, without = findings_without_prefilter(FIXTURES)
    assert len(with_prefilter) > 500
    assert with_prefilter == without
