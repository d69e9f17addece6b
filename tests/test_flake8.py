"""The flake8 plugin, through the real ``flake8`` command: the same findings as the CLI."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from tooling import ROOT

from harness import CONFIG, FIXTURES

LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]+\d+) (?P<msg>.*)$")
FIXTURE_FILES = sorted((FIXTURES / "rules").glob("RL*.py"))

BAD = """import redis

r = redis.Redis()


def cache(uid, payload):
    r.set(f"user:{uid}", payload)
    return r.keys("*")
"""

Found = tuple[str, int, int, str, str]


def _env() -> dict[str, str]:
    # The plugin module from this checkout, even where another copy is installed.
    path = os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))
    return dict(os.environ, PYTHONPATH=path)


def flake8(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=_env(),
        timeout=300,
        check=False,
    )


def flake8_found(*args: str, cwd: Path) -> list[Found]:
    done = flake8(*args, cwd=cwd)
    assert done.returncode in (0, 1), done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    found = []
    for line in done.stdout.splitlines():
        match = LINE.match(line)
        assert match, line
        path = match["path"].removeprefix("./")
        found.append((path, int(match["line"]), int(match["col"]), match["code"], match["msg"]))
    return sorted(found)


def cli_found(*args: str, cwd: Path, ordered: bool = False) -> list[Found]:
    done = subprocess.run(
        [sys.executable, "-m", "redislint", "--format", "json-lines", "--exit-zero", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=_env(),
        timeout=300,
        check=True,
    )
    items = [json.loads(line) for line in done.stdout.splitlines()]
    found = [
        (i["path"], i["start"]["line"], i["start"]["column"], i["code"], i["message"])
        for i in items
    ]
    return found if ordered else sorted(found)


def copy_fixture(fixture: Path, directory: Path) -> Path:
    """The fixture in its own folder, its ``# config:`` lines as that folder's redislint.toml."""
    text = fixture.read_text(encoding="utf-8")
    settings = [m["toml"] for line in text.splitlines() if (m := CONFIG.match(line))]
    if not any(s.lstrip().startswith("select") for s in settings):
        settings.append('select = ["ALL"]')
    (directory / "redislint.toml").write_text("\n".join(settings) + "\n", encoding="utf-8")
    target = directory / fixture.name
    target.write_text(text, encoding="utf-8")
    return target


def test_the_entry_point_is_declared() -> None:
    (plugin,) = [e for e in entry_points(group="flake8.extension") if e.name == "RL"]
    assert plugin.value == "redislint.flake8_plugin:RedislintChecker"


CHECKED = [f for f in FIXTURE_FILES if f.stem != "RL000"]


@pytest.fixture(scope="module")
def flake8_on_fixtures(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, dict[str, list[Found]]]:
    """Every fixture in a folder of its own (with its configuration), and what ONE flake8
    run over all those folders reports, by fixture: the plugin reads each folder's
    configuration, as it does in a monorepo."""
    root = tmp_path_factory.mktemp("fixtures")
    for fixture in CHECKED:
        (root / fixture.stem).mkdir()
        copy_fixture(fixture, root / fixture.stem)
    found: dict[str, list[Found]] = {f.stem: [] for f in CHECKED}
    for path, line, column, code, message in flake8_found("--select", "RL", ".", cwd=root):
        folder, name = path.split("/", 1)
        # a message naming another place of the file says where flake8 ran from
        message = message.replace(f"./{folder}/", "")
        found[folder].append((name, line, column, code, message))
    return root, found


@pytest.mark.parametrize("fixture", CHECKED, ids=lambda f: f.stem)
def test_fixture_findings_match_the_cli(
    fixture: Path, flake8_on_fixtures: tuple[Path, dict[str, list[Found]]]
) -> None:
    root, found = flake8_on_fixtures
    expected = cli_found(fixture.name, cwd=root / fixture.stem)
    # Some fixtures are silent on their own (test files, findings judged across the tree):
    # both tools must then agree on silence.
    assert sorted(found[fixture.stem]) == expected


