#!/usr/bin/env python3
"""Generate redislint's Redis command table from a real server and redis-py.

Usage: python scripts/gen_command_table.py [--port PORT]

Starts nothing itself: it expects a ``redis-server`` listening on 127.0.0.1:PORT
(``scripts/test`` and the test fixtures know how to start one). It writes
``src/redislint/data/commands.json`` with two tables:

* ``commands``: every command the server knows (``COMMAND`` + ``COMMAND DOCS``):
  arity, flags, ACL categories, key positions, key specs, since-version, complexity;
  plus a few commands newer than the packaged server, added by hand in ``NEWER_COMMANDS``
  with the page they come from.
* ``methods``: redis-py client methods mapped onto those commands, with their parameter
  list (so the linter can bind call arguments by name) and which parameters hold keys.
  Every public command method of ``redis.commands.core`` is either mapped or listed in
  ``UNMAPPED`` with the reason.

How to regenerate (the committed table comes from Debian's redis-server 7.0 and the
redis-py version recorded in the file as ``redis_py_version``)::

    pip install -e '.[test]'                 # redis-py, in the version to map
    redis-server --port 6390 --save '' --appendonly no --daemonize yes
    python scripts/gen_command_table.py --port 6390
    redis-cli -p 6390 shutdown nosave
    pytest tests/test_command_table.py       # the table agrees with the server and redis-py

Use the server the table should describe (7.0 or newer: older servers have no
``COMMAND DOCS``, so since-versions, groups and complexities would be missing). After a
redis-py upgrade, new core methods show up in the test as neither mapped nor in
``UNMAPPED``: map them (``METHOD_OVERRIDES``, ``KEY_PARAM_OVERRIDES``) or list them.

redis-py is only needed here and in the tests; redislint never imports it.
"""

from __future__ import annotations

import argparse
import ast
import inspect
import json
import textwrap
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent.parent / "src" / "redislint" / "data" / "commands.json"

# Commands newer than Debian's redis-server 7.0, from the Redis command reference
# (https://redis.io/docs/latest/commands/<name>/). Only what the rules need.
NEWER_COMMANDS: dict[str, dict[str, Any]] = {
    "waitaof": {"since": "7.2.0", "group": "generic", "flags": ["noscript"], "keys": "none"},
    "hexpire": {"since": "7.4.0", "group": "hash", "flags": ["write", "fast"], "keys": "first"},
    "hpexpire": {"since": "7.4.0", "group": "hash", "flags": ["write", "fast"], "keys": "first"},
    "hexpireat": {"since": "7.4.0", "group": "hash", "flags": ["write", "fast"], "keys": "first"},
    "hpexpireat": {"since": "7.4.0", "group": "hash", "flags": ["write", "fast"], "keys": "first"},
    "hpersist": {"since": "7.4.0", "group": "hash", "flags": ["write", "fast"], "keys": "first"},
    "httl": {"since": "7.4.0", "group": "hash", "flags": ["readonly", "fast"], "keys": "first"},
    "hpttl": {"since": "7.4.0", "group": "hash", "flags": ["readonly", "fast"], "keys": "first"},
    "hexpiretime": {
        "since": "7.4.0",
        "group": "hash",
        "flags": ["readonly", "fast"],
        "keys": "first",
    },
    "hpexpiretime": {
        "since": "7.4.0",
        "group": "hash",
        "flags": ["readonly", "fast"],
        "keys": "first",
    },
    "hgetdel": {"since": "8.0.0", "group": "hash", "flags": ["write", "fast"], "keys": "first"},
    "hgetex": {"since": "8.0.0", "group": "hash", "flags": ["write", "fast"], "keys": "first"},
    "hsetex": {"since": "8.0.0", "group": "hash", "flags": ["write", "fast"], "keys": "first"},
    "delex": {"since": "8.4.0", "group": "string", "flags": ["write", "fast"], "keys": "first"},
    "digest": {"since": "8.4.0", "group": "string", "flags": ["readonly", "fast"], "keys": "first"},
    "msetex": {"since": "8.4.0", "group": "string", "flags": ["write"], "keys": "numkeys-pairs"},
}

# ``MSETEX numkeys key value [key value ...] [options]``: a movable-keys command.
NUMKEYS_PAIRS = [
    {
        "flags": ["OW", "update"],
        "begin_search": {"type": "index", "spec": {"index": 1}},
        "find_keys": {"type": "keynum", "spec": {"keynumidx": 0, "firstkey": 1, "keystep": 2}},
    }
]

