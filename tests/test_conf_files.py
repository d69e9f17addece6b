"""redis.conf files in a run: discovery, config-files, suppressions, standard input, CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from harness import run_fixture
from redislint.cli import main
from redislint.config import ConfigError, parse_config

BAD = "bind 0.0.0.0\nprotected-mode no\nappendonly yes\nappendfsync always\n"


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def found(root: Path, config: dict[str, object] | None = None) -> set[tuple[str, int, str]]:
    table = {"select": ["RL9", "RL000"], **(config or {})}
    return {(f.path, f.start.line, f.code) for f in run_fixture(root, table)}


def test_directories_yield_conf_files_by_name(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "redis.conf": "maxmemory 1gb\nmaxmemory-policy allkeys-lru\n",
            "deploy/valkey.conf": "maxmemory 0\n",
            "deploy/cache.redis.conf": "maxmemory 0\n",
            "deploy/other.conf": "maxmemory 0\n",
            "node_modules/redis.conf": "maxmemory 0\n",
            "app.py": "import redis\n",
        },
    )
    assert found(tmp_path) == {
        ("deploy/valkey.conf", 1, "RL901"),
        ("deploy/cache.redis.conf", 1, "RL901"),
    }


def test_config_files_globs(tmp_path: Path) -> None:
    write(tmp_path, {"deploy/redis-6379.conf": "maxmemory 0\n", "deploy/app.conf": "x y\n"})
    assert found(tmp_path, {"config-files": ["deploy/redis-*.conf"]}) == {
        ("deploy/redis-6379.conf", 1, "RL901")
    }
    assert found(tmp_path, {"config-files": ["redis-*.conf"]}) == {
        ("deploy/redis-6379.conf", 1, "RL901")
    }


def test_config_files_must_be_a_list_of_strings() -> None:
    with pytest.raises(ConfigError, match="'config-files' must be a list of strings"):
        parse_config({"config-files": "*.conf"}, None)


def test_a_file_named_explicitly_is_linted_as_conf(tmp_path: Path) -> None:
    write(tmp_path, {"prod.redis.conf": "maxmemory 0\n"})
    findings = run_fixture(tmp_path / "prod.redis.conf", {"select": ["RL901"]})
    assert [(f.path, f.start.line, f.code) for f in findings] == [("prod.redis.conf", 1, "RL901")]


def test_an_included_fragment_is_checked_as_part_of_its_parent(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "redis.conf": "include common.redis.conf\nmaxmemory 1gb\n",
            "common.redis.conf": "appendonly yes\nappendfsync always\n",
        },
    )
    # no "maxmemory missing" for the fragment alone, and its finding is reported once
    assert found(tmp_path) == {
        ("redis.conf", 1, "RL902"),
        ("common.redis.conf", 2, "RL904"),
    }


@pytest.mark.parametrize(
    ("text", "suppressed"),
    [
        ("appendonly yes\n# noqa: RL904\nappendfsync always\n", True),
        (
            "appendonly yes\n# redislint: ignore[RL904]\n# deliberate: every write on disk\nappendfsync always\n",
            True,
        ),
        ("appendonly yes\n# redislint: ignore[appendfsync]\nappendfsync always\n", True),
        ("appendonly yes\n# noqa\nappendfsync always\n", True),
        ("appendonly yes\n# noqa: RL901\nappendfsync always\n", False),
        ("appendonly yes\n# noqa: RL904\n\nappendfsync always\n", False),
        ("# noqa: RL904\nappendonly yes\nappendfsync always\n", False),
    ],
)
def test_suppression_comment_above_the_directive(
    tmp_path: Path, text: str, suppressed: bool
) -> None:
    write(tmp_path, {"redis.conf": "maxmemory 1gb\nmaxmemory-policy allkeys-lru\n" + text})
    codes = {code for _p, _l, code in found(tmp_path)}
    assert ("RL904" not in codes) is suppressed


def test_missing_directive_suppressed_in_the_header(tmp_path: Path) -> None:
    write(
        tmp_path,
        {"redis.conf": "# Primary store: no limit wanted.\n\n# noqa: RL901\nappendonly yes\n"},
    )
    assert found(tmp_path) == set()
    write(tmp_path, {"redis.conf": "appendonly yes\n# noqa: RL901\nport 6379\n"})
    assert found(tmp_path) == {("redis.conf", 1, "RL901")}


def test_ignore_file(tmp_path: Path) -> None:
    write(tmp_path, {"redis.conf": "# redislint: ignore-file\nmaxmemory 0\n"})
    assert found(tmp_path) == set()


def test_per_file_ignores_apply(tmp_path: Path) -> None:
    write(tmp_path, {"dev/redis.conf": "maxmemory 0\n"})
    assert found(tmp_path, {"per-file-ignores": {"dev/*": ["RL901"]}}) == set()


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write(tmp_path, {"redis.conf": BAD})
    monkeypatch.chdir(tmp_path)
    return tmp_path


def invoke(*args: str, input: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), input=input)
    return result.exit_code, result.stdout


def test_cli_reports_conf_findings(project: Path) -> None:
    code, out = invoke("--format", "concise", ".")
    assert code == 1
    assert out.splitlines() == [
        "redis.conf:1:1: RL901 no maxmemory directive: Redis has no memory limit and grows until "
        "the kernel's OOM killer ends it; set 'maxmemory <size>' with a maxmemory-policy",
        "redis.conf:2:1: RL905 protected-mode no with bind 0.0.0.0 and no requirepass: any host "
        "that reaches the port can read and delete every key and reconfigure the server; require "
        "a password (requirepass or an ACL user) or bind to loopback",
        "redis.conf:4:1: RL904 appendfsync always fsyncs after every write: throughput is bound to "
        "the disk and a slow disk stalls every client; 'everysec' loses at most ~1 s of writes",
        "Found 3 problems in 1 file (1 file checked)",
    ]


def test_cli_full_format_shows_the_line(project: Path) -> None:
    _code, out = invoke("--format", "full", "--select", "RL904", "redis.conf")
    assert "redis.conf:4:1: RL904 appendfsync:" in out
    assert "4 | appendfsync always\n  | ^\n" in out


def test_cli_parse_error_exits_2(project: Path) -> None:
    (project / "redis.conf").write_text('maxmemory 1gb\nrequirepass "unbalanced\n')
    code, out = invoke("--format", "concise", "--select", "RL000", ".")
    assert code == 2
    assert out.splitlines()[0] == (
        "redis.conf:2:1: RL000 unbalanced quotes in this line; redis-server refuses it"
    )


def test_cli_stdin_with_a_conf_name(project: Path) -> None:
    code, out = invoke(
        "--format", "concise", "--select", "RL904", "--stdin-filename", "redis.conf", "-", input=BAD
    )
    assert code == 1
    assert out.splitlines()[0].startswith("redis.conf:4:1: RL904 appendfsync always")
