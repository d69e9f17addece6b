"""Expiration rules (RL1xx): keys that never expire, TTLs lost or set non-atomically."""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import TYPE_CHECKING

from redislint.diagnostics import Severity
from redislint.keys.meaning import time_window
from redislint.keys.shape import KeyShape, Relation, code, compare
from redislint.rules.base import Rule, version_tuple
from redislint.rules.shared import SET_OPTION, call_text, key_text, later_expiry, merge_expiry
from redislint.semantic.arguments import set_options
from redislint.semantic.context import FileContext
from redislint.semantic.edits import FixPlan, Replace
from redislint.semantic.lifetime import (
    EXPIRE_COMMANDS,
    conditional_ttl,
    ephemeral_reason,
    gives_ttl,
    per_event,
    ttl_in_other_arm,
)
from redislint.semantic.model import Command, TxMode
from redislint.semantic.rewrite import plain_args, with_argument
from redislint.semantic.treefacts import SCAN_DELETE, TreeCondition, TreeQuery

if TYPE_CHECKING:
    import libcst as cst
else:
    from redislint._lazy import cst

TTL_WRITERS = frozenset({"set", "setex", "psetex", "getex", *EXPIRE_COMMANDS})
# What ends the life of a key of a family: deleting, expiring, renaming it, or a scan for
# its pattern that deletes what it finds.
FAMILY_REMOVERS = frozenset(
    {"del", "unlink", "getdel", "rename", "renamenx", "move", *EXPIRE_COMMANDS, SCAN_DELETE}
)


def is_persistent(cmd: Command, patterns: tuple[str, ...]) -> bool:
    """Whether the key matches one of the configured ``persistent-key-patterns``."""
    key = cmd.key
    if key is None or not patterns:
        return False
    shown = key.shape.display()
    literal_only = key.shape.literal_text()
    return any(fnmatchcase(shown, p) or fnmatchcase(literal_only, p) for p in patterns)


# Commands after which a key certainly has no TTL (or no longer exists).
_CLEARS_TTL = frozenset({"del", "unlink", "getdel", "persist"})
COUNTERS = frozenset({"incr", "incrby", "incrbyfloat", "decr", "decrby"})


def is_plain_set(cmd: Command) -> bool:
    """A ``set()`` that certainly overwrites the key without keeping or giving it a TTL."""
    if cmd.name != "set":
        return False
    options = set_options(cmd)
    return options.expiry is False and options.keepttl is False and options.nx is False


def ttl_before(cmd: Command) -> Command | None:
    """The nearest earlier command that gave ``cmd``'s key a TTL still in force, if any."""
    for other in reversed(list(cmd.scope.earlier(cmd))):
        if cmd.same_key(other) is not Relation.SAME:
            continue
        if other.name in _CLEARS_TTL or is_plain_set(other):
            return None
        if gives_ttl(other):
            return other
    return None


def needs(settings_version: tuple[int, ...] | None, version: str) -> bool:
    """Whether a feature of Redis ``version`` is available on the target server."""
    return settings_version is None or settings_version >= version_tuple(version)


