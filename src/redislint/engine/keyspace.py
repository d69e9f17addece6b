"""What one file does to the keyspace: every command on a key template, with the Redis
type the command needs and whether it gives the key a TTL (``redislint keys``).

A key template is a key with literal text (``session:{sid}``, ``config:flags``, a helper's
template); a bare variable (``r.get(key)``) is the caller's key, whose template this file
does not know, and is left out.
"""

from __future__ import annotations

from dataclasses import dataclass

from redislint.engine.lifetime import gives_ttl
from redislint.engine.model import Command, Scope
from redislint.engine.treefacts import portable
from redislint.keys.shape import KeyShape

# The value type a command group works on; groups not listed (generic: del, exists,
# expire, type, rename...) work on a key of any type.
_GROUP_TYPES = {
    "string": "string",
    "bitmap": "string",
    "hash": "hash",
    "list": "list",
    "set": "set",
    "sorted-set": "zset",
    "geo": "zset",
    "stream": "stream",
    "hyperloglog": "hyperloglog",
}


def value_type(cmd: Command) -> str | None:
    """The Redis type ``cmd`` needs its key to hold; None for type-neutral commands."""
    if cmd.name.startswith("json."):
        return "json"
    if cmd.info is None:
        return None
    return _GROUP_TYPES.get(cmd.info.group)


@dataclass(frozen=True)
class KeyUse:
    """One command on one key template, where it is in the code."""

    template: KeyShape  # comparable across files (``treefacts.portable``)
    command: str
    type: str | None  # the Redis type it needs (None: any)
    ttl: bool  # gives the key an expiry
    creates: bool  # may create the key or make it grow (a SET, LPUSH, HSET; not a pop)
    path: str
    line: int
    column: int
    function: str  # qualified name of the function around it ("" at module level)


@dataclass(frozen=True)
class PendingUse:
    """A ``KeyUse`` before its position is known."""

    cmd: Command
    template: KeyShape
    index: int  # which of the command's keys


def pending_uses(commands: list[Command]) -> list[PendingUse]:
    """The commands of a file that touch key templates, one entry per key."""
    found: list[PendingUse] = []
    for cmd in commands:
        if cmd.pipe is not None and cmd.method in ("execute", "watch", "multi", "reset"):
            continue
        if cmd.info is not None and cmd.info.group == "pubsub":
            continue  # channels, not keys
        for index, key in enumerate(cmd.keys):
            if key.shape.literal_text().strip():
                found.append(PendingUse(cmd, portable(key.shape), index))
    return found


# Commands that take from their first key and add to their second.
_MOVES = frozenset({"lmove", "blmove", "rpoplpush", "brpoplpush", "smove", "lmpop"})


def _creates(pending: PendingUse) -> bool:
    cmd = pending.cmd
    if cmd.name.startswith("json."):
        return cmd.name in ("json.set", "json.merge", "json.arrappend", "json.mset")
    if cmd.info is None or "denyoom" not in cmd.info.flags:
        return False
    return not (cmd.name in _MOVES and pending.index == 0)


def qualname(scope: Scope) -> str:
    """``Class.method`` for the scope of a command ("" at module level)."""
    names: list[str] = []
    current: Scope | None = scope
    while current is not None and current.kind != "module":
        names.append(current.name)
        current = current.parent
    return ".".join(reversed(names))


def key_use(pending: PendingUse, path: str, line: int, column: int) -> KeyUse:
    cmd = pending.cmd
    return KeyUse(
        template=pending.template,
        command="script" if cmd.name == "__call__" else cmd.name,
        type=value_type(cmd),
        ttl=gives_ttl(cmd),
        creates=_creates(pending),
        path=path,
        line=line,
        column=column,
        function=qualname(cmd.scope),
    )
