"""What one file does to the keyspace: every command on a key template, with the Redis
type the command needs and whether it gives the key a TTL (``redislint keys``).

A key template is a key with literal text (``session:{sid}``, ``config:flags``, a helper's
template); a bare variable (``r.get(key)``) is the caller's key, whose template this file
does not know, and is left out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from redislint.commands import command_info, commands_in_groups
from redislint.keys.shape import KeyShape
from redislint.keys.slots import SlotRelation, TagKind, slot_relation, slot_view, template_tag
from redislint.semantic.lifetime import gives_ttl
from redislint.semantic.model import Command, Scope
from redislint.semantic.treefacts import portable

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


def typed_commands() -> frozenset[str]:
    """The commands that need their key to hold one type (with RedisJSON's)."""
    json_commands = {"json.set", "json.get", "json.mget", "json.merge", "json.del"}
    return commands_in_groups(frozenset(_GROUP_TYPES)) | json_commands


def value_type(command: str) -> str | None:
    """The Redis type a command (``"hset"``) needs its key to hold; None for type-neutral
    commands (and for names that are no command)."""
    if command.startswith("json."):
        return "json"
    info = command_info(command)
    return _GROUP_TYPES.get(info.group) if info is not None else None


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
    # the other keys of the same command (a multi-key command: MGET, RENAME, SUNION...)
    others: tuple[KeyShape, ...] = ()


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
        type=value_type(cmd.name),
        ttl=gives_ttl(cmd),
        creates=_creates(pending),
        path=path,
        line=line,
        column=column,
        function=qualname(cmd.scope),
        others=tuple(portable(k.shape) for i, k in enumerate(cmd.keys) if i != pending.index),
    )


# -- the map: one row per key template ---------------------------------------------------

# TTL status of a template: every write that creates the key gives it a TTL (itself or an
# expire in the same function), some do, none do, or nothing writes it here.
ALWAYS, SOME, NEVER, UNKNOWN = "always", "some paths", "never", "unknown"


@dataclass(frozen=True)
class Place:
    """Where the code touches a key template."""

    path: str
    line: int
    column: int
    command: str
    function: str

    def location(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass
class TemplateRow:
    """One key template of the map."""

    template: str
    shape: KeyShape
    types: dict[str, list[Place]] = field(default_factory=dict)
    commands: list[str] = field(default_factory=list)
    ttl: str = UNKNOWN
    ttl_places: list[Place] = field(default_factory=list)
    hash_tag: str = ""
    places: list[Place] = field(default_factory=list)
    # its multi-key commands: "one slot" (every other key certainly in its slot),
    # "cross-slot" (some certainly or almost certainly not), "unknown"; "" without any
    slots: str = ""

    @property
    def type(self) -> str:
        """The Redis type the commands say the key holds (``"conflict: hash, string"``
        when they disagree, ``"unknown"`` when only type-neutral commands touch it)."""
        if not self.types:
            return "unknown"
        if len(self.types) == 1:
            return next(iter(self.types))
        return "conflict: " + ", ".join(sorted(self.types))


def _hash_tag(shape: KeyShape) -> str:
    tag = template_tag(shape)
    if tag.kind is TagKind.NONE:
        return ""
    if tag.kind is TagKind.UNKNOWN:
        return "?"
    return tag.display()


def _ttl_status(uses: list[KeyUse]) -> str:
    created = [u for u in uses if u.creates]
    expiring = [u for u in uses if u.ttl]
    if not created:
        return UNKNOWN
    covered = [
        u
        for u in created
        if u.ttl or any(t.path == u.path and t.function == u.function for t in expiring)
    ]
    if len(covered) == len(created):
        return ALWAYS
    return SOME if covered or expiring else NEVER


def _slot_status(shape: KeyShape, uses: list[KeyUse]) -> str:
    relations = {
        slot_relation(slot_view(shape), slot_view(other)) for u in uses for other in u.others
    }
    if not relations:
        return ""
    if relations & {SlotRelation.DIFFERENT, SlotRelation.UNPROVEN}:
        return "cross-slot"
    return "one slot" if relations == {SlotRelation.SAME} else "unknown"


def build_map(uses: Iterable[KeyUse]) -> list[TemplateRow]:
    """The rows of the map, one per key template, sorted by template."""
    by_template: dict[KeyShape, list[KeyUse]] = {}
    for use in uses:
        by_template.setdefault(use.template, []).append(use)
    rows: list[TemplateRow] = []
    for shape, found in by_template.items():
        found.sort(key=lambda u: (u.path, u.line, u.column, u.command))
        row = TemplateRow(template=shape.display(), shape=shape, hash_tag=_hash_tag(shape))
        for use in found:
            place = Place(use.path, use.line, use.column, use.command, use.function)
            if place not in row.places:
                row.places.append(place)
            if use.type is not None:
                row.types.setdefault(use.type, []).append(place)
            if use.ttl:
                row.ttl_places.append(place)
        row.commands = sorted({u.command for u in found})
        row.ttl = _ttl_status(found)
        row.slots = _slot_status(shape, found)
        rows.append(row)
    rows.sort(key=lambda r: r.template)
    return rows