class SetWithoutTtl(Rule):
    """
    ## What it does
    Flags `set()` calls that give the key no expiry (none of `ex`, `px`, `exat`,
    `pxat` or `keepttl`) when nothing later in the same function expires that key, and
    `mset()` calls (which cannot carry a TTL at all), when

    (a) the key holds short-lived data:

    - its name, the names it is built from, or the function or class writing it say so
      (`cache`, `session`, `token`, `otp`, `nonce`, `tmp`, `lock`, `rate`, `limit`,
      `throttle`, `idempotency`, `result`, `progress`, `pending`, `processing`, the
      `status` of a job...);
    - the write is a cache fill after a read of the same key;
    - the same key is written with a TTL elsewhere in the function (another branch) or,
      for keys with literal text, anywhere else in the linted tree;

    or (b) the key is one of a family that grows with traffic: its variable part is a
    per-event identifier (`uuid4()`, a time, the reply of an `incr`, a request, job,
    task, execution or message id: `f"job:{job_id}"`, `f"task:{id}"`) and nothing in the
    linted tree deletes, unlinks, expires or renames keys of that family (a
    `scan_iter(match="job:*")` loop that deletes what it finds counts).

    Fixed single keys (`config:flags`), per-entity families (`f"user:{user_id}"`, kept on
    purpose) and keys passed in by the caller show none of these signs and are not
    reported, nor are writes in a branch that tests the TTL value itself
    (`if ttl is None: r.set(k, v) else: r.setex(k, ttl, v)`).

    ## Why is this bad?
    A key written without a TTL lives until something deletes it. Cache entries,
    sessions, rate-limit windows and idempotency markers written this way accumulate
    until the server reaches `maxmemory`; then Redis either evicts keys you did not mean
    to lose or, under the default `noeviction` policy, rejects every write with an
    OOM error. A family written once per job or request and never deleted leaks one
    key per event, forever. Keys that are meant to live forever can be listed in
    `persistent-key-patterns`.

    ## Example
    ```python
    import redis

    r = redis.Redis()
    r.set(f"session:{sid}", payload)
    r.mset({"a": 1, "b": 2})
    ```

    ## Use instead
    ```python
    r.set(f"session:{sid}", payload, ex=3600)
    with r.pipeline() as pipe:
        pipe.set("a", 1, ex=60)
        pipe.set("b", 2, ex=60)
        pipe.execute()
    ```
    On Redis 8.4+, `msetex` sets several keys with one expiry.

    ## Fix safety
    No automatic fix: only you know how long the value should live.

    ## References
    - [SET](https://redis.io/docs/latest/commands/set/)
    - [Key expiration](https://redis.io/docs/latest/develop/use/keyspace/#key-expiration)
    - [Eviction policies](https://redis.io/docs/latest/develop/reference/eviction/)
    """

    code = "RL101"
    name = "set-without-ttl"
    severity = Severity.WARNING
    summary = "Key written without an expiry (set() with no ex/px/exat/pxat/keepttl, or mset())"
    tags = ("memory", "expiration")
    precision = "high"

    tree_commands = TTL_WRITERS | FAMILY_REMOVERS

    def check_command(self, cmd: Command, ctx: FileContext) -> None:
        if cmd.name == "set":
            if not is_plain_set(cmd):
                return  # a TTL, keepttl, NX (RL202) or options hidden in **kwargs
            message = (
                f"set() writes {key_text(cmd)} without a TTL, so it never expires; "
                "use set(key, value, ex=<seconds>)"
            )
        elif cmd.name == "mset":
            if needs(self.settings.target_redis_version, "8.4"):
                alternative = (
                    "use msetex() (Redis 8.4+) or a pipeline of set(key, value, ex=<seconds>)"
                )
            else:
                alternative = "use a pipeline of set(key, value, ex=<seconds>)"
            message = f"mset() cannot give its keys a TTL, so they never expire; {alternative}"
        else:
            return
        if self._deliberate(cmd):
            return
        # a name that says "short-lived" is a guess; the other arm of an ``if`` giving the
        # same key a TTL shows the author chose where one applies
        if ephemeral_reason(cmd, [k.shape for k in cmd.keys]) is not None and not (
            ttl_in_other_arm(cmd)
        ):
            ctx.report(self, cmd.node, message)
            return
        if cmd.name == "set" and cmd.keys:
            shape = cmd.keys[0].shape
            event = per_event(cmd, shape)
            if event is not None:
                # a family that grows with traffic, unless something in the tree ends
                # the life of its keys
                family = shape.display()
                each = "write" if event == "write" else event
                ctx.report(
                    self,
                    cmd.node,
                    f"{family!r} keys are written without a TTL and nothing in the tree "
                    f"deletes or expires them: one is left behind per {each}; use "
                    "set(key, value, ex=<seconds>), or delete them when done",
                    when=TreeCondition(
                        TreeQuery(FAMILY_REMOVERS, shape, named=True), expected=False
                    ),
                )
                return
        if cmd.keys and cmd.keys[0].shape.literal_text():
            # No sign of short-lived data here: report only if the same key is given a
            # TTL somewhere else in the tree (then this write is the inconsistent one).
            # Bare variables (`key`, `job_id`) are not compared across functions.
            elsewhere = TreeQuery(TTL_WRITERS, cmd.keys[0].shape, frozenset({"ttl"}), exact=True)
            ctx.report(self, cmd.node, message, when=TreeCondition(elsewhere, expected=True))

    def _deliberate(self, cmd: Command) -> bool:
        """The code shows this write is meant to have no expiry, or fixes it right after."""
        if is_persistent(cmd, self.settings.persistent_key_patterns):
            return True
        if conditional_ttl(cmd):
            return True  # `if ttl is None: r.set(k, v)`: "no TTL" is a supported choice
        if cmd.name == "mset":
            shapes: list[KeyShape | None] = [k.shape for k in cmd.keys]
            return any(
                other.name in EXPIRE_COMMANDS
                and any(_may_match(s, other) for s in shapes or [None])
                for other in cmd.scope.later(cmd)
            )
        if later_expiry(cmd) is not None:
            return True  # expired later (RL102 judges whether that is atomic)
        return ttl_before(cmd) is not None  # RL103: this plain set() drops an earlier TTL


