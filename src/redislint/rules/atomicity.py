"""Atomicity rules (RL2xx): read-modify-write races and locks that can be lost or stolen."""

from __future__ import annotations

from typing import TYPE_CHECKING

from redislint.diagnostics import Severity
from redislint.engine.arguments import set_options
from redislint.engine.context import FileContext
from redislint.engine.model import Command, Scope, TxMode
from redislint.keys.shape import Relation, compare, shape_of
from redislint.rules.base import Rule, version_tuple
from redislint.rules.expiration import key_text

if TYPE_CHECKING:
    import libcst as cst
else:
    from redislint._lazy import cst

# Reads whose result a later write can depend on.
READS = frozenset(
    {
        "get",
        "hget",
        "hmget",
        "hgetall",
        "lindex",
        "lrange",
        "zscore",
        "zrange",
        "smembers",
        "exists",
        "hexists",
        "sismember",
        "type",
        "llen",
        "scard",
        "zcard",
        "hlen",
        "strlen",
        "getrange",
    }
)
# Reads that only say whether something is there.
CHECKS = frozenset({"exists", "hexists", "sismember", "type"})
# Writes that overwrite or extend a value: a concurrent update between read and write is lost.
WRITES = frozenset(
    {
        "set",
        "setex",
        "psetex",
        "setrange",
        "append",
        "hset",
        "hmset",
        "lpush",
        "rpush",
        "lset",
        "sadd",
        "zadd",
        "del",
        "unlink",
    }
)
_DELETES = frozenset({"del", "unlink"})
_IDEMPOTENT_AFTER_CHECK = frozenset({"del", "unlink", "sadd"})
_INCREMENT = {
    "set": "incr()/incrby()",
    "hset": "hincrby()",
    "hmset": "hincrby()",
    "zadd": "zincrby()",
}
_CHECK_THEN_SET = {
    "set": "set(key, value, nx=True)",
    "setex": "set(key, value, nx=True, ex=<seconds>)",
    "psetex": "set(key, value, nx=True, px=<milliseconds>)",
    "hset": "hsetnx()",
    "zadd": "zadd(..., nx=True)",
}
_TRANSACTION = "wrap both in WATCH/MULTI/EXEC (client.transaction()) or a Lua script"


def _both_hash(a: Command, b: Command) -> bool:
    return bool(a.info and b.info and a.info.group == "hash" == b.info.group)


def _field_relation(a: Command, b: Command) -> Relation:
    """For hash commands, whether both touch the same field."""
    fa, fb = a.args.get("key"), b.args.get("key")
    if fa is None or fb is None:
        return Relation.MAYBE
    return compare(shape_of(fa), shape_of(fb))


def _is_increment(write: Command) -> bool:
    """The written value is ``something + n`` / ``something - n`` (directly or via a name)."""
    for arg in write.node.args:
        value = arg.value
        if isinstance(value, cst.Name):
            value = write.bindings.get(value.value, value)
        if isinstance(value, cst.Dict):  # zadd(key, {member: score + 1})
            values = [e.value for e in value.elements if isinstance(e, cst.DictElement)]
        else:
            values = [value]
        for item in values:
            if isinstance(item, cst.BinaryOperation) and isinstance(
                item.operator, cst.Add | cst.Subtract
            ):
                return True
    return False


def _written_in_every_arm(write: Command, read: Command) -> bool:
    """The check only picks how the key is written (``if exists: set(keepttl) else: set(ex)``)."""
    guard = next((g for g in write.guards if read in g.origins), None)
    if guard is None:
        return False
    for other in write.scope.commands:
        if other is write or other.name not in WRITES:
            continue
        sibling = next((g for g in other.guards if g.test is guard.test), None)
        if (
            sibling is not None
            and sibling.arm != guard.arm
            and other.same_key(write) is Relation.SAME
        ):
            return True
    return False


def _only_tested(read: Command) -> bool:
    """The read's result is only used as a condition (``if not r.get(k):``)."""
    return read.usage == "condition"


