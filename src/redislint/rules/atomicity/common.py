"""Helpers several atomicity rules share: how hand-made locks are taken, shown and released."""

from __future__ import annotations

from dataclasses import dataclass

from redislint.clients.names import words
from redislint.keys.meaning import LOCK_WORDS, names_lock
from redislint.keys.shape import Relation
from redislint.rules.shared import key_text
from redislint.semantic.arguments import set_options
from redislint.semantic.context import FileContext
from redislint.semantic.keyreach import key_reach, partner
from redislint.semantic.model import Command, TxMode
from redislint.semantic.treefacts import TreeCondition, TreeQuery

_DELETES = frozenset({"del", "unlink"})
# Commands that take a lock key (with NX); RL203 and RL201 ask the tree about them.
ACQUIRE_NAMES = frozenset({"set", "setnx"})


def is_acquire(cmd: Command) -> bool:
    """``setnx()`` or ``set(..., nx=True)``: how hand-made locks are taken."""
    return cmd.name == "setnx" or (cmd.name == "set" and set_options(cmd).nx is True)


def lock_text(cmd: Command) -> str:
    """The lock as shown in messages: ``the lock 'lock:{job}'`` or ``the lock in lock_key``."""
    shown = key_text(cmd)
    return "the lock " + shown.removeprefix("the key ")


def about_locks(cmd: Command) -> bool:
    """The key's name, or the name of the function around the command, says "lock"."""
    key = cmd.key
    return (key is not None and names_lock(key.shape)) or bool(
        LOCK_WORDS.intersection(words(cmd.scope.name))
    )


@dataclass(frozen=True)
class LockRelease:
    """A plain ``delete`` of a key taken with SET NX: where, or on what condition."""

    acquire: Command | None  # the acquiring command in this file, when known
    condition: TreeCondition | None  # else: holds when the tree takes the key with SET NX
    check: Command | None  # an earlier get() of the key that the delete depends on


def _watched(cmd: Command) -> bool:
    """A delete queued in a transaction after ``watch()`` on the same pipeline."""
    if cmd.tx is not TxMode.TRANSACTION or cmd.pipe is None:
        return False
    return any(
        other.pipe is cmd.pipe and other.method == "watch" for other in cmd.scope.earlier(cmd)
    )


def lock_release(cmd: Command, ctx: FileContext) -> LockRelease | None:
    """Whether ``cmd`` (a ``delete``/``unlink``) releases a SET NX lock without its token."""
    if cmd.name not in _DELETES or len(cmd.keys) != 1 or ctx.is_test:
        return None
    if cmd.scope.callback_param is not None or _watched(cmd):
        return None  # WATCH makes a get + compare + delete safe
    check = None
    for read in cmd.scope.earlier(cmd):
        if (
            read.name == "get"
            and read.tx is not TxMode.TRANSACTION
            and cmd.same_key(read) is Relation.SAME
            and any(read in guard.origins for guard in cmd.guards)
        ):
            check = read
    acquire = partner(cmd, ctx, is_acquire, by_name=about_locks(cmd))
    if acquire is not None:
        return LockRelease(acquire, None, check)
    if key_reach(cmd, by_name=about_locks(cmd)) != "tree":
        return None
    key = cmd.keys[0].shape
    query = TreeQuery(ACQUIRE_NAMES, key, flags=frozenset({"nx"}), exact=True)
    return LockRelease(None, TreeCondition(query, expected=True), check)