def _may_match(shape: KeyShape | None, other: Command) -> bool:
    if shape is None or other.key is None:
        return True
    return compare(shape, other.key.shape) is not Relation.DIFFERENT


def _separate(first: Command, second: Command) -> bool | None:
    """Whether two commands reach the server as separate commands (not one MULTI/EXEC).

    None when it cannot be known (a pipeline whose ``transaction`` flag is unknown).
    """
    pipe = first.pipe
    if pipe is None or pipe is not second.pipe:
        return True
    if first.tx is TxMode.TRANSACTION and second.tx is TxMode.TRANSACTION:
        between = first.scope.commands[first.index + 1 : second.index]
        return any(c.pipe is pipe and c.method == "execute" for c in between)
    if pipe.transaction is None and TxMode.WATCHING not in (first.tx, second.tx):
        return None
    return True


def _expiry_value(expiry: Command, placeholder: str) -> str:
    """The expire call's time argument as written, when it is short enough to quote."""
    node = expiry.args.get("time") or expiry.args.get("when")
    if node is None or expiry.method == "execute_command":
        return placeholder
    written = code(node)
    return written if len(written) <= 30 else placeholder


class SetThenExpire(Rule):
    """
    ## What it does
    Flags a plain `set()` whose key is given its TTL by a separate `expire()`,
    `pexpire()`, `expireat()` or `pexpireat()` afterwards in the same function, when the
    two are not queued in one transaction (`MULTI`/`EXEC`).

    ## Why is this bad?
    `SET` removes any TTL and the key lives without one until the `EXPIRE` arrives. If
    the process crashes, is killed or loses its connection between the two commands, or
    the second command fails, the key never expires. Until then, other clients can see
    the key without a TTL. It also costs two round trips where one command does the job.

    A non-transactional pipeline (`pipeline(transaction=False)`, and cluster pipelines,
    which are non-transactional by default) sends both commands in one round trip but
    still as two separate commands: the server may run other clients' commands between
    them and nothing makes the pair atomic, so it is reported too. A pipeline whose
    transaction mode cannot be known (a parameter annotated `Pipeline`) is not reported.

    ## Example
    ```python
    r.set(f"session:{sid}", payload)
    r.expire(f"session:{sid}", 3600)
    ```

    ## Use instead
    ```python
    r.set(f"session:{sid}", payload, ex=3600)
    ```
    `ex=` / `px=` work on every Redis version; `expireat()` / `pexpireat()` become
    `exat=` / `pxat=`, which need Redis 6.2 (with an older `target-redis-version`, queue
    both commands in one transaction: `r.pipeline()` is transactional by default).

    ## Fix safety
    `set(K, v)` followed by `expire(K, n)` on the same client becomes
    `set(K, v, ex=n)` and the `expire()` line is removed (`pexpire` gives `px=`,
    `expireat` `exat=` and `pexpireat` `pxat=`, the last two only when
    `target-redis-version` is 6.2 or newer). `set(..., ex=n)` returns the same value as
    the plain `set()`. The fix is safe when the `expire()` is the statement right after
    the `set()`. It is unsafe when other statements run in between (the key now has its
    TTL while they run, and gets it even if they raise or return early); it is then
    offered only when the TTL expression is a literal or a name the function never
    assigns. In a pipeline the fix is safe only when the reply list of `execute()` is
    not used (it becomes one item shorter). An `expire()` with `nx`/`xx`/`gt`/`lt` is
    not merged.

    ## References
    - [SET](https://redis.io/docs/latest/commands/set/) (`EX`, `PX`, `EXAT`, `PXAT` options)
    - [EXPIRE](https://redis.io/docs/latest/commands/expire/)
    - [Transactions](https://redis.io/docs/latest/develop/interact/transactions/)
    """

    code = "RL102"
    name = "set-then-expire"
    severity = Severity.WARNING
    summary = "set() then expire() as two separate commands; set the TTL in the set() itself"
    tags = ("expiration", "atomicity")
    precision = "high"

    def check_command(self, cmd: Command, ctx: FileContext) -> None:
        if not is_plain_set(cmd):
            return
        expiry = later_expiry(cmd)
        if expiry is None or cmd.same_key(expiry) is not Relation.SAME:
            return
        if not _separate(cmd, expiry):
            return
        option, unit, version = SET_OPTION[expiry.name]
        if version is None or needs(self.settings.target_redis_version, version):
            value = _expiry_value(expiry, unit)
            better = f"use set(key, value, {option}={value})"
            if version is not None:
                better += f" (Redis {version}+)"
        else:
            better = (
                f"set(..., {option}=) needs Redis {version}; queue both in one transaction "
                "(pipeline(transaction=True))"
            )
        where = " in a non-transactional pipeline" if cmd.tx is TxMode.QUEUED else ""
        fix = None
        if version is None or needs(self.settings.target_redis_version, version):
            fix = merge_expiry(cmd, expiry, cmd.node, value_safe=True)
        ctx.report(
            self,
            cmd.node,
            f"{call_text(cmd)} of {key_text(cmd)} and {call_text(expiry)} on line "
            f"{ctx.line_of(expiry.node)} "
            f"are two separate commands{where}: if the second never runs, the key never "
            f"expires; {better}",
            fix=fix,
        )


