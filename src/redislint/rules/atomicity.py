"""Atomicity rules (RL2xx): read-modify-write races and locks that can be lost or stolen."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from redislint.clients.knowledge import is_redis_library
from redislint.clients.names import words
from redislint.clients.types import UNKNOWN, Kind, Ref
from redislint.commands import client_method_params
from redislint.diagnostics import Severity
from redislint.keys.meaning import LOCK_WORDS, names_lock
from redislint.keys.shape import Relation, called_name, code, compare, shape_of
from redislint.rules.base import Rule, supports, version_tuple
from redislint.rules.shared import SET_OPTION, call_text, key_text, later_expiry, merge_expiry
from redislint.semantic.arguments import constant, is_literal, literal, set_options
from redislint.semantic.binding import bind_args
from redislint.semantic.context import FileContext
from redislint.semantic.edits import FixPlan
from redislint.semantic.keyreach import key_reach, partner
from redislint.semantic.model import BoundArgs, Command, Construction, Guard, Scope, TxMode
from redislint.semantic.rewrite import only_tested, with_argument, with_method
from redislint.semantic.treefacts import TreeCondition, TreeQuery

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
        "hkeys",
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
        "json.get",
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
        "json.set",
    }
)
# Writes that add to a number: atomic themselves, but not with a check made before them.
INCREMENTS = frozenset(
    {"incr", "incrby", "decr", "decrby", "incrbyfloat", "hincrby", "hincrbyfloat", "zincrby"}
)
_DELETES = frozenset({"del", "unlink"})
# Calls in a checked branch that do not make it "do more" than the write
_QUIET_CALLS = frozenset(
    {"debug", "info", "warning", "warn", "error", "exception", "critical", "log", "print"}
)
# Reads that say how much a collection holds (a delete decided on them drops what is added)
_SIZES = frozenset({"llen", "scard", "zcard", "hlen", "lrange", "zrange", "smembers", "hkeys"})
# Commands that take a lock key (with NX); RL203 and RL201 ask the tree about them.
ACQUIRE_NAMES = frozenset({"set", "setnx"})
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


_JSON_ROOTS = frozenset({"$", "."})


def _json_paths_apart(read: Command, write: Command) -> bool:
    """``json().get(k, "$.a")`` and ``json().set(k, "$.b", ...)``: different parts of
    one document (neither the root)."""
    if read.name != "json.get" or write.name != "json.set" or len(read.args.varargs) != 1:
        return False
    a, b = literal(read.args.varargs[0]), literal(write.args.get("path"))
    if not isinstance(a, str) or not isinstance(b, str) or {a, b} & _JSON_ROOTS:
        return False
    return not (a.startswith(b) or b.startswith(a))


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


def _keeps_ttl(write: Command) -> bool:
    return write.name == "set" and literal(write.args.get("keepttl")) is True


def _written_in_every_arm(write: Command, read: Command) -> bool:
    """The check only picks how the key is written (``if exists: set(v, xx=True) else:
    set(v, ex=60)``). Not when the arm for a present key keeps its TTL (``keepttl``): if
    the key expires in between, that write leaves it with no TTL at all."""
    guard = next((g for g in write.guards if read in g.origins), None)
    if guard is None or (_keeps_ttl(write) and _found_present(guard)):
        return False
    return any(
        other.name in WRITES
        and write.in_other_arm(other, guard)
        and other.same_key(write) is Relation.SAME
        for other in write.scope.commands
    )


def _found_present(guard: Guard) -> bool:
    """Whether the code under ``guard`` runs when the check found the key (``if
    r.exists(k):``, or after ``if not r.exists(k): raise``), not when it was missing."""
    test = guard.test
    negated = False
    while isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        negated, test = not negated, test.expression
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        target = test.comparisons[0]
        if isinstance(target.comparator, cst.Name) and target.comparator.value == "None":
            if isinstance(target.operator, cst.Is | cst.Equal):
                negated = not negated  # ``v is None``: true when missing
            return (guard.arm == 0) != negated
        return False
    if (
        isinstance(test, cst.BooleanOperation)
        and isinstance(test.operator, cst.And)
        and guard.arm == 0
        and not negated
    ):
        # ``if flag and r.exists(k):``: the body runs when every operand held
        return any(_found_present(Guard(operand, 0, guard.origins)) for operand in _operands(test))
    if not isinstance(test, cst.Call | cst.Name | cst.Attribute | cst.Await):
        return False
    return (guard.arm == 0) != negated


def _orders(test: cst.BaseExpression) -> bool:
    """The test compares values by order (``if new_ts > old_ts``, ``if v <= seen:``)."""
    if isinstance(test, cst.UnaryOperation):
        return _orders(test.expression)
    if isinstance(test, cst.BooleanOperation):
        return _orders(test.left) or _orders(test.right)
    orderings = (cst.LessThan, cst.LessThanEqual, cst.GreaterThan, cst.GreaterThanEqual)
    return isinstance(test, cst.Comparison) and any(
        isinstance(c.operator, orderings) for c in test.comparisons
    )


def _operands(test: cst.BooleanOperation) -> Iterator[cst.BaseExpression]:
    for side in (test.left, test.right):
        if isinstance(side, cst.BooleanOperation) and isinstance(side.operator, cst.And):
            yield from _operands(side)
        else:
            yield side


def _already_atomic(write: Command) -> bool:
    """``set(..., nx=True)``, ``setnx``, ``hsetnx``, ``zadd(..., nx=True)``: the write
    checks for itself."""
    if write.name in ("setnx", "hsetnx", "msetnx"):
        return True
    if write.name == "set":
        return set_options(write).nx is True
    return literal(write.args.get("nx")) is True


def _adds_the_member(check: Command, write: Command) -> bool:
    """``if not r.sismember(s, x): r.sadd(s, x); r.lpush(q, x)``: the member checked is the
    one added, and the check decides more than the (idempotent) ``sadd``."""
    member = check.args.get("value")
    added = write.args.varargs if write.name == "sadd" else ()
    if member is None or len(added) != 1 or code(added[0]) != code(member):
        return False
    return _decides_more(check, write)


def _decides_more(check: Command, write: Command) -> bool:
    """The check decides more than the idempotent write it guards: another command runs
    under the same outcome, or (after a delete) the branch calls something besides
    logging. Two clients that both pass the check both do the rest."""
    guard = next((g for g in write.guards if check in g.origins), None)
    if guard is None:
        return False
    if any(
        other is not write
        and other is not check
        and any(
            g.test is guard.test and g.arm == guard.arm
            for g in (*other.guards, *other.partial_guards)
        )
        for other in write.scope.commands
    ):
        return True
    if write.name not in _DELETES:
        return False
    return any(
        stmt is not write.statement and _calls_something(stmt, write) for stmt in guard.block
    )


def _calls_something(stmt: cst.CSTNode, write: Command) -> bool:
    """Whether ``stmt`` calls a function other than a logger or ``print``."""
    todo: list[cst.CSTNode] = [stmt]
    while todo:
        node = todo.pop()
        if node is write.node:
            return False  # the write's own statement (``if r.delete(k): ...``)
        if isinstance(node, cst.Call):
            name = called_name(node)
            if name and name not in _QUIET_CALLS:
                return True
        if isinstance(node, cst.FunctionDef | cst.ClassDef | cst.Lambda):
            continue
        todo.extend(node.children)
    return False


def _initialised_if_missing(read: Command, write: Command) -> bool:
    """``v = r.get(k)`` ... ``if v is None: r.set(k, 0)``: the read's value, kept in a name,
    decides whether a constant is written (two clients can both initialise). A value
    computed in the branch (a cache fill: both clients write the same thing) is not this."""
    if read.usage != "assigned" or write.name not in _CHECK_THEN_SET:
        return False
    value = literal(write.args.get("value"))
    return is_literal(value) and value is not None


def _sets_many_fields(write: Command) -> bool:
    """``hset(k, mapping=...)`` or ``hset(k, items=[...])``: more than one field."""
    return write.args.get("mapping") is not None or write.args.get("items") is not None


def _replied_before(read: Command, write: Command) -> bool:
    """A read queued on a pipeline (not a transaction) whose ``execute()`` ran before
    ``write``: its reply reaches the code there, and the write can be decided on it.

    Only for a pipeline made here: one passed in may be a transaction callback's, under
    WATCH."""
    made_here = read.pipe is not None and read.pipe.created is not None
    execute = read.replied_by
    return (
        made_here
        and read.tx is TxMode.QUEUED
        and execute is not None
        and execute.index < write.index
    )


def _usage(read: Command) -> str:
    """How the code uses a read's reply: a queued read's reply comes from execute()."""
    return read.replied_by.usage if read.replied_by is not None else read.usage


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
      (check-then-set), directly (`if not r.exists(k):`) or through the value read
      (`v = r.get(k)` ... `if v is None: r.set(k, 0)`);
    - a member is added after `sismember()` said it was missing, and the same branch
      does more (`if not r.sismember(s, x): r.sadd(s, x); r.lpush(q, x)`): two clients
      both do the rest;
    - a value is read and then the key is deleted (get-then-delete), or a collection is
      deleted because a read said it was empty (`if r.llen(q) == 0: r.delete(q)`);
    - a key is deleted because `exists()` found it, and the branch does more
      (`if r.exists(m): r.delete(m); cancel(job)`): two clients both cancel;
    - an increment runs only on some outcomes of a read of its key: a limit check
      (`if int(r.get(k) or 0) >= n: return` ... `r.incr(k)`: concurrent requests all pass)
      or an existence check (`if not r.exists(k): raise` ... `r.incr(k)`: a key that
      expired in between comes back from 0 with no TTL);
    - `set(..., keepttl=True)` because `exists()` found the key: if it expired in between,
      the write leaves it with no TTL at all;
    - the write is sent after `pipe.watch()` without `pipe.multi()`: the watch protects
      nothing.

    A check followed by an exit (`if check: return`, `else: raise`), also nested in
    another `if`, guards the code after it as an `if` around it would.

    Not flagged: writes that check for themselves (`set(..., nx=True)`, `hsetnx`,
    `zadd(..., nx=True)`), a cache fill after a miss (`v = r.get(k)`; `if v is None:` a
    value computed in the branch is written: both clients write the same thing), a
    lone `sadd` after `sismember` or `delete` after `exists` (doing it twice changes
    nothing), an increment whose own reply is the check (`if r.incr(k) > n:`).

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
    tree_commands = ACQUIRE_NAMES

    def check_scope(self, scope: Scope, ctx: FileContext) -> None:
        if scope.callback_param is not None:
            return  # a client.transaction() callback: WATCH protects it
        for write in scope.commands:
            if write.name not in WRITES and write.name not in INCREMENTS:
                continue
            # a MULTI around the write alone does not cover a read sent before it; after
            # watch() and no multi() the write is sent at once; a pipeline that is not a
            # transaction only batches
            if write.tx in (TxMode.IMMEDIATE, TxMode.WATCHING, TxMode.QUEUED) or (
                write.tx is TxMode.TRANSACTION and not _watched(write)
            ):
                self._check_write(write, scope, ctx)

    def _check_write(self, write: Command, scope: Scope, ctx: FileContext) -> None:
        sent_now = (TxMode.IMMEDIATE, TxMode.WATCHING)
        for read in reversed(list(scope.earlier(write))):
            if read.name not in READS:
                continue
            if read.tx not in sent_now and not _replied_before(read, write):
                continue
            if read.tx is TxMode.WATCHING and write.tx is not TxMode.WATCHING:
                continue  # read under WATCH, written in the MULTI: the optimistic pattern
            if write.same_key(read) is not Relation.SAME:
                continue
            if _both_hash(read, write) and _field_relation(read, write) is Relation.DIFFERENT:
                continue
            if _json_paths_apart(read, write):
                continue
            message = self._problem(read, write, ctx)
            if message is None:
                continue
            if write.name in _DELETES:
                release = lock_release(write, ctx)
                if release is not None:
                    if release.condition is None:
                        return  # RL203 reports the release of a lock taken with SET NX
                    # RL203 reports it if the tree takes the key with SET NX; else RL201 does
                    condition = TreeCondition(release.condition.query, expected=False)
                    ctx.report(self, write.node, message, when=condition)
                    return
            if write.tx is TxMode.TRANSACTION:
                message += (
                    "; the MULTI around this write does not cover the read before it: "
                    "watch() the key before reading it"
                )
            elif write.tx is TxMode.WATCHING:
                message += (
                    "; watch() protects only commands queued after multi(): without it, "
                    "this write is sent at once"
                )
            ctx.report(self, write.node, message)
            return

    def _problem(self, read: Command, write: Command, ctx: FileContext) -> str | None:
        def line() -> str:  # registers the read's line only for a message that is reported
            return f"{read.call}() of {key_text(read)} on line {ctx.line_of(read.node)}"

        derived = read in write.arg_origins
        guarded = any(read in guard.origins for guard in write.guards)
        if write.name in INCREMENTS:
            return self._check_then_increment(read, write, line)
        if write.name in _DELETES:
            if guarded and read.name in _SIZES:
                return (
                    f"check-then-delete: {line()} decided this delete, but an item added "
                    "in between is deleted with it; check and delete in one step: "
                    f"{_TRANSACTION}"
                )
            if (
                guarded
                and read.name in ("exists", "hexists")
                and _found_present(next(g for g in write.guards if read in g.origins))
                and _decides_more(read, write)
            ):
                return (
                    f"check-then-delete: {line()} and this delete are separate commands, so "
                    "two clients can both find the key and both go on; use the reply of "
                    f"{write.call}() (the number of keys it removed) as the check"
                )
            if read.name in CHECKS or not (
                _usage(read) in ("assigned", "returned", "argument", "used") or derived
            ):
                return None
            if ctx.is_test:
                return None  # a test reads what it wrote, then cleans up
            better = (
                "use getdel()" + self._needs("6.2")
                if read.name == "get"
                else "read and delete in one MULTI/EXEC pipeline"
            )
            return (
                f"{line()} and this delete are separate commands: another client can read or "
                f"change the key in between; {better}"
            )
        if derived:
            if _is_increment(write) and write.name in _INCREMENT:
                better = f"use {_INCREMENT[write.name]}, which updates the value atomically"
            else:
                better = _TRANSACTION
            return (
                f"{write.call}() writes a value computed from {line()} (an earlier command): "
                f"an update made in between is lost; {better}"
            )
        if guarded and _already_atomic(write):
            return None  # the write itself only happens when the key is missing
        if guarded and read.name == "sismember" and _adds_the_member(read, write):
            return (
                f"check-then-add: {line()} and this sadd() are separate commands, so two "
                "clients can both see the member missing and both go on; use the reply of "
                "sadd() (1 when it added the member) as the check"
            )
        ordered = [g for g in write.guards if read in g.origins and _orders(g.test)]
        if ordered and write.name in WRITES and not _already_atomic(write):
            return (
                f"compare-then-set: {line()} and this {write.call}() are separate commands, "
                "so two clients can both pass the comparison and the last to write wins, "
                f"newer or not; {_TRANSACTION}"
            )
        if guarded and (
            read.name in CHECKS or _only_tested(read) or _initialised_if_missing(read, write)
        ):
            guard = next(g for g in write.guards if read in g.origins)
            if write.name in _IDEMPOTENT_AFTER_CHECK or _written_in_every_arm(write, read):
                return None
            if _found_present(guard):
                if _keeps_ttl(write):
                    return (
                        f"check-then-write: {line()} said the key exists, but it can expire "
                        f"before this {write.call}(keepttl=True), which then writes it with "
                        "no TTL at all; use set(..., xx=True, keepttl=True) and, when it "
                        "returns None, set(..., nx=True, ex=<seconds>), or a Lua script"
                    )
                return (
                    f"check-then-write: {line()} said the key exists, but it can be deleted "
                    f"before this {write.call}(), which then writes it back; {_TRANSACTION}"
                )
            better = _CHECK_THEN_SET.get(write.name, _TRANSACTION)
            if write.name == "hset" and _sets_many_fields(write):
                better = _TRANSACTION  # hsetnx() takes one field
            if write.name == "set" and set_options(write).expiry:
                better = "set(key, value, nx=True, ex=<seconds>)"
            return (
                f"check-then-set: {line()} and this {write.call}() are separate commands, so "
                f"two clients can both see the key missing; use {better}"
                if better != _TRANSACTION
                else f"check-then-set: {line()} and this {write.call}() are separate commands; "
                f"{better}"
            )
        return None

    def _check_then_increment(
        self, read: Command, write: Command, line: Callable[[], str]
    ) -> str | None:
        """An increment that runs only on some outcomes of a read of its key: a limit
        check (``if int(r.get(k)) >= n: return``) or an existence check."""
        full = [g for g in write.guards if read in g.origins]
        if not full and not any(read in g.origins for g in write.partial_guards):
            return None
        if full and _found_present(full[0]):
            return (
                f"check-then-write: {line()} said the key exists, but it can expire or be "
                f"deleted before this {write.call}(), which then creates it again from 0 "
                f"with no TTL; {_TRANSACTION}"
            )
        return (
            f"check-then-increment: {line()} decided whether to {write.call}(), but "
            "concurrent clients all read the old value and all pass the check; increment "
            f"first and test the value {write.call}() returns, or use a Lua script"
        )

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
    `setnx(K, v)` (or `set(K, v, nx=True)`) followed by `expire(K, n)` on the same
    client becomes `set(K, v, nx=True, ex=n)` and the `expire()` is removed
    (`pexpire` gives `px=`; `expireat`/`pexpireat` give `exat=`/`pxat=` when
    `target-redis-version` allows Redis 6.2). The fix is safe when the `expire()` runs
    right after a successful `setnx()` and nothing else does: the statement after it,
    the first statement of `if r.setnx(...):`, or the statement after
    `if not r.setnx(...): return`. `set(..., nx=True)` replies `True` or `None` where
    `setnx()` replied `True` or `False`, so the fix is unsafe when the reply is kept in
    a variable or returned rather than tested. It is unsafe too when other code runs in
    between, or when the `expire()` also ran after a failed `setnx()` (it then
    refreshed the other holder's TTL; the merged command does not). A `setnx()` with no
    `expire()` after it has no fix: only you know the TTL.

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
                fix=self._fix(cmd),
            )
        elif cmd.name == "set":
            options = set_options(cmd)
            if options.nx is True and options.expiry is False:
                ctx.report(
                    self,
                    cmd.node,
                    f"set(..., nx=True) on {key_text(cmd)} has no expiry: if the holder dies "
                    "the key stays forever; add ex=<seconds> to the same call",
                    fix=self._fix(cmd),
                )
        elif cmd.name == "msetnx":
            version = self.settings.target_redis_version
            if version is None or version >= version_tuple("8.4"):
                better = "use msetex() with NX and an expiry (Redis 8.4+) or set(key, value, nx=True, ex=<seconds>) per key"
            else:
                better = "use set(key, value, nx=True, ex=<seconds>) per key"
            ctx.report(self, cmd.node, f"msetnx() cannot give its keys an expiry; {better}")

    def _fix(self, cmd: Command) -> FixPlan | None:
        """``setnx(K, v)`` + ``expire(K, n)`` as ``set(K, v, nx=True, ex=n)``."""
        expiry = later_expiry(cmd)
        if expiry is None or cmd.same_key(expiry) is not Relation.SAME:
            return None
        version = SET_OPTION.get(expiry.name, ("", "", None))[2]
        if version is not None and not supports(self.settings.target_redis_version, version):
            return None
        call = cmd.node
        if cmd.name == "setnx":
            renamed = with_method(call, "set")
            if renamed is None or cmd.method != "setnx":
                return None
            call = with_argument(renamed, "nx", cst.Name("True"), None)
        # set(nx=True) replies True/None where setnx() replied True/False
        same_reply = cmd.name == "set" or cmd.usage == "discarded" or only_tested(cmd)
        return merge_expiry(cmd, expiry, call, value_safe=same_reply)


# -- locks -------------------------------------------------------------------------------


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


def _safe_release(version: tuple[int, ...] | None) -> str:
    better = "delete it only if it still holds your token, in one atomic step: "
    if version is None or version >= version_tuple("8.4"):
        better += "delex(key, ifeq=token) (Redis 8.4+), "
    return better + "a compare-and-delete Lua script, or redis-py's Lock"


class LockReleaseWithoutToken(Rule):
    """
    ## What it does
    Flags the release of a lock taken with `set(key, token, nx=True, ...)` or `setnx()`
    (anywhere in the linted code) by a plain `delete(key)` / `unlink(key)`, or by
    `get(key)`, a comparison with the token and then `delete(key)` as separate commands.

    Keys are matched by their shape: a key with literal text (`f"lock:{job}"`) or built
    from module-level names is matched across the whole tree; a key held in a `self`
    attribute within its class in the same file; a bare local name or parameter only
    within its function. Deletes in test code are not reported.

    ## Why is this bad?
    A lock with a TTL can expire while its holder is still working (a GC pause, a slow
    call). Another process then takes it. When the first process finishes, a plain
    `DEL` removes the *other* process's lock, and a third process can enter the
    critical section. Checking the value with `GET` first does not help: the lock can
    expire and change hands between the `GET` and the `DEL`.

    ## Example
    ```python
    token = uuid.uuid4().hex
    if r.set(f"lock:{job}", token, nx=True, ex=30):
        try:
            run(job)
        finally:
            r.delete(f"lock:{job}")
    ```

    ## Use instead
    ```python
    RELEASE = r.register_script(
        "if redis.call('get', KEYS[1]) == ARGV[1] then "
        "return redis.call('del', KEYS[1]) end return 0"
    )
    ...
        finally:
            RELEASE(keys=[f"lock:{job}"], args=[token])
    ```
    The script works on every Redis version; on Redis 8.4+,
    `r.delex(f"lock:{job}", ifeq=token)` does the same in one command (suggested only
    when `target-redis-version` allows it). redis-py's `Lock`
    (`with r.lock(name, timeout=30):`) releases with a token check.

    ## Fix safety
    No automatic fix: the release needs the token the lock was taken with.

    ## References
    - [Distributed locks with Redis](https://redis.io/docs/latest/develop/use/patterns/distributed-locks/) ("remove the key only if it exists and the value stored at the key is exactly the one I expect")
    - [DELEX](https://redis.io/docs/latest/commands/delex/) (Redis 8.4)
    - [redis-py Lock](https://redis-py.readthedocs.io/en/stable/lock.html)
    """

    code = "RL203"
    name = "lock-release-without-token"
    severity = Severity.ERROR
    summary = "Lock taken with SET NX released by a plain DEL (can delete another holder's lock)"
    tags = ("correctness", "locks")
    precision = "high"
    tree_commands = ACQUIRE_NAMES

    def check_command(self, cmd: Command, ctx: FileContext) -> None:
        release = lock_release(cmd, ctx)
        if release is None:
            return
        taken = (
            f"taken with {call_text(release.acquire)} on line {ctx.line_of(release.acquire.node)}"
            if release.acquire is not None
            else "taken with SET NX elsewhere"
        )
        better = _safe_release(self.settings.target_redis_version)
        lock = lock_text(cmd)
        if release.check is not None:
            message = (
                f"{call_text(release.check)} on line {ctx.line_of(release.check.node)} and this "
                f"{call_text(cmd)} of {lock} ({taken}) are separate commands: the lock "
                "can expire and pass to another process in between, and this deletes that "
                f"holder's lock; {better}"
            )
        else:
            message = (
                f"{call_text(cmd)} releases {lock} ({taken}) without checking that it "
                "still holds it: if the lock expired and another process took it, this "
                f"deletes that holder's lock; {better}"
            )
        ctx.report(self, cmd.node, message, when=release.condition)


def _missing(args: BoundArgs, name: str) -> bool:
    """Whether ``name`` is certainly not passed (absent, or a literal ``None``)."""
    node = args.get(name)
    if node is None:
        return not args.unpacked
    return is_literal(literal(node)) and literal(node) is None


class LockWithoutTimeout(Rule):
    """
    ## What it does
    Flags redis-py locks created without `timeout=`: `client.lock(name)` and
    `redis.lock.Lock(client, name)` (also the `redis.asyncio` and valkey ones).

    ## Why is this bad?
    redis-py's default is `timeout=None`: the lock key has no TTL. If the process that
    holds it dies (a crash, an OOM kill, a deploy), the lock is never released and every
    other process waits for it forever, or fails after its `blocking_timeout`.
    `blocking_timeout=` only limits how long acquiring waits; `timeout=` is the lock's
    own expiry.

    ## Example
    ```python
    with r.lock(f"lock:report:{day}"):
        build_report(day)
    ```

    ## Use instead
    ```python
    with r.lock(f"lock:report:{day}", timeout=300, blocking_timeout=10):
        build_report(day)
    ```
    Choose a timeout longer than the critical section; long work can call
    `lock.extend()` or `lock.reacquire()`.

    ## Fix safety
    No automatic fix: the timeout depends on how long the critical section runs.

    ## References
    - [redis-py Lock](https://redis-py.readthedocs.io/en/stable/lock.html) (`timeout`: "by default, the lock will remain locked until release() is called")
    - [Distributed locks with Redis](https://redis.io/docs/latest/develop/use/patterns/distributed-locks/)
    """

    code = "RL204"
    name = "lock-without-timeout"
    severity = Severity.ERROR
    summary = "redis-py lock without timeout= never expires if its holder dies"
    tags = ("correctness", "locks", "expiration")
    precision = "very-high"

    def check_command(self, cmd: Command, ctx: FileContext) -> None:
        if cmd.method == "lock" and cmd.receiver.kind in (Kind.CLIENT, Kind.PIPELINE):
            if any(a.keyword is not None and a.keyword.value == "ttl" for a in cmd.node.args):
                return  # walrus's Database.lock(name, ttl=...): its expiry
            self._check(cmd.node, cmd.args, "lock()", ctx, walrus=_uses_walrus(ctx))

    def check_construction(self, construction: Construction, ctx: FileContext) -> None:
        if construction.type.kind is Kind.LOCK:
            args = bind_args(construction.node, client_method_params("lock", "__init__"))
            self._check(construction.node, args, "Lock()", ctx)

    def _check(
        self, node: cst.Call, args: BoundArgs, what: str, ctx: FileContext, walrus: bool = False
    ) -> None:
        if not _missing(args, "timeout"):
            return
        if walrus:
            ctx.report(
                self,
                node,
                f"{what} without an expiry never expires: if the process holding it dies, "
                "the lock stays held forever; pass timeout=<seconds> (redis-py) or, on a "
                "walrus Database, ttl=<milliseconds>, longer than the critical section",
            )
            return
        waiting = (
            " (blocking_timeout= only limits how long acquiring waits)"
            if not _missing(args, "blocking_timeout")
            else ""
        )
        ctx.report(
            self,
            node,
            f"{what} without timeout= never expires{waiting}: if the process holding it "
            "dies, the lock stays held forever; pass timeout=<seconds> longer than the "
            "critical section",
        )


def _uses_walrus(ctx: FileContext) -> bool:
    """The module imports walrus (whose ``Database.lock`` takes ``ttl``, not ``timeout``)."""
    facts = ctx.project.by_path.get(ctx.path)
    names = [*facts.imports.values(), *facts.local_imports.values()] if facts else []
    return any(name.split(".", 1)[0] == "walrus" for name in names)


# -- optimistic transactions -----------------------------------------------------------

# What catches redis.exceptions.WatchError: it and its bases.
_WATCH_ERROR_BASES = frozenset({"WatchError", "RedisError", "ValkeyError"})
_BUILTIN_BASES = frozenset({"builtins.Exception", "builtins.BaseException"})
_RETRY_DECORATOR_WORDS = frozenset({"retry", "retrying", "backoff", "tenacity", "retries"})


def catches_watch_error(handler: cst.BaseExpression | None, scope: Scope, ctx: FileContext) -> bool:
    """Whether an ``except`` clause of this type catches ``redis.WatchError``."""
    if handler is None:
        return True  # bare except:
    if isinstance(handler, cst.Tuple):
        return any(catches_watch_error(e.value, scope, ctx) for e in handler.elements)
    value = ctx.resolve(handler, scope)
    if isinstance(value, Ref):
        if value.qualname in _BUILTIN_BASES:
            return True
        last = value.qualname.rsplit(".", 1)[-1]
        return is_redis_library(value.qualname) and last in _WATCH_ERROR_BASES
    if value is UNKNOWN:  # not resolvable: trust the name
        return code(handler).rsplit(".", 1)[-1] in {*_WATCH_ERROR_BASES, "Exception"}
    return False


def _handled(execute: Command, ctx: FileContext) -> bool:
    scope = execute.scope
    if any(set(words(d)) & _RETRY_DECORATOR_WORDS for d in scope.decorators):
        return True  # @retry(...), @backoff.on_exception(...)
    if any(d.endswith("contextmanager") for d in scope.decorators):
        return True  # the caller's `with` block decides what a conflict means
    for context in execute.trys:
        if context.part != "body":
            continue
        for handler in context.node.handlers:
            if catches_watch_error(handler.type, scope, ctx):
                return True
    return False


class WatchWithoutRetry(Rule):
    """
    ## What it does
    Flags `pipe.watch(...)` when the transaction's `execute()` in the same function is
    not inside a `try` whose `except` catches `WatchError` (or `RedisError`,
    `Exception`, a bare `except:`), and the function is not wrapped in a retry
    decorator (`@retry`, `@backoff.on_exception`). A `@contextmanager` that watches,
    yields the pipeline and executes it leaves the conflict to the caller's `with`
    block and is not reported.

    A loop alone does not retry: `execute()` raises `WatchError`, which leaves the loop.
    The usual retry loop is `while True: try: ... except WatchError: continue`.
    `client.transaction(func, *keys)` retries by itself and is never reported.

    ## Why is this bad?
    `WATCH` is optimistic locking: when another client changes a watched key before
    `EXEC`, Redis discards the transaction and redis-py raises `WatchError`. That is the
    expected outcome under contention, not a rare error. Unhandled, it escapes as an
    exception and the update is lost, typically only under load.

    ## Example
    ```python
    with r.pipeline() as pipe:
        pipe.watch(key)
        balance = int(pipe.get(key))
        pipe.multi()
        pipe.set(key, balance - amount)
        pipe.execute()
    ```

    ## Use instead
    ```python
    def withdraw(pipe):
        balance = int(pipe.get(key))
        pipe.multi()
        pipe.set(key, balance - amount)

    r.transaction(withdraw, key)
    ```
    or retry by hand:
    ```python
    with r.pipeline() as pipe:
        while True:
            try:
                pipe.watch(key)
                balance = int(pipe.get(key))
                pipe.multi()
                pipe.set(key, balance - amount)
                pipe.execute()
                break
            except redis.WatchError:
                continue
    ```

    ## Fix safety
    No automatic fix: whether to retry, give up or report the conflict is the
    application's choice.

    ## References
    - [Transactions: optimistic locking using check-and-set](https://redis.io/docs/latest/develop/interact/transactions/#optimistic-locking-using-check-and-set)
    - [redis-py pipelines and transactions](https://redis-py.readthedocs.io/en/stable/advanced_features.html)
    """

    code = "RL205"
    name = "watch-without-retry"
    severity = Severity.WARNING
    summary = "WATCH transaction whose WatchError is neither retried nor handled"
    tags = ("correctness", "concurrency")
    precision = "high"

    def check_scope(self, scope: Scope, ctx: FileContext) -> None:
        if scope.callback_param is not None:
            return  # client.transaction() watches and retries
        open_watch: dict[int, Command] = {}  # pipe -> the watch that starts its transaction
        for cmd in scope.commands:
            pipe = cmd.pipe
            if pipe is None or cmd.receiver.kind is not Kind.PIPELINE:
                continue
            if cmd.method == "watch":
                open_watch.setdefault(id(pipe), cmd)
            elif cmd.method in ("execute", "reset", "unwatch", "discard"):
                watch = open_watch.pop(id(pipe), None)
                if watch is not None and cmd.method == "execute" and not _handled(cmd, ctx):
                    self._report(watch, cmd, ctx)

    def _report(self, watch: Command, execute: Command, ctx: FileContext) -> None:
        ctx.report(
            self,
            watch.node,
            f"{watch.receiver_text}.watch() starts an optimistic transaction, but the "
            f"WatchError that execute() on line {ctx.line_of(execute.node)} raises when a "
            "watched key changes is neither retried nor handled, so the update is lost; "
            "use client.transaction(func, *keys), which retries, or retry in a loop "
            "(while True: try: ... break / except WatchError: continue)",
        )


# -- acquiring locks -----------------------------------------------------------------------


def _lock_options(cmd: Command, ctx: FileContext) -> BoundArgs | None:
    """The arguments the lock ``cmd`` is called on was created with, if known."""
    receiver = cmd.receiver_node
    created = ctx.binding(cmd, receiver.value) if isinstance(receiver, cst.Name) else receiver
    if not isinstance(created, cst.Call):
        return None
    lock_call = ctx.command_for(created)
    if lock_call is not None and lock_call.method == "lock":
        return lock_call.args
    for construction in cmd.scope.constructions:
        if construction.node is created and construction.type.kind is Kind.LOCK:
            return bind_args(created, client_method_params("lock", "__init__"))
    return None


def may_fail(cmd: Command, ctx: FileContext) -> bool | None:
    """Whether ``lock.acquire(...)`` can return False (non-blocking, or a wait limit).

    None when it cannot be known (``blocking=flag``).
    """
    lock = _lock_options(cmd, ctx)

    def option(name: str) -> cst.BaseExpression | None:
        for args in (cmd.args, lock):
            node = args.get(name) if args is not None else None
            if node is not None and literal(node) is not None:
                return node
        return None

    blocking = option("blocking")
    if blocking is not None:
        value = literal(blocking)
        if not isinstance(value, bool):
            return None
        if value is False:
            return True
    return option("blocking_timeout") is not None


def _result_used(cmd: Command) -> bool:
    if cmd.usage in ("discarded", "awaited"):
        return False
    if cmd.usage == "assigned":
        return any(name in cmd.scope.loads for name in cmd.result_names)
    return True


class LockAcquireUnchecked(Rule):
    """
    ## What it does
    Flags `lock.acquire(...)` on a redis-py lock whose result is ignored (a bare
    statement, or a variable never read) when acquiring can fail: `blocking=False`, or
    a `blocking_timeout=` given to `acquire()` or to the `lock()` / `Lock()` that
    created the lock.

    ## Why is this bad?
    A non-blocking acquire, or one with a wait limit, returns `False` when another
    process holds the lock. Code that ignores the result runs the critical section
    without the lock, concurrently with the holder, and later `release()` raises
    `LockNotOwnedError`.

    ## Example
    ```python
    lock = r.lock("lock:import", timeout=60)
    lock.acquire(blocking=False)
    run_import()
    lock.release()
    ```

    ## Use instead
    ```python
    lock = r.lock("lock:import", timeout=60)
    if lock.acquire(blocking=False):
        try:
            run_import()
        finally:
            lock.release()
    ```
    or `with r.lock("lock:import", timeout=60, blocking_timeout=5):`, which raises
    `LockError` when the lock is not acquired.

    ## Fix safety
    No automatic fix: what to do when the lock is taken is the application's choice.

    ## References
    - [redis-py Lock.acquire](https://redis-py.readthedocs.io/en/stable/lock.html) ("returns a boolean indicating whether the lock was acquired")
    """

    code = "RL206"
    name = "lock-acquire-unchecked"
    severity = Severity.ERROR
    summary = "Result of a non-blocking or time-limited lock.acquire() is ignored"
    tags = ("correctness", "locks")
    precision = "high"

    def check_command(self, cmd: Command, ctx: FileContext) -> None:
        if cmd.method != "acquire" or cmd.receiver.kind is not Kind.LOCK:
            return
        if _result_used(cmd) or may_fail(cmd, ctx) is not True:
            return
        ctx.report(
            self,
            cmd.node,
            "acquire() returns False when another process holds the lock (it does not block "
            "without limit here), but its result is ignored: the code runs without the lock; "
            "test it (if lock.acquire(...):) or use `with client.lock(...)`, which raises "
            "LockError when the lock is not acquired",
        )


# -- lock tokens -------------------------------------------------------------------------


def _token_node(cmd: Command) -> cst.BaseExpression | None:
    if cmd.method == "execute_command":
        return cmd.args.varargs[2] if len(cmd.args.varargs) > 2 else None
    return cmd.args.get("value")


class LockConstantToken(Rule):
    """
    ## What it does
    Flags a lock taken with `set(key, <constant>, nx=True, ...)` or
    `setnx(key, <constant>)`, where the value is a literal (`1`, `"locked"`, `True`) or
    a name bound to one, when the code releases that key with `delete()`/`unlink()`
    (in the same function; in the same class for `self` attributes; anywhere in the
    linted tree for keys with literal text, module-level names, or local names in code
    about locks, as RL203 matches them). Keys that are only set and left to expire (a
    throttle such as "run at most once a minute", a `seen:{id}` marker) are not
    reported: without a release, the value does not matter.

    ## Why is this bad?
    Every holder writes the same value, so no process can prove the lock is still its
    own. A safe release (compare the value, then delete, atomically) is impossible, and
    a process whose lock expired will delete or extend the next holder's lock.

    ## Example
    ```python
    if r.set(f"lock:{job}", 1, nx=True, ex=30):
        ...
    ```

    ## Use instead
    ```python
    token = uuid.uuid4().hex  # or secrets.token_hex(16)
    if r.set(f"lock:{job}", token, nx=True, ex=30):
        ...
    ```
    and release with a compare-and-delete (see RL203), or use redis-py's `Lock`, which
    generates the token for you.

    ## Fix safety
    No automatic fix: the token must be kept and passed to the release.

    ## References
    - [Distributed locks with Redis](https://redis.io/docs/latest/develop/use/patterns/distributed-locks/) ("this value must be unique across all clients and all lock requests")
    """

    code = "RL207"
    name = "lock-constant-token"
    severity = Severity.WARNING
    summary = "Lock taken with a constant value: no holder can prove the lock is its own"
    tags = ("correctness", "locks")
    precision = "high"
    tree_commands = _DELETES

    def check_command(self, cmd: Command, ctx: FileContext) -> None:
        if not is_acquire(cmd) or len(cmd.keys) != 1:
            return
        value = constant(_token_node(cmd), lambda name: ctx.binding(cmd, name))
        if not is_literal(value):
            return
        shown = repr(value.decode("utf-8", "replace") if isinstance(value, bytes) else value)
        message = (
            f"{call_text(cmd)} takes {lock_text(cmd)} with the constant value {shown}: "
            "every holder writes the same value, so none can prove the lock is still its own "
            "and a safe release is impossible; store a unique token (uuid.uuid4().hex, "
            "secrets.token_hex(16)) and release with a compare-and-delete, or use "
            "redis-py's Lock"
        )
        key = cmd.keys[0].shape
        by_name = about_locks(cmd)
        release = partner(cmd, ctx, lambda c: c.name in _DELETES, by_name=by_name)
        if release is not None:
            message += f" (it is released on line {ctx.line_of(release.node)})"
            ctx.report(self, cmd.node, message)
        elif key_reach(cmd, by_name=by_name) == "tree":  # released anywhere in the tree
            query = TreeQuery(_DELETES, key, exact=True)
            ctx.report(self, cmd.node, message, when=TreeCondition(query, expected=True))
