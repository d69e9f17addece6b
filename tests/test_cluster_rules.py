"""Cluster rules end to end: configuration, examples, messages, anchors inside scripts."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from harness import run_fixture
from redislint.cli import main
from redislint.config import ConfigError, parse_config

ROOT = Path(__file__).parent.parent
EXAMPLES = ROOT / "examples"


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"cluster-proxy": "yes"}, "'cluster-proxy' must be true or false"),
        ({"cluster-proxy": True}, "it needs 'cluster = true'"),
        ({"cluster": False, "cluster-proxy": True}, "it needs 'cluster = true'"),
    ],
)
def test_cluster_proxy_is_validated(table: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_config(table, None)


def test_cluster_proxy_setting() -> None:
    settings = parse_config({"cluster": True, "cluster-proxy": True}, None).settings
    assert settings.cluster and settings.cluster_proxy
    assert not parse_config({}, None).settings.cluster_proxy


def codes(output: str) -> set[str]:
    return {word for line in output.splitlines() for word in line.split() if word[:4] == "RL70"}


def test_examples_show_the_cluster_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["--format", "concise", "examples"])
    assert {"RL701", "RL702", "RL703"} <= codes(result.stdout)
    assert "RL704" not in result.stdout  # plain clients are fine without cluster = true
    config = ["--config", "examples/cluster.toml", "--select", "RL704", "--format", "concise"]
    result = CliRunner().invoke(main, [*config, "examples/cluster_client.py"])
    assert result.stdout.count("RL704") == 1, result.stdout


def test_examples_fixed_functions_are_clean(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["--format", "concise", "examples"])
    for name in ("cluster_profiles.py", "rate_limit_script.py"):
        lines = (EXAMPLES / name).read_text(encoding="utf-8").splitlines()
        for finding in result.stdout.splitlines():
            if finding.startswith(f"examples/{name}:"):
                number = int(finding.split(":")[1])
                function = next(
                    line for line in reversed(lines[:number]) if line.startswith(("def ", "RATE"))
                )
                assert "fixed" not in function.lower(), finding


def lint_source(tmp_path: Path, source: str, **config: object) -> list[tuple[int, int, str]]:
    path = tmp_path / "sample.py"
    path.write_text(source, encoding="utf-8")
    table: dict[str, object] = {"select": ["RL7"], **config}
    return [(f.start.line, f.start.column, f.message) for f in run_fixture(path, table)]


def test_suggested_hash_tags(tmp_path: Path) -> None:
    source = (
        "from redis.cluster import RedisCluster\n"
        "rc = RedisCluster()\n"
        "def f(uid):\n"
        "    rc.mget(f'user:{uid}:name', f'user:{uid}:email')\n"
        "    rc.rename('report:today', 'report:yesterday')\n"
        "    rc.rpoplpush(f'jobs:{uid}', 'jobs:done')\n"
        "    rc.mget('a', 'b')\n"
    )
    messages = [m for _, _, m in lint_source(tmp_path, source)]
    assert "e.g. f'{{user:{uid}}}:name'" in messages[0]
    assert "(slot 58)" in messages[1] and "e.g. '{report}:today'" in messages[1]
    # a constant tag for a family of keys would be a hot tag (RL703): no suggestion
    assert messages[2].endswith(
        "give them one hash tag (the part they share in braces: '{user:42}:name')"
    )
    assert "'a' (slot 15495) and 'b' (slot 3300)" in messages[3]


def test_lua_finding_in_implicitly_concatenated_literal(tmp_path: Path) -> None:
    source = (
        "import redis\n"
        "r = redis.Redis()\n"
        "SCRIPT = (\n"
        "    \"local v = redis.call('GET', KEYS[1])\\n\"\n"
        "    \"return redis.call('SET', 'copy', v)\"\n"
        ")\n"
        "r.eval(SCRIPT, 1, 'k')\n"
    )
    assert [(line, col) for line, col, _ in lint_source(tmp_path, source)] == [(5, 13)]


def test_scripts_built_at_run_time_are_not_read(tmp_path: Path) -> None:
    source = (
        "import redis\n"
        "r = redis.Redis()\n"
        "r.eval(f\"return redis.call('GET', 'x')\", 0)\n"
        "r.eval(\"return redis.call('GET', 'x')\" + '', 0)\n"
    )
    assert [(line, col) for line, col, _ in lint_source(tmp_path, source)] == []


def test_bad_lua_never_crashes(tmp_path: Path) -> None:
    source = (
        "import redis\n"
        "r = redis.Redis()\n"
        "r.eval('return redis.call(\"GET\", [[unterminated', 0)\n"
        "r.eval('redis.call(', 0)\n"
        "r.eval('redis.call(\\'MSET\\', unpack(x), \\'k\\', 1)', 0)\n"
        "r.function_load('redis.register_function(')\n"
        'r.eval(\'é = redis.call("GET", "k" .. \', 0)\n'
    )
    found = lint_source(tmp_path, source)
    assert all(line == 7 for line, _, _ in found)


def test_script_constant_of_another_module(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "app" / "lua.py").write_text(
        'SCRIPT = """\nreturn redis.call(\'GET\', \'literal\')\n"""\n'
        "GOOD = \"return redis.call('GET', KEYS[1])\"\n",
        encoding="utf-8",
    )
    (tmp_path / "app" / "main.py").write_text(
        "import redis\n"
        "import app.lua as lua\n"
        "from app.lua import GOOD, SCRIPT\n"
        "r = redis.Redis()\n"
        "r.eval(SCRIPT, 0)\n"
        "r.eval(GOOD, 1, 'k')\n"
        "r.register_script(lua.SCRIPT)\n",
        encoding="utf-8",
    )
    found = run_fixture(tmp_path, {"select": ["RL702"]})
    assert [(f.path, f.start.line, f.start.column) for f in found] == [
        ("app/main.py", 5, 1),
        ("app/main.py", 7, 1),
    ]
