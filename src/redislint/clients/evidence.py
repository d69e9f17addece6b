"""Recognition by evidence: a receiver nothing resolves, on which Redis-only commands are called.

``r.hset(...)``, ``self.conn.zadd(...)``, ``get_conn().xadd(...)``: when the resolver
knows nothing of the receiver, and the same function (or, for ``self.attr``, the same
class; for a module-level name, the same module) calls a command on it that no common
Python object has, in a module that imports a Redis library or a tree module that gives a
client, the receiver is taken for a Redis client in all its calls there. A receiver the
resolver knows to be something else (Django's cache, a memcache client, a dict, an HTTP
client) is never one, whatever is called on it.

The evidence commands are redis-py's command methods (``redislint.commands``) and the
client methods that hand out Redis objects, less every name that common non-Redis objects
share: ``get``/``set``/``delete``/``keys`` (dicts, caches), ``incr``/``decr``/``touch``
(memcache), ``publish``/``subscribe`` (message brokers), ``expire`` with fewer than two
arguments (``diskcache``), ``rename``/``unlink`` (``pathlib``), ``scan`` (DynamoDB),
``digest`` (``hashlib``), ``execute``/``save``/``sort``...
"""

from __future__ import annotations

import ast

from redislint.clients import knowledge
from redislint.clients.sym import SCall, Sym, dotted
from redislint.clients.types import Kind, RedisType, Ref
from redislint.commands import all_methods, method_info

# Command names shared with common Python objects: never evidence on their own.
SHARED_NAMES = frozenset(
    {
        "append",
        "auth",
        "command",
        "copy",
        "debug_segfault",
        "decr",
        "decrby",
        "delete",
        "digest",
        "dump",
        "echo",
        "eval",
        "exists",
        "failover",
        "get",
        "hello",
        "incr",
        "incrby",
        "info",
        "keys",
        "lastsave",
        "migrate",
        "move",
        "object",
        "persist",
        "ping",
        "psync",
        "publish",
        "quit",
        "readonly",
        "readwrite",
        "rename",
        "reset",
        "restore",
        "role",
        "save",
        "scan",
        "select",
        "set",
        "shutdown",
        "sort",
        "sync",
        "time",
        "touch",
        "ttl",
        "type",
        "unlink",
        "unwatch",
        "wait",
        "watch",
    }
)
# Methods that hand out another Redis object, or that only a Redis client has.
_CLIENT_ONLY = frozenset(
    {"pipeline", "pubsub", "register_script", "scan_iter", "hscan_iter", "sscan_iter"}
    | {"zscan_iter"}
)
EVIDENCE_METHODS = (all_methods() | _CLIENT_ONLY) - SHARED_NAMES
# Methods whose Redis form takes at least this many arguments (``diskcache``'s
# ``cache.expire()`` takes none).
_MIN_ARGS = {"expire": 2, "pexpire": 2, "expireat": 2, "pexpireat": 2}


def is_evidence(method: str, positional: int, keywords: tuple[str, ...]) -> bool:
    """Whether calling ``method`` with these arguments shows a Redis client."""
    if method not in EVIDENCE_METHODS:
        return False
    if positional + len(keywords) < _MIN_ARGS.get(method, 0):
        return False
    info = method_info(method)
    if info is not None and keywords:
        names = {name for name, kind in info.params}
        if not any(kind == "var_keyword" for _, kind in info.params):
            return all(k in names for k in keywords)
    return True


def receiver_text(node: ast.expr) -> str | None:
    """The text evidence is kept under: a dotted name (``self.conn``, ``r``), or a call of
    one without arguments (``get_conn()``); None for any other receiver."""
    if isinstance(node, ast.Call):
        if node.args or node.keywords:
            return None
        inner = receiver_text(node.func)
        return f"{inner}()" if inner is not None and not inner.endswith(")") else None
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def sym_text(sym: Sym) -> str | None:
    """``receiver_text`` for a symbol (the resolver's side of the same question)."""
    if isinstance(sym, SCall):
        if sym.args or sym.kwargs:
            return None
        inner = dotted(sym.func)
        return f"{inner}()" if inner is not None else None
    return dotted(sym)


# What evidence makes of a receiver: a client or pipeline, nothing known of its flavour.
_FOUND = {
    "client": RedisType(Kind.CLIENT, is_async=None, is_cluster=None, evidence=True),
    "pipeline": RedisType(Kind.PIPELINE, is_async=None, is_cluster=None, evidence=True),
}


def found(kind: str | None) -> RedisType | None:
    """The Redis object a receiver filed as ``kind`` ("client", "pipeline") is."""
    return _FOUND.get(kind) if kind is not None else None


def opaque(ref: Ref) -> bool:
    """Whether an object imported from outside the tree may be a client for all we know
    (``current_app.redis``, ``settings.cache_client``): not a builtin, not one of the
    Redis-named non-clients, not from a Redis library (whose clients are known by name)."""
    qualname = ref.qualname
    return not (
        qualname.startswith("builtins.")
        or qualname in knowledge.NOT_CLIENTS
        or qualname.split(".", 1)[0] in knowledge.REDIS_LIBRARIES
    )


# Libraries whose import lets a module recognise clients by evidence.
LIBRARIES = frozenset(
    {*knowledge.REDIS_LIBRARIES, "coredis", "rq", "redis_om", "flask_redis", "rediscluster"}
)


def from_library(qualname: str) -> bool:
    """Whether an imported name comes from a Redis library."""
    return qualname.split(".", 1)[0] in LIBRARIES
