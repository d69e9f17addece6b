"""Helpers rules of several categories share: how a key and a call read in messages, and
the TTL an ``expire`` command gives that a ``SET`` option can carry instead."""

from __future__ import annotations

from typing import TYPE_CHECKING

from redislint.keys.shape import Relation
from redislint.semantic.edits import FixPlan
from redislint.semantic.lifetime import EXPIRE_COMMANDS
from redislint.semantic.model import Command
from redislint.semantic.rewrite import merge, movable, plain_args, with_argument

if TYPE_CHECKING:
    import libcst as cst


def key_text(cmd: Command) -> str:
    """The key as shown in messages: ``'user:{uid}'``, or ``a key`` when unknown."""
    key = cmd.key
    if key is None:
        return "a key"
    parts = key.shape.parts
    if len(parts) == 1 and not isinstance(parts[0], str):
        return f"the key in {parts[0].text.split('#')[0]}"
    return repr(key.shape.display())


def call_text(cmd: Command) -> str:
    """The call as shown in messages: ``incr()``, or ``INCR`` for ``execute_command("INCR")``."""
    return cmd.name.upper() if cmd.method == "execute_command" else f"{cmd.method}()"


def later_expiry(cmd: Command) -> Command | None:
    """The first later ``expire``-like command that may act on ``cmd``'s key."""
    for other in cmd.scope.later(cmd):
        if other.name in EXPIRE_COMMANDS and cmd.same_key(other) is not Relation.DIFFERENT:
            return other
    return None


# The SET option that replaces each expire command, its unit, and the Redis version
# that has it (None: every supported server).
SET_OPTION = {
    "expire": ("ex", "<seconds>", None),
    "pexpire": ("px", "<milliseconds>", None),
    "expireat": ("exat", "<unix time>", "6.2"),
    "pexpireat": ("pxat", "<unix time in ms>", "6.2"),
}


def merge_expiry(cmd: Command, expiry: Command, call: cst.Call, value_safe: bool) -> FixPlan | None:
    """``call`` (``cmd``'s call, possibly already changed) given ``expiry``'s TTL as a SET
    option, and ``expiry`` removed; None when the code does not allow it."""
    if not plain_args(cmd) or not plain_args(expiry) or expiry.method != expiry.name:
        return None
    if len(expiry.node.args) != 2 or expiry.name not in SET_OPTION:
        return None  # nx/xx/gt/lt options of EXPIRE have no SET equivalent
    value = expiry.args.get("time") or expiry.args.get("when")
    if value is None:
        return None
    layout = merge(cmd, expiry, value_safe)
    if layout is None:
        return None
    if layout.between and not (movable(value, cmd) and movable(cmd.receiver_node, cmd)):
        return None  # what runs in between could change the TTL or the client
    option = SET_OPTION[expiry.name][0]
    new_call = with_argument(call, option, value, cmd.args.get(option))
    what = "set(..., nx=True, " if cmd.name == "setnx" else "set(..., "
    return FixPlan(
        f"Merge {cmd.method}() and {expiry.method}() into {what}{option}=...)",
        layout.safe,
        layout.changes(cmd, new_call),
    )