class GetThenSet(Rule):
    """
    ## What it does
    Flags a write to a key that depends on an earlier read of the same key in the same
    function, when the two are separate commands on a client (not inside
    `WATCH`/`MULTI`/`EXEC`, a `client.transaction()` callback or a Lua script):

    - the written value is computed from the value read (read-modify-write);
    - the write only happens because an existence check said the key was missing
      (check-then-set);
    - a value is read and then the key is deleted (get-then-delete).

    ## Why is this bad?
    Redis runs each command atomically, but nothing holds the key between two
    commands. Another client can change the key after your read and before your
    write; your write then overwrites its update (a lost update), two clients both
    pass the existence check (two lock holders, two initialisations), or an item added
    between the read and the delete is silently dropped.

    ## Example
    ```python
    views = r.get(f"views:{page}")
    r.set(f"views:{page}", int(views or 0) + 1)

    if not r.exists("config:init"):
        r.set("config:init", "done")
    ```

    ## Use instead
    ```python
    r.incr(f"views:{page}")

    r.set("config:init", "done", nx=True)
    ```
    For other updates use an optimistic transaction:
    ```python
    def update(pipe):
        current = pipe.get(key)
        pipe.multi()
        pipe.set(key, transform(current))

    r.transaction(update, key)
    ```

    ## Fix safety
    No automatic fix: the right atomic command depends on what the code computes.

    ## References
    - [Transactions](https://redis.io/docs/latest/develop/interact/transactions/)
    - [INCR](https://redis.io/docs/latest/commands/incr/), [SET NX](https://redis.io/docs/latest/commands/set/), [GETDEL](https://redis.io/docs/latest/commands/getdel/)
    - [redis-py transactions and WATCH](https://redis-py.readthedocs.io/en/stable/advanced_features.html)
    """

    code = "RL201"
    name = "get-then-set"
    severity = Severity.ERROR
    summary = "Read and write of the same key as separate commands (lost update)"
    tags = ("correctness", "concurrency")
    precision = "high"

    def check_scope(self, scope: Scope, ctx: FileContext) -> None:
        if scope.callback_param is not None:
            return  # a client.transaction() callback: WATCH protects it
        for write in scope.commands:
            if write.name in WRITES and write.tx is TxMode.IMMEDIATE:
                self._check_write(write, scope, ctx)

    def _check_write(self, write: Command, scope: Scope, ctx: FileContext) -> None:
        for read in reversed(list(scope.earlier(write))):
            if read.name not in READS or read.tx is not TxMode.IMMEDIATE:
                continue
            if write.same_key(read) is not Relation.SAME:
                continue
            if _both_hash(read, write) and _field_relation(read, write) is Relation.DIFFERENT:
                continue
            message = self._problem(read, write)
            if message is not None:
                ctx.report(self, write.node, message)
                return

    def _problem(self, read: Command, write: Command) -> str | None:
        line = f"{read.method}() of {key_text(read)}"
        derived = read in write.arg_origins
        guarded = any(read in guard.origins for guard in write.guards)
        if write.name in _DELETES:
            if read.name in CHECKS or not (
                read.usage in ("assigned", "returned", "argument") or derived
            ):
                return None
            better = (
                "use getdel()" + self._needs("6.2")
                if read.name == "get"
                else "read and delete in one MULTI/EXEC pipeline"
            )
            return (
                f"{line} and this delete are separate commands: another client can read or "
                f"change the key in between; {better}"
            )
        if derived:
            if _is_increment(write) and write.name in _INCREMENT:
                better = f"use {_INCREMENT[write.name]}, which updates the value atomically"
            else:
                better = _TRANSACTION
            return (
                f"{write.method}() writes a value computed from {line} (an earlier command): "
                f"an update made in between is lost; {better}"
            )
        if guarded and (read.name in CHECKS or _only_tested(read)):
            if write.name in _IDEMPOTENT_AFTER_CHECK or _written_in_every_arm(write, read):
                return None
            better = _CHECK_THEN_SET.get(write.name, _TRANSACTION)
            if write.name == "set" and set_options(write).expiry:
                better = "set(key, value, nx=True, ex=<seconds>)"
            return (
                f"check-then-set: {line} and this {write.method}() are separate commands, so "
                f"two clients can both see the key missing; use {better}"
                if better != _TRANSACTION
                else f"check-then-set: {line} and this {write.method}() are separate commands; {better}"
            )
        return None

    def _needs(self, version: str) -> str:
        target = self.settings.target_redis_version
        if target is not None and target < version_tuple(version):
            return f" (needs Redis {version}; on older servers {_TRANSACTION})"
        return f" (Redis {version}+)"


class SetnxWithoutExpiry(Rule):
    """
    ## What it does
    Flags `setnx()`, `set(..., nx=True)` without `ex`/`px`/`exat`/`pxat`, and
    `msetnx()`.

    ## Why is this bad?
    `SETNX` is how locks, leader elections and idempotency markers are usually taken.
    Without an expiry in the same command, a process that dies after taking the key
    leaves it behind forever and nobody can take it again. Adding an `expire()`
    afterwards does not help: it is a second command, and a crash between the two
    leaves the key without a TTL.

    ## Example
    ```python
    if r.setnx(f"lock:{job}", token):
        r.expire(f"lock:{job}", 30)
    ```

    ## Use instead
    ```python
    if r.set(f"lock:{job}", token, nx=True, ex=30):
        ...
    ```
    or redis-py's `Lock` (`r.lock(name, timeout=30)`), which does this for you.

    ## Fix safety
    `setnx(K, v)` immediately followed by `expire(K, n)` can be merged into
    `set(K, v, nx=True, ex=n)`; this changes the return value from an int to a bool
    or None, which is safe in a boolean test.

    ## References
    - [SET](https://redis.io/docs/latest/commands/set/) (NX and EX options)
    - [SETNX](https://redis.io/docs/latest/commands/setnx/) (deprecated in favour of SET NX)
    - [Distributed locks](https://redis.io/docs/latest/develop/use/patterns/distributed-locks/)
    """

    code = "RL202"
    name = "setnx-without-expiry"
    severity = Severity.ERROR
    summary = "SETNX / SET NX / MSETNX without an expiry in the same command"
    tags = ("correctness", "locks", "expiration")
    precision = "very-high"

    def check_command(self, cmd: Command, ctx: FileContext) -> None:
        if cmd.name == "setnx":
            ctx.report(
                self,
                cmd.node,
                f"setnx() on {key_text(cmd)} cannot set an expiry: if the holder dies the key "
                "stays forever; use set(key, token, nx=True, ex=<seconds>)",
            )
        elif cmd.name == "set":
            options = set_options(cmd)
            if options.nx is True and options.expiry is False:
                ctx.report(
                    self,
                    cmd.node,
                    f"set(..., nx=True) on {key_text(cmd)} has no expiry: if the holder dies "
                    "the key stays forever; add ex=<seconds> to the same call",
                )
        elif cmd.name == "msetnx":
            version = self.settings.target_redis_version
            if version is None or version >= version_tuple("8.4"):
                better = "use msetex() with NX and an expiry (Redis 8.4+) or set(key, value, nx=True, ex=<seconds>) per key"
            else:
                better = "use set(key, value, nx=True, ex=<seconds>) per key"
            ctx.report(self, cmd.node, f"msetnx() cannot give its keys an expiry; {better}")