class TtlResetBySet(Rule):
    """
    ## What it does
    Flags a plain `set()` of a key that was given a TTL earlier in the same function
    (by `set(..., ex=...)`, `setex()`, `expire()`...), and every `getset()`.

    ## Why is this bad?
    `SET` without `EX`/`PX`/`EXAT`/`PXAT`/`KEEPTTL` discards the key's time to live:
    the key written with an expiry a moment ago now lives forever. `GETSET` (deprecated
    since Redis 6.2) does the same and cannot keep the TTL at all. Code that refreshes a
    value ("update the cached profile") often does this by accident, and the cache then
    grows without bound.

    ## Example
    ```python
    r.set(f"profile:{uid}", data, ex=600)
    ...
    r.set(f"profile:{uid}", updated)       # the TTL is gone
    old = r.getset("counter:snapshot", 0)  # drops the TTL too
    ```

    ## Use instead
    ```python
    r.set(f"profile:{uid}", updated, keepttl=True)  # Redis 6.0+
    r.set(f"profile:{uid}", updated, ex=600)         # or give it a new TTL
    old = r.set("counter:snapshot", 0, get=True, keepttl=True)  # Redis 6.2+
    ```

    ## Fix safety
    The fix adds `keepttl=True` to the `set()` (only when `target-redis-version` allows
    Redis 6.0). It is unsafe: whether the key should keep its remaining TTL or get a new
    one (`ex=`) is a decision about the data. `getset()` has no fix.

    ## References
    - [SET](https://redis.io/docs/latest/commands/set/) ("Any previous time to live associated with the key is discarded on successful SET operation"; `KEEPTTL`, `GET`)
    - [GETSET](https://redis.io/docs/latest/commands/getset/) (deprecated)
    """

    code = "RL103"
    name = "ttl-reset-by-set"
    severity = Severity.WARNING
    summary = "Plain set() or getset() removes the TTL the key was given"
    tags = ("expiration",)
    precision = "high"

    def check_command(self, cmd: Command, ctx: FileContext) -> None:
        version = self.settings.target_redis_version
        if cmd.name == "getset":
            if needs(version, "6.2"):
                better = "use set(key, value, get=True, keepttl=True) (Redis 6.2+)"
            elif needs(version, "6.0"):
                better = (
                    "use get() and set(key, value, keepttl=True) in one transaction "
                    "(KEEPTTL needs Redis 6.0, SET GET 6.2)"
                )
            else:
                better = "use get() and set(key, value, ex=<seconds>) in one transaction"
            ctx.report(
                self,
                cmd.node,
                f"getset() on {key_text(cmd)} drops any TTL the key has and is deprecated; {better}",
            )
            return
        if not is_plain_set(cmd) or later_expiry(cmd) is not None:
            return  # a later expire: RL102 judges the pair
        given = ttl_before(cmd)
        if given is None:
            return
        keep = (
            "pass keepttl=True (Redis 6.0+) to keep it, or ex=<seconds> for a new one"
            if needs(version, "6.0")
            else "pass ex=<seconds> to give it a TTL again (keepttl needs Redis 6.0)"
        )
        fix = None
        if needs(version, "6.0") and cmd.method == "set" and plain_args(cmd):
            new_call = with_argument(cmd.node, "keepttl", cst.Name("True"), cmd.args.get("keepttl"))
            fix = FixPlan("Keep the TTL with keepttl=True", False, (Replace(cmd.node, new_call),))
        ctx.report(
            self,
            cmd.node,
            f"{call_text(cmd)} removes the TTL that {call_text(given)} on line "
            f"{ctx.line_of(given.node)} "
            f"gave {key_text(cmd)}, so the key never expires; {keep}",
            fix=fix,
        )