# redis-py methods whose command cannot be read off their source mechanically.
METHOD_OVERRIDES: dict[str, str] = {
    "bitfield": "bitfield",
    "client_tracking_off": "client|tracking",
    "client_tracking_on": "client|tracking",
    "command_docs": "command|docs",
    "command_info": "command|info",
    "debug_segfault": "debug",
    "eval": "eval",
    "eval_ro": "eval_ro",
    "evalsha": "evalsha",
    "evalsha_ro": "evalsha_ro",
    "failover": "failover",
    "fcall": "fcall",
    "fcall_ro": "fcall_ro",
    "georadius": "georadius",
    "georadiusbymember": "georadiusbymember",
    "geosearch": "geosearch",
    "geosearchstore": "geosearchstore",
    "hello": "hello",
    "hscan_iter": "hscan",
    "latency_doctor": "latency|doctor",
    "latency_graph": "latency|graph",
    "latency_histogram": "latency|histogram",
    "memory_doctor": "memory|doctor",
    "memory_help": "memory|help",
    "scan_iter": "scan",
    "script_debug": "script|debug",
    "sort_ro": "sort_ro",
    "sscan_iter": "sscan",
    "unwatch": "unwatch",
    "watch": "watch",
    "zinter": "zinter",
    "zinterstore": "zinterstore",
    "zrange": "zrange",
    "zrangestore": "zrangestore",
    "zscan_iter": "zscan",
    "zunion": "zunion",
    "zunionstore": "zunionstore",
    "client_pause": "client|pause",
    "client_unblock": "client|unblock",
    "delex": "delex",
    "msetex": "msetex",
    "shutdown": "shutdown",
    "slowlog_get": "slowlog|get",
    "xgroup_create": "xgroup|create",
    "zrangebylex": "zrangebylex",
    "zrangebyscore": "zrangebyscore",
    "zrank": "zrank",
    "zrevrange": "zrevrange",
    "zrevrangebylex": "zrevrangebylex",
    "zrevrangebyscore": "zrevrangebyscore",
    "zrevrank": "zrevrank",
    "lolwut": "lolwut",
    "hotkeys_start": "hotkeys",
}

# Public command methods of redis-py's core commands that the table does not map, and why.
UNMAPPED: dict[str, str] = {
    "cluster": "a dispatcher: the CLUSTER subcommand is an argument",
    "debug_object": "DEBUG OBJECT: the server lists DEBUG without subcommands; unused by rules",
    "digest_local": "computes a digest on the client; sends no command",
    "register_script": "creates a Script object (a client method, see CLIENT_METHODS)",
    "stralgo": "STRALGO was removed in Redis 7.0 (replaced by LCS)",
    "client_no_touch": "CLIENT NO-TOUCH is newer (7.2) than the packaged server",
    "client_setinfo": "CLIENT SETINFO is newer (7.2) than the packaged server",
    **dict.fromkeys(
        (
            "blmovem",
            "lmovem",
            "increx",
            "sdiffcard",
            "sunioncard",
            "xackdel",
            "xcfgset",
            "xdelex",
            "xnack",
            "hotkeys_get",
            "hotkeys_reset",
            "hotkeys_start",
            "hotkeys_stop",
        ),
        "newer (Redis 8.x) than the packaged server; not used by the rules",
    ),
    **dict.fromkeys(
        (
            "himport_discard_all_internal",
            "himport_discard_internal",
            "himport_prepare_internal",
            "himport_set",
        ),
        "internal HIMPORT commands of Redis 8.x; not used by the rules",
    ),
    **dict.fromkeys(
        (
            "arcount",
            "ardel",
            "ardelrange",
            "arget",
            "argetrange",
            "argrep",
            "arinfo",
            "arinsert",
            "arlastitems",
            "arlen",
            "armget",
            "armset",
            "arnext",
            "arop",
            "arring",
            "arscan",
            "arseek",
            "arset",
        ),
        "array commands (AR*) of Redis 8.x; not used by the rules",
    ),
}

