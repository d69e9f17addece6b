"""The Redis command table (generated from a real server by scripts/gen_command_table.py).

Rules ask it which redis-py method runs which command, which parameters hold keys, and
whether a command reads, writes or blocks. Loaded once per process, on first use.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
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
def _data(name: str) -> dict[str, Any]:
    text = resources.files("redislint.data").joinpath(name).read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _table() -> dict[str, Any]:
    return _data("commands.json")


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


@cache
def module_method_info(module: str, method: str) -> MethodInfo | None:
    """A method of a redis-py module object (``r.json().get`` -> JSON.GET), or None.

    ``module`` is ``"json"``; the table is scripts/gen_module_commands.py's."""
    table = _data("module_commands.json").get(module, {})
    raw = table.get("methods", {}).get(method)
    if raw is None:
        return None
    spec = table["commands"][raw["command"]]
    info = CommandInfo(
        name=raw["command"],
        flags=frozenset(spec["flags"]),
        since="",
        group=spec["group"],
        complexity="",
        first_key=spec["first_key"],
        last_key=spec["last_key"],
        step=spec["step"],
    )
    return MethodInfo(
        method=method,
        command=info,
        params=tuple((p, k) for p, k in raw["params"]),
        key_params=tuple(raw["key_params"]),
    )


@cache
def commands_in_groups(groups: frozenset[str]) -> frozenset[str]:
    """The commands (lower case) of the given command groups (``"hash"``, ``"list"``)."""
    return frozenset(
        name for name, entry in _table()["commands"].items() if entry.get("group") in groups
    )


def module_methods(module: str) -> frozenset[str]:
    """The command methods of a redis-py module object (``"json"``)."""
    return frozenset(_data("module_commands.json").get(module, {}).get("methods", {}))


def all_methods() -> frozenset[str]:
    """Every redis-py command method name in the table."""
    return frozenset(_table()["methods"])


def server_version() -> str:
    """The version of the server the table was generated from."""
    return str(_table()["server_version"])


@dataclass(frozen=True)
class KeyPositions:
    """Which arguments of a command invocation are keys (indexes into its argv)."""

    positions: tuple[int, ...]
    complete: bool  # False when a key spec could not be followed (a computed argument)


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return None


def _spec_keys(spec: dict[str, Any], argv: Sequence[str | None]) -> list[int] | None:
    """The key positions one key spec selects, like Redis' ``getKeysUsingKeySpecs``."""
    argc = len(argv)
    begin = spec["begin_search"]
    if begin["type"] == "index":
        first = int(begin["spec"]["index"])
    elif begin["type"] == "keyword":
        keyword = str(begin["spec"]["keyword"]).lower()
        startfrom = int(begin["spec"]["startfrom"])
        start = startfrom if startfrom > 0 else argc + startfrom
        stop = argc - 1 if startfrom > 0 else 0
        step = 1 if start <= stop else -1
        first = 0
        i = start
        while i != stop and 1 <= i < argc:
            value = argv[i]
            if value is not None and value.lower() == keyword:
                first = i + 1
                break
            i += step
        if not first:
            return []
    else:
        return None
    find = spec["find_keys"]
    if find["type"] == "range":
        lastkey = int(find["spec"]["lastkey"])
        keystep = max(int(find["spec"]["keystep"]), 1)
        limit = int(find["spec"].get("limit", 0))
        if lastkey >= 0:
            last = first + lastkey
        elif not limit:
            last = argc + lastkey
        else:
            last = first + ((argc - first) // limit + lastkey)
    elif find["type"] == "keynum":
        index = first + int(find["spec"]["keynumidx"])
        count = _int(argv[index]) if index < argc else None
        if count is None:
            return None
        keystep = max(int(find["spec"]["keystep"]), 1)
        first = first + int(find["spec"]["firstkey"])
        last = first + (count - 1) * keystep
    else:
        return None
    return [i for i in range(first, last + 1, keystep) if 1 <= i < argc]


def key_positions(argv: Sequence[str | None]) -> KeyPositions | None:
    """The key arguments of a command invocation, from the server's key specs.

    ``argv[0]`` is the command name (``argv[1]`` the subcommand of a container command
    such as ``OBJECT``); other items are the arguments' values, ``None`` where unknown.
    Returns None for an unknown command.
    """
    if not argv or argv[0] is None:
        return None
    info: dict[str, Any] | None = None
    commands = _table()["commands"]
    if len(argv) > 1 and argv[1] is not None:
        info = commands.get(f"{argv[0].lower()}|{argv[1].lower()}")
    if info is None:
        info = commands.get(argv[0].lower())
    if info is None:
        return None
    specs = info.get("key_specs") or []
    found: set[int] = set()
    complete = True
    if not specs:
        first, last, step = info.get("first_key", 0), info.get("last_key", 0), info.get("step", 0)
        if first > 0:
            stop = len(argv) - 1 if last < 0 else min(len(argv) - 1, last)
            found.update(range(first, stop + 1, max(step, 1)))
    for spec in specs:
        if "not_key" in spec["flags"]:
            continue  # shard channels (SPUBLISH): hashed to slots, but not keys
        keys = _spec_keys(spec, argv)
        if keys is None:
            complete = False
        else:
            found.update(keys)
    if argv[0].lower() == "migrate" and len(argv) > 3 and argv[3] == "" and len(found) > 1:
        found.discard(3)  # MIGRATE ... "" ... KEYS k1 k2: the key argument is left empty
    return KeyPositions(tuple(sorted(found)), complete)


@cache
def is_multi_key(command: str) -> bool:
    """Whether a command can take more than one key (all of which must share a slot)."""
    raw = _table()["commands"].get(command)
    if raw is None:
        return False
    specs = [s for s in raw.get("key_specs") or () if "not_key" not in s["flags"]]
    if len(specs) > 1:
        return True
    for spec in specs:
        find = spec["find_keys"]
        if find["type"] == "keynum":
            return True
        if find["type"] == "range" and int(find["spec"]["lastkey"]) != 0:
            return True
    first, last = raw.get("first_key", 0), raw.get("last_key", 0)
    return not specs and first > 0 and last != first