def test_examples_match_the_cli_in_parallel_flake8() -> None:
    # flake8 checks Python files only: the CLI's redis.conf findings are not its business
    expected = [f for f in cli_found("examples", cwd=ROOT) if f[0].endswith(".py")]
    assert len({f[3] for f in expected}) >= 4
    assert flake8_found("--select", "RL", "--jobs", "2", "examples", cwd=ROOT) == expected


def test_columns_count_code_points_like_the_cli(tmp_path: Path) -> None:
    (tmp_path / "wide.py").write_text(
        'import redis\nr = redis.Redis()\nlabel = "ünïcödé 🎉"; r.keys("*")\n', encoding="utf-8"
    )
    expected = cli_found("wide.py", cwd=tmp_path)
    assert [(f[1], f[2], f[3]) for f in expected] == [(3, 22, "RL301")]
    assert flake8_found("--select", "RL", "wide.py", cwd=tmp_path) == expected


def test_flake8_select_and_extend_ignore(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text(BAD)
    codes = [f[3] for f in flake8_found("--select", "RL", "bad.py", cwd=tmp_path)]
    assert codes == ["RL101", "RL301"]
    only = flake8_found("--select", "RL3", "bad.py", cwd=tmp_path)
    assert [f[3] for f in only] == ["RL301"]
    rest = flake8_found("--select", "RL", "--extend-ignore", "RL101", "bad.py", cwd=tmp_path)
    assert [f[3] for f in rest] == ["RL301"]
    # Alongside flake8's own checks: the default selection includes every plugin code.
    everything = flake8_found("bad.py", cwd=tmp_path)
    assert {"RL101", "RL301"} <= {f[3] for f in everything}


def test_noqa_comments(tmp_path: Path) -> None:
    source = BAD.replace("payload)\n", "payload)  # noqa: E501\n").replace(
        'r.keys("*")\n', 'r.keys("*")  # noqa\n'
    )
    (tmp_path / "bad.py").write_text(source)
    found = flake8_found("--select", "RL", "bad.py", cwd=tmp_path)
    assert [f[3] for f in found] == ["RL101"]  # a noqa for another code does not hide RL101
    (tmp_path / "bad.py").write_text(BAD.replace("payload)\n", "payload)  # noqa: RL101\n"))
    assert [f[3] for f in flake8_found("--select", "RL", "bad.py", cwd=tmp_path)] == ["RL301"]
    (tmp_path / "bad.py").write_text(
        BAD.replace("payload)\n", "payload)  # redislint: ignore[set-without-ttl]\n")
    )
    assert [f[3] for f in flake8_found("--select", "RL", "bad.py", cwd=tmp_path)] == ["RL301"]


def test_redislint_configuration_is_honoured(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.redislint]\nignore = ["RL301"]\nper-file-ignores = { "legacy/*" = ["RL101"] }\n'
        'extend-exclude = ["generated"]\n'
    )
    for name in ("app", "legacy", "generated"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "bad.py").write_text(BAD)
    found = flake8_found("--select", "RL", ".", cwd=tmp_path)
    assert [(f[0], f[3]) for f in found] == [("app/bad.py", "RL101")]
    assert found == cli_found(".", cwd=tmp_path)


def test_a_configuration_error_stops_flake8_with_the_reason(tmp_path: Path) -> None:
    (tmp_path / "redislint.toml").write_text('ignroe = ["RL301"]\n')
    (tmp_path / "bad.py").write_text(BAD)
    done = flake8("--select", "RL", "bad.py", cwd=tmp_path)
    assert done.returncode != 0
    assert "unknown key 'ignroe'" in done.stderr


def test_a_syntax_error_is_flake8s_to_report(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text((FIXTURES / "rules" / "RL000.py").read_text())
    (tmp_path / "fine.py").write_text(BAD)
    found = flake8_found("--select", "E999,RL", "broken.py", "fine.py", cwd=tmp_path)
    assert [(f[0], f[3]) for f in found] == [
        ("broken.py", "E999"),
        ("fine.py", "RL101"),
        ("fine.py", "RL301"),
    ]


def test_files_without_redis_are_quiet(tmp_path: Path) -> None:
    (tmp_path / "plain.py").write_text("cache = {}\ncache.get('k')\n")
    assert flake8_found("--select", "RL", "plain.py", cwd=tmp_path) == []