_TREE_EXPIRY = frozenset({*EXPIRE_COMMANDS, "setex", "psetex", "getex"})


class CounterWithoutExpire(Rule):
    """
    ## What it does
    Flags `incr()`, `incrby()`, `incrbyfloat()`, `decr()` and `decrby()` on a key that
    names a window of time (built from `time.time()`, `datetime.now()`, a date format
    or `// 60`, or whose text says rate, limit, throttle, window, minute, hour or day)
    when nothing gives that key a TTL: no `expire()` (or `set(..., ex=...)`) of it (or of
    a key that may be the same) in the same function, and no expire of the same key
    template (`expire(f"rate:{user}:{window}", ...)`) anywhere in the linted code.

    ## Why is this bad?
    A fixed-window rate limiter or per-period statistic creates one key per window
    (`rate:{user}:{minute}`). Without an expiry every window's counter stays in memory
    forever: millions of dead keys, and eventually `maxmemory` evictions or OOM errors.
    Plain persistent counters (`page:views`) are not flagged.

    ## Example
    ```python
    key = f"rate:{user}:{int(time.time() // 60)}"
    if r.incr(key) > 100:
        raise TooManyRequests()
    ```

    ## Use instead
    ```python
    key = f"rate:{user}:{int(time.time() // 60)}"
    pipe = r.pipeline()
    pipe.incr(key)
    pipe.expire(key, 60)
    count, _ = pipe.execute()
    ```
    On Redis 7.0+ `expire(key, 60, nx=True)` sets the TTL only on the window's first hit.

    ## Fix safety
    No automatic fix: the TTL must be at least the window's length.

    ## References
    - [INCR](https://redis.io/docs/latest/commands/incr/) (pattern: rate limiter)
    - [EXPIRE](https://redis.io/docs/latest/commands/expire/) (`NX` option, Redis 7.0)
    """

    code = "RL104"
    name = "counter-without-expire"
    severity = Severity.WARNING
    summary = "Counter per time window (rate limiter) that is never given a TTL"
    tags = ("expiration", "memory")
    precision = "high"
    tree_commands = _TREE_EXPIRY

    def check_command(self, cmd: Command, ctx: FileContext) -> None:
        key = cmd.key
        if cmd.name not in COUNTERS or key is None:
            return
        if is_persistent(cmd, self.settings.persistent_key_patterns):
            return
        reason = time_window(key.node, key.shape, lambda name: ctx.binding(cmd, name))
        if reason is None:
            return
        scope = cmd.scope
        for other in (*scope.earlier(cmd), *scope.later(cmd)):
            if gives_ttl(other) and cmd.same_key(other) is not Relation.DIFFERENT:
                return
        nx = (
            "; on Redis 7.0+ expire(key, <seconds>, nx=True) sets it once per window"
            if needs(self.settings.target_redis_version, "7.0")
            else ""
        )
        ctx.report(
            self,
            cmd.node,
            f"{call_text(cmd)} counts per time window on {key_text(cmd)} ({reason}) but nothing "
            "gives the key a TTL, so every window's counter stays forever; call "
            f"expire(key, <window seconds>) in the same pipeline{nx}",
            when=TreeCondition(TreeQuery(_TREE_EXPIRY, key.shape, exact=True), expected=False),
        )