# Parameter names redis-py uses for key arguments. A parameter holding a mapping whose
# keys are Redis keys (mset's ``mapping``, xread's ``streams``) is listed separately.
KEY_PARAM_NAMES = {
    "name",
    "names",
    "key",
    "keys",
    "src",
    "dst",
    "dest",
    "source",
    "destination",
    "first_list",
    "second_list",
    "sources",
}
# Methods whose key parameters the naming convention gets wrong: directions named
# ``src``/``dest`` in lmove, extra keys in ``*args``, keys named ``key1``/``args``.
KEY_PARAM_OVERRIDES: dict[str, list[str]] = {
    "lmove": ["first_list", "second_list"],
    "blmove": ["first_list", "second_list"],
    "mget": ["keys", "args"],
    "sdiff": ["keys", "args"],
    "sdiffstore": ["dest", "keys", "args"],
    "sinter": ["keys", "args"],
    "sinterstore": ["dest", "keys", "args"],
    "sunion": ["keys", "args"],
    "sunionstore": ["dest", "keys", "args"],
    "lcs": ["key1", "key2"],
    "touch": ["args"],
    "blmpop": ["args"],
    "lmpop": ["args"],
    "spublish": ["shard_channel"],
    "xgroup_create": ["name"],
    # SORT ... STORE dest, GEORADIUS ... STORE/STOREDIST dest: keys too.
    "sort": ["name", "store"],
    "georadius": ["name", "store", "store_dist"],
    "georadiusbymember": ["name", "store", "store_dist"],
}
MAPPING_KEY_PARAMS = {("mset", "mapping"), ("msetnx", "mapping"), ("msetex", "mapping")}
STREAM_KEY_PARAMS = {("xread", "streams"), ("xreadgroup", "streams")}
# Methods with a key parameter name that does not hold a key.
NOT_KEY_PARAMS = {
    ("client_kill_filter", "_id"),
    ("acl_setuser", "keys"),
    ("acl_deluser", "names"),
    ("acl_getuser", "name"),
    ("acl_dryrun", "name"),
    ("script_exists", "args"),
    ("config_get", "pattern"),
    ("config_set", "name"),
    ("function_delete", "library"),
    ("module_unload", "name"),
    ("client_setname", "name"),
    ("client_setinfo", "value"),
    ("module_load", "path"),
    ("sentinel_remove", "name"),
    ("keys", "pattern"),
    ("scan", "match"),
    ("object", "key"),
}


