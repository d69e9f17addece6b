"""The Redis command table (generated from a real server by scripts/gen_command_table.py).

Rules ask it which redis-py method runs which command, which parameters hold keys, and
whether a command reads, writes or blocks. Loaded once per process, on first use.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any


@dataclass(frozen=True)
class CommandInfo:
    """One Redis command as the server describes it (``COMMAND INFO`` / ``COMMAND DOCS``)."""

    name: str  # lower case; subcommands as "client|pause"
    flags: frozenset[str]
    since: str
    group: str
    complexity: str
    first_key: int = 0
    last_key: int = 0
    step: int = 0
    acl: frozenset[str] = frozenset()  # ACL categories: "@dangerous", "@admin"...

    @property
    def is_write(self) -> bool:
        return "write" in self.flags

    @property
    def is_readonly(self) -> bool:
        return "readonly" in self.flags

    @property
    def is_blocking(self) -> bool:
        return "blocking" in self.flags


@dataclass(frozen=True)
class MethodInfo:
    """A redis-py client method and the command it sends."""

    method: str
    command: CommandInfo
    params: tuple[tuple[str, str], ...]  # (name, inspect kind in lower case)
    key_params: tuple[str, ...]


@cache
def _table() -> dict[str, Any]:
    text = resources.files("redislint.data").joinpath("commands.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@cache
def command_info(name: str) -> CommandInfo | None:
    """Look a command up by name (any case; ``"CLIENT PAUSE"`` or ``"client|pause"``)."""
    key = name.lower().replace(" ", "|")
    raw = _table()["commands"].get(key)
    if raw is None:
        return None
    return CommandInfo(
        name=key,
        flags=frozenset(raw.get("flags", ())),
        since=raw.get("since", ""),
        group=raw.get("group", ""),
        complexity=raw.get("complexity", ""),
        first_key=raw.get("first_key", 0),
        last_key=raw.get("last_key", 0),
        step=raw.get("step", 0),
        acl=frozenset(raw.get("acl", ())),
    )


@cache
def method_info(method: str) -> MethodInfo | None:
    """The redis-py client method ``method`` (``"delete"`` -> DEL), or None."""
    raw = _table()["methods"].get(method)
    if raw is None:
        return None
    info = command_info(raw["command"])
    if info is None:  # pragma: no cover - the generator only writes known commands
        return None
    return MethodInfo(
        method=method,
        command=info,
        params=tuple((p, k) for p, k in raw["params"]),
        key_params=tuple(raw["key_params"]),
    )


@cache
def client_method_params(kind: str, method: str) -> tuple[tuple[str, str], ...] | None:
    """Parameters of a redis-py method that is not a command (``lock()``, ``acquire()``...).

    ``kind`` is one of client, pipeline, pubsub, lock, script, sentinel.
    """
    raw = _table()["client_methods"].get(kind, {}).get(method)
    if raw is None:
        return None
    return tuple((p, k) for p, k in raw)


def all_methods() -> frozenset[str]:
    """Every redis-py command method name in the table."""
    return frozenset(_table()["methods"])


def server_version() -> str:
    """The version of the server the table was generated from."""
    return str(_table()["server_version"])
