"""RL201 get-then-set: Read and write of the same key as separate commands (lost update)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from redislint.diagnostics import Severity
from redislint.keys.shape import Relation, called_name, code, compare, shape_of
from redislint.rules.atomicity.common import _DELETES, ACQUIRE_NAMES, _watched, lock_release
from redislint.rules.base import Rule, version_tuple
from redislint.rules.shared import key_text
from redislint.semantic.arguments import is_literal, literal, set_options
from redislint.semantic.context import FileContext
from redislint.semantic.model import Command, Guard, Scope, TxMode
from redislint.semantic.treefacts import TreeCondition

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
# Calls in a checked branch that do not make it "do more" than the write
_QUIET_CALLS = frozenset(
    {"debug", "info", "warning", "warn", "error", "exception", "critical", "log", "print"}
)
# Reads that say how much a collection holds (a delete decided on them drops what is added)
_SIZES = frozenset({"llen", "scard", "zcard", "hlen", "lrange", "zrange", "smembers", "hkeys"})
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
