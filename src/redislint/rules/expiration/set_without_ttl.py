"""RL101 set-without-ttl: Key written without an expiry (set() with no ex/px/exat/pxat/keepttl, or mset())."""

from __future__ import annotations

from redislint.diagnostics import Severity
from redislint.keys.shape import KeyShape, Relation, compare
from redislint.rules.base import Rule
from redislint.rules.expiration.common import is_persistent, is_plain_set, needs, ttl_before
from redislint.rules.shared import key_text, later_expiry
from redislint.semantic.context import FileContext
from redislint.semantic.lifetime import (
    EXPIRE_COMMANDS,
    conditional_ttl,
    ephemeral_reason,
    per_event,
    ttl_in_other_arm,
)
from redislint.semantic.model import Command
from redislint.semantic.treefacts import SCAN_DELETE, TreeCondition, TreeQuery

TTL_WRITERS = frozenset({"set", "setex", "psetex", "getex", *EXPIRE_COMMANDS})
# What ends the life of a key of a family: deleting, expiring, renaming it, or a scan for
# its pattern that deletes what it finds.
FAMILY_REMOVERS = frozenset(
    {"del", "unlink", "getdel", "rename", "renamenx", "move", *EXPIRE_COMMANDS, SCAN_DELETE}
)


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
