"""External tools the integration tests run for real, installed on demand into a cache.

The cache is ``$REDISLINT_TEST_CACHE`` or ``~/.cache/redislint-tests``; ``.ci/run`` fills it
before the tests so a fresh CI machine does not download inside a test.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MULTITOOL = "@microsoft/sarif-multitool"
MULTITOOL_SPEC = f"{MULTITOOL}@^5"


def cache_dir() -> Path:
    configured = os.environ.get("REDISLINT_TEST_CACHE")
    path = Path(configured) if configured else Path.home() / ".cache" / "redislint-tests"
    path.mkdir(parents=True, exist_ok=True)
    return path


def npm_prefix() -> Path:
    """Where the npm packages of the tests are installed (``npm install --prefix``)."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node and npm are not installed: the SARIF validators come from npm")
    prefix = cache_dir() / "npm"
    if not (prefix / "node_modules" / MULTITOOL / "package.json").is_file():
        prefix.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["npm", "install", "--prefix", str(prefix), "--no-audit", "--no-fund", MULTITOOL_SPEC],
            check=True,
            capture_output=True,
            timeout=600,
        )
    return prefix


def multitool_package() -> Path:
    """The directory of the platform's multitool build (``Sarif.Multitool``, the schema)."""
    prefix = npm_prefix()
    # The package's own index.js names the platform build, as `npx` would run it.
    done = subprocess.run(
        ["node", "-e", f"process.stdout.write(require({MULTITOOL!r}))"],
        cwd=prefix,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(f"{MULTITOOL} has no build for this platform: {done.stderr.strip()}")
    return Path(done.stdout).parent


def sarif_schema_path() -> Path:
    """The official SARIF 2.1.0 JSON schema, as shipped in the multitool package."""
    path = multitool_package() / "sarif-2.1.0.json"
    assert path.is_file(), f"{path} is missing from {MULTITOOL}"
    return path


def multitool_command() -> tuple[list[str], Path]:
    """``npx @microsoft/sarif-multitool`` and the directory to run it in (npx finds the
    package from its working directory). Quote the tool's arguments with ``quoted``."""
    binary = multitool_package() / "Sarif.Multitool"
    if binary.is_file() and not os.access(binary, os.X_OK):
        binary.chmod(binary.stat().st_mode | 0o100)  # npm may skip the package's postinstall
    if shutil.which("npx") is None:
        pytest.skip("npx is not installed")
    return ["npx", "--no", MULTITOOL], npm_prefix()


def quoted(args: list[str]) -> list[str]:
    """The npm wrapper runs the tool through a shell (``shell: true``): ``Sarif;Gh`` unquoted
    would end the command at the ``;``."""
    return [shlex.quote(arg) for arg in args]
