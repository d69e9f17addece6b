"""Rules of a project's own: a real package installed into a fresh venv (its entry point in
the group ``redislint.rules``), and a module named by ``plugins = [...]`` next to the
configuration. Their rules reach every output, ``--list-rules``, ``rule``, SARIF, the flake8
plugin and the cache key; a bad plugin is a clear error (exit 2), never a traceback."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from harness import redislint, write_tree

ROOT = Path(__file__).resolve().parent.parent
PLUGIN = ROOT / "examples" / "plugins" / "acme-redis-rules"
APP = {
    "app.py": (
        "import redis\n\n"
        "r = redis.Redis()\n\n\n"
        "def save(uid, data):\n"
        '    r.set(f"user:{uid}", data, ex=60)\n'
        '    r.set(f"acme:user:{uid}", data, ex=60)\n'
        "    r.select(2)\n"
        "    {}.get('select')\n"
    )
}
EXPECTED = [("ACM101", 7, 11), ("ACM102", 9, 5)]


def _found(output: str) -> list[tuple[str, int, int]]:
    return [
        (f["code"], f["start"]["line"], f["start"]["column"])
        for f in json.loads(output)
        if not f["code"].startswith("RL")
    ]


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new venv that sees this one's packages (redislint, libcst...) through a .pth
    file, with the example plugin package installed into it by pip, as a user would."""
    home = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(home)], check=True)
    python = home / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    ours = sorted({sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]})
    # addsitedir, not bare paths: their own .pth files (an editable redislint) count too
    (Path(purelib) / "host_packages.pth").write_text(
        "".join(f"import site; site.addsitedir({p!r})\n" for p in ours)
    )
    source = home / "acme-redis-rules"
    shutil.copytree(PLUGIN, source)
    installed = subprocess.run(
        [
            *(sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet"),
            *("--no-deps", "--no-build-isolation", "--no-index", str(source)),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert installed.returncode == 0, installed.stderr
    return home


def _run(venv: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run(
        [str(venv / "bin" / "python"), "-m", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env=env,
    )


def test_an_installed_plugin_reports_in_every_part_of_a_run(venv: Path, tmp_path: Path) -> None:
    write_tree(tmp_path, APP)
    out = _run(venv, tmp_path, "redislint", "--no-cache", "--output-format", "json", ".")
    assert out.returncode == 1, out.stderr
    assert _found(out.stdout) == EXPECTED
    listed = _run(venv, tmp_path, "redislint", "--list-rules").stdout
    assert "ACM101" in listed and "acme-banned-command" in listed
    explained = _run(venv, tmp_path, "redislint", "rule", "ACM102")
    assert explained.returncode == 0 and "Redis Cluster" in explained.stdout
    sarif = json.loads(
        _run(venv, tmp_path, "redislint", "--no-cache", "--output-format", "sarif", ".").stdout
    )
    ids = {r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert {"ACM101", "ACM102"} <= ids
    flake8 = _run(venv, tmp_path, "flake8", "--isolated", "--select", "RL,ACM", "app.py")
    assert "app.py:7:11: ACM101" in flake8.stdout and "app.py:9:5: ACM102" in flake8.stdout
    ignored = _run(venv, tmp_path, "redislint", "--no-cache", "--ignore", "ACM", ".")
    assert "ACM1" not in ignored.stdout


def test_without_the_plugin_its_codes_are_unknown(tmp_path: Path) -> None:
    """This venv has no plugin installed: the same code is an error, not silently ignored."""
    write_tree(tmp_path, APP)
    out = redislint(tmp_path, "--no-cache", "--select", "ACM101", ".")
    assert out.returncode == 2 and "ACM101" in out.stderr


LOCAL = (
    "from redislint.diagnostics import Severity\n"
    "from redislint.rules.base import Rule\n\n\n"
    "class NoClientKill(Rule):\n"
    '    """\n    ## What it does\n    Flags client_kill().\n    """\n\n'
    '    code = "{code}"\n'
    '    name = "{name}"\n'
    "    severity = Severity.WARNING\n"
    '    summary = "No CLIENT KILL in code"\n\n'
    "    def check_command(self, cmd, ctx):\n"
    '        if cmd.name == "client|kill":\n'
    '            ctx.report(self, cmd.node, "CLIENT KILL is for operators")\n'
)
DEBUG_APP = {"app.py": "import redis\n\nr = redis.Redis()\nr.client_kill('10.0.0.1:6379')\n"}


def test_a_local_plugin_next_to_the_configuration(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            **DEBUG_APP,
            "pyproject.toml": '[tool.redislint]\nplugins = ["local_rules"]\n',
            "local_rules.py": LOCAL.format(code="LOC1", name="no-debug"),
        },
    )
    out = redislint(tmp_path, "--output-format", "json", ".")
    assert _found(out.stdout) == [("LOC1", 4, 1)], out.stderr
    # the cache key holds the plugin's code: a changed rule is run again, not read back
    (tmp_path / "local_rules.py").write_text(
        LOCAL.format(code="LOC1", name="no-debug").replace("KILL is for", "KILL: only")
    )
    again = redislint(tmp_path, "--output-format", "json", ".")
    assert json.loads(again.stdout)[-1]["message"] == "CLIENT KILL: only operators"


@pytest.mark.parametrize(
    ("plugins", "module", "says"),
    [
        (
            '["missing_rules"]',
            None,
            "plugin 'missing_rules' cannot be imported: ModuleNotFoundError",
        ),
        ('["local_rules"]', LOCAL.format(code="RL999", name="no-debug"), "belong to redislint"),
        ('["local_rules"]', LOCAL.format(code="loc1", name="no-debug"), "flake8's rule"),
        ('["local_rules"]', LOCAL.format(code="LOC1", name="keys-command"), "clashes with RL301"),
        ('["local_rules"]', LOCAL.format(code="LOC1", name="No Debug"), "lowercase words"),
        ('["local_rules"]', "raise RuntimeError('boom')\n", "RuntimeError: boom"),
        ('["local_rules"]', "X = 1\n", "defines no rule"),
        ('"local_rules"', None, "'plugins' must be a list of strings"),
    ],
)
def test_a_bad_plugin_is_a_clear_error(
    tmp_path: Path, plugins: str, module: str | None, says: str
) -> None:
    files = {**DEBUG_APP, "pyproject.toml": f"[tool.redislint]\nplugins = {plugins}\n"}
    if module is not None:
        files["local_rules.py"] = module
    write_tree(tmp_path, files)
    out = redislint(tmp_path, ".")
    assert out.returncode == 2, out.stdout
    assert says in out.stderr and "Traceback" not in out.stderr
    assert "pyproject.toml" in out.stderr
