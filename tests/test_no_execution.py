"""Linted code is read, never imported or run: through the command (both ways of starting
it, and with workers), standard input and the flake8 plugin.

Every file of the hostile tree would leave a marker file and kill its process if it ran:
modules, a package ``__init__``, ``conftest.py``, a ``redis.py`` shadowing redis-py,
modules named like redislint's own dependencies (``json``, ``click``, ``libcst``...),
``sitecustomize``, a ``.pth`` file, ``sys.modules`` tricks. After each run no marker may
exist and the expected findings must be there.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent

# Modules a hostile tree could shadow if the current directory were on sys.path.
SHADOWED = ["json", "click", "libcst", "rich", "tomli", "ast", "tokenize", "hashlib", "redis"]


def side_effect(marker: Path, name: str) -> str:
    return f"import os as _os\nopen({str(marker / name)!r}, 'w').close()\n_os._exit(3)\n"


@pytest.fixture
def hostile(tmp_path: Path) -> tuple[Path, Path]:
    project = tmp_path / "project"
    marker = tmp_path / "markers"
    project.mkdir()
    marker.mkdir()
    findings = "import redis\nr = redis.Redis()\nr.keys('*')\n"

    def put(relative: str, text: str) -> None:
        path = project / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)

    put("app.py", side_effect(marker, "app") + findings)
    put("conftest.py", side_effect(marker, "conftest") + findings)
    put("pkg/__init__.py", side_effect(marker, "pkg_init") + "from redis import Redis\n")
    put("pkg/use.py", side_effect(marker, "pkg_use") + "from pkg import Redis\nRedis().keys('*')\n")
    put("tests/test_app.py", side_effect(marker, "test_app") + findings)
    put("__main__.py", side_effect(marker, "main") + findings)
    put("setup.py", side_effect(marker, "setup") + findings)
    put("sitecustomize.py", side_effect(marker, "sitecustomize"))
    put("usercustomize.py", side_effect(marker, "usercustomize"))
    put("evil.pth", f"import os; open({str(marker / 'pth')!r}, 'w').close()\n")
    put(
        "tricks.py",
        "import sys\nsys.modules['redislint'] = None\nsys.modules['redis'] = None\n"
        + side_effect(marker, "tricks")
        + findings,
    )
    for name in SHADOWED:
        put(f"{name}.py", side_effect(marker, f"shadow_{name}"))
    put("click/__init__.py", side_effect(marker, "shadow_click_package"))
    return project, marker


EXPECTED = {
    ("app.py", "RL301"),
    ("conftest.py", "RL301"),
    ("pkg/use.py", "RL301"),
    ("tests/test_app.py", "RL301"),
    ("__main__.py", "RL301"),
    ("setup.py", "RL301"),
    ("tricks.py", "RL301"),
}


def _env() -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    env.pop("PYTHONSAFEPATH", None)
    return env


def _run(
    command: list[str], cwd: Path, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command,
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        env=_env(),
        timeout=120,
        check=False,
    )


def _findings(stdout: str) -> set[tuple[str, str]]:
    return {(i["path"], i["code"]) for i in map(json.loads, stdout.splitlines())}


def assert_nothing_ran(marker: Path) -> None:
    assert sorted(p.name for p in marker.iterdir()) == []


@pytest.mark.parametrize(
    "command",
    [
        [str(VENV_BIN / "redislint")],
        [sys.executable, "-m", "redislint"],
        [sys.executable, "-m", "redislint", "--jobs", "2"],
    ],
    ids=["console-script", "python-m", "workers"],
)
def test_the_command_never_runs_linted_code(hostile: tuple[Path, Path], command: list[str]) -> None:
    project, marker = hostile
    if not Path(command[0]).exists():
        pytest.skip(f"{command[0]} is not installed")
    done = _run([*command, "--no-cache", "--format", "json-lines", "."], project)
    assert done.returncode == 1, done.stderr
    assert _findings(done.stdout) == EXPECTED
    assert_nothing_ran(marker)


def test_standard_input_never_runs_linted_code(hostile: tuple[Path, Path]) -> None:
    project, marker = hostile
    text = (project / "app.py").read_text()
    command = [sys.executable, "-m", "redislint", "--no-cache", "--format", "json-lines"]
    done = _run([*command, "--stdin-filename", "app.py", "-"], project, stdin=text)
    assert done.returncode == 1, done.stderr
    assert _findings(done.stdout) == {("app.py", "RL301")}
    assert_nothing_ran(marker)


def test_the_flake8_plugin_never_runs_linted_code(hostile: tuple[Path, Path]) -> None:
    project, marker = hostile
    for name in SHADOWED:  # flake8 itself runs from the project: keep its own imports sane
        (project / f"{name}.py").unlink()
    (project / "click").rename(project / "click_package")
    done = _run([sys.executable, "-m", "flake8", "--isolated", "--select", "RL", "."], project)
    assert done.returncode == 1, done.stderr
    reported = {
        (line.split(":")[0].removeprefix("./"), line.split()[1])
        for line in done.stdout.splitlines()
    }
    assert reported == EXPECTED
    assert_nothing_ran(marker)