def _flat_to_dict(items: list[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for i in range(0, len(items), 2):
        key = items[i].decode() if isinstance(items[i], bytes) else str(items[i])
        out[key] = items[i + 1]
    return out


def _decode(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.decode()
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, dict):
        return {_decode(k): _decode(v) for k, v in value.items()}
    return value


def _raw(conn: Any, *args: str) -> Any:
    conn.send_command(*args)
    return conn.read_response()


def _key_spec(spec: list[Any]) -> dict[str, Any]:
    d = _flat_to_dict(spec)
    out: dict[str, Any] = {"flags": _decode(d.get("flags", []))}
    for part in ("begin_search", "find_keys"):
        sub = _flat_to_dict(d[part])
        out[part] = {"type": _decode(sub["type"]), "spec": _decode(_flat_to_dict(sub["spec"]))}
    return out


def server_commands(port: int) -> tuple[str, dict[str, dict[str, Any]]]:
    """The server's version and what it says about each command (and subcommand).

    Works with Redis 6.2 too, which has no ``COMMAND DOCS``, no key specs and no
    subcommand entries: those fields are then missing or empty.
    """
    import redis

    conn = redis.Connection(host="127.0.0.1", port=port)
    conn.connect()
    version = _decode(_flat_to_dict(_raw(conn, "HELLO", "2"))["version"])
    infos = _raw(conn, "COMMAND")
    try:
        docs = _flat_to_dict(_raw(conn, "COMMAND", "DOCS"))
    except redis.ResponseError:  # Redis < 7.0
        docs = {}
    table: dict[str, dict[str, Any]] = {}

    def add(info: list[Any], doc: dict[str, Any] | None) -> None:
        name = _decode(info[0])
        entry: dict[str, Any] = {
            "arity": info[1],
            "flags": sorted(_decode(info[2])),
            "first_key": info[3],
            "last_key": info[4],
            "step": info[5],
            "acl": sorted(_decode(info[6])) if len(info) > 6 else [],
        }
        if len(info) > 8:  # Redis 7.0+
            entry["key_specs"] = [_key_spec(s) for s in info[8]]
        if doc is not None:
            entry["since"] = _decode(doc.get("since", ""))
            entry["group"] = _decode(doc.get("group", ""))
            entry["complexity"] = _decode(doc.get("complexity", ""))
            entry["summary"] = _decode(doc.get("summary", ""))
        table[name] = entry
        subdocs = _flat_to_dict(doc.get("subcommands", [])) if doc else {}
        for sub in info[9] if len(info) > 9 else ():
            sub_name = _decode(sub[0])
            sub_doc = subdocs.get(sub_name)
            add(sub, _flat_to_dict(sub_doc) if sub_doc else None)

    for info in infos:
        name = _decode(info[0])
        doc = docs.get(name)
        add(info, _flat_to_dict(doc) if doc else None)
    conn.disconnect()
    return version, dict(sorted(table.items()))


def _commands_in_source(func: Any) -> list[str]:
    try:
        src = textwrap.dedent(inspect.getsource(func))
    except (OSError, TypeError):
        return []
    return commands_sent(ast.parse(src))


def commands_sent(tree: ast.AST) -> list[str]:
    """The commands ``tree`` sends with ``execute_command("NAME", ...)``, in order."""
    found: list[str] = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("execute_command", "_execute_command")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append(node.args[0].value)
    return found


def _params(func: Any) -> list[list[str]]:
    sig = inspect.signature(func)
    out = []
    for p in list(sig.parameters.values())[1:]:  # skip self
        out.append([p.name, p.kind.name.lower()])
    return out


def core_command_methods() -> list[str]:
    """The public methods of ``redis.Redis`` defined in redis-py's core commands."""
    import redis

    out = []
    for name in sorted(dir(redis.Redis)):
        func = getattr(redis.Redis, name)
        if name.startswith("_") or not inspect.isfunction(func):
            continue
        module = inspect.getmodule(func)
        if module is not None and module.__name__.startswith("redis.commands.core"):
            out.append(name)
    return out


def redis_py_methods(commands: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    import redis

    core = set(core_command_methods())
    methods: dict[str, dict[str, Any]] = {}
    for name in sorted(dir(redis.Redis)):
        if name.startswith("_"):
            continue
        func = getattr(redis.Redis, name)
        if not inspect.isfunction(func):
            continue
        if name not in core and name not in METHOD_OVERRIDES:
            continue
        if name in METHOD_OVERRIDES:
            command = METHOD_OVERRIDES[name]
        else:
            found = _commands_in_source(func)
            if not found:
                continue
            command = found[0].lower().replace(" ", "|")
        if command not in commands:
            continue
        params = _params(func)
        key_params = [
            p
            for p, _kind in params
            if (p in KEY_PARAM_NAMES and (name, p) not in NOT_KEY_PARAMS)
            or (name, p) in MAPPING_KEY_PARAMS
            or (name, p) in STREAM_KEY_PARAMS
        ]
        if commands[command].get("group") == "hash" and "name" in key_params:
            key_params = ["name"]  # the other "key"/"keys" parameters are hash fields
        key_params = KEY_PARAM_OVERRIDES.get(name, key_params)
        if name in ("eval", "evalsha", "eval_ro", "evalsha_ro", "fcall", "fcall_ro"):
            key_params = ["keys_and_args"]
        methods[name] = {"command": command, "params": params, "key_params": key_params}
    return methods


# Methods of redis-py objects that are not commands but matter to the rules
# (creating pipelines, locks and scripts; locking; pub/sub), with their signatures.
CLIENT_METHODS = {
    "client": (
        "redis.Redis",
        ["pipeline", "pubsub", "lock", "register_script", "transaction", "monitor"],
    ),
    "pipeline": ("redis.client.Pipeline", ["execute", "watch", "multi", "reset", "unwatch"]),
    "pubsub": (
        "redis.client.PubSub",
        [
            "subscribe",
            "psubscribe",
            "ssubscribe",
            "unsubscribe",
            "punsubscribe",
            "get_message",
            "listen",
            "run_in_thread",
        ],
    ),
    "lock": (
        "redis.lock.Lock",
        ["__init__", "acquire", "release", "extend", "reacquire", "locked", "owned"],
    ),
    "script": ("redis.commands.core.Script", ["__call__"]),
    "sentinel": ("redis.sentinel.Sentinel", ["master_for", "slave_for"]),
}


def client_methods() -> dict[str, dict[str, list[list[str]]]]:
    import importlib

    out: dict[str, dict[str, list[list[str]]]] = {}
    for kind, (dotted, names) in CLIENT_METHODS.items():
        module_name, _, cls_name = dotted.rpartition(".")
        cls = getattr(importlib.import_module(module_name), cls_name)
        out[kind] = {name: _params(getattr(cls, name)) for name in names}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=6379)
    args = parser.parse_args()
    import redis

    version, commands = server_commands(args.port)
    for name, extra in NEWER_COMMANDS.items():
        if name in commands:
            continue
        commands[name] = {
            "flags": extra["flags"],
            "since": extra["since"],
            "group": extra["group"],
            "added_by_hand": f"https://redis.io/docs/latest/commands/{name}/",
            "first_key": 1 if extra["keys"] == "first" else 0,
            "last_key": 1 if extra["keys"] == "first" else 0,
            "step": 0 if extra["keys"] == "numkeys-pairs" else 1,
            "key_specs": NUMKEYS_PAIRS if extra["keys"] == "numkeys-pairs" else [],
            "acl": [],
        }
    commands = dict(sorted(commands.items()))
    methods = redis_py_methods(commands)
    forgotten = [m for m in core_command_methods() if m not in methods and m not in UNMAPPED]
    if forgotten:
        print(f"warning: neither mapped nor in UNMAPPED: {', '.join(forgotten)}")
    data = {
        "generated_by": "scripts/gen_command_table.py",
        "server_version": version,
        "redis_py_version": redis.__version__,
        "commands": commands,
        "methods": methods,
        "client_methods": client_methods(),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(data, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    print(f"wrote {OUT}: {len(commands)} commands, {len(methods)} redis-py methods")


if __name__ == "__main__":
    main()
