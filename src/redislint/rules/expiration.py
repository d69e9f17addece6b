"""Expiration rules (RL1xx): keys that never expire, TTLs lost or set non-atomically."""

from __future__ import annotations

from fnmatch import fnmatchcase

from redislint.diagnostics import Severity
from redislint.engine.arguments import set_options
from redislint.engine.context import FileContext
from redislint.engine.lifetime import EXPIRE_COMMANDS, conditional_ttl, ephemeral_reason, gives_ttl
from redislint.engine.model import Command
from redislint.engine.treefacts import TreeCondition, TreeQuery
from redislint.keys.shape import KeyShape, Relation, compare
from redislint.rules.base import Rule, version_tuple


def key_text(cmd: Command) -> str:
    """The key as shown in messages: ``'user:{uid}'``, or ``a key`` when unknown."""
    key = cmd.key
    if key is None:
        return "a key"
    parts = key.shape.parts
    if len(parts) == 1 and not isinstance(parts[0], str):
        return f"the key in {parts[0].text.split('#')[0]}"
    return repr(key.shape.display())


TTL_WRITERS = frozenset({"set", "setex", "psetex", "getex", *EXPIRE_COMMANDS})


def _relation(shape: KeyShape | None, other: Command) -> Relation:
    if shape is None or other.key is None:
        return Relation.MAYBE
    return compare(shape, other.key.shape)


def is_persistent(cmd: Command, patterns: tuple[str, ...]) -> bool:
    """Whether the key matches one of the configured ``persistent-key-patterns``."""
    key = cmd.key
    if key is None or not patterns:
        return False
    shown = key.shape.display()
    literal_only = key.shape.literal_text()
    return any(fnmatchcase(shown, p) or fnmatchcase(literal_only, p) for p in patterns)


class SetWithoutTtl(Rule):
    """
    ## What it does
    Flags `set()` calls that give the key no expiry (none of `ex`, `px`, `exat`,
    `pxat` or `keepttl`) when nothing later in the same function expires that key, and
    every `mset()` (which cannot carry a TTL at all).

    ## Why is this bad?
    A key written without a TTL lives until something deletes it. Cache entries,
    sessions, rate-limit windows and idempotency markers written this way accumulate
    until the server reaches `maxmemory`; then Redis either evicts keys you did not mean
    to lose or, under the default `noeviction` policy, rejects every write with an
    OOM error. Keys that are meant to live forever can be listed in
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
    tree_commands = TTL_WRITERS

    def check_command(self, cmd: Command, ctx: FileContext) -> None:
        if cmd.name == "set":
            options = set_options(cmd)
            if options.expiry is not False or options.keepttl is not False:
                return
            if options.nx is not False:
                return  # RL202 reports SET NX without expiry
            message = (
                f"set() writes {key_text(cmd)} without a TTL, so it never expires; "
                "use set(key, value, ex=<seconds>)"
            )
        elif cmd.name == "mset":
            version = self.settings.target_redis_version
            if version is None or version >= version_tuple("8.4"):
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
        if ephemeral_reason(cmd, [k.shape for k in cmd.keys]) is not None:
            ctx.report(self, cmd.node, message)
        elif cmd.keys and cmd.keys[0].shape.literal_text():
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
        shapes: list[KeyShape | None] = [k.shape for k in cmd.keys] or [None]
        for other in cmd.scope.later(cmd):
            if other.name in EXPIRE_COMMANDS and any(
                _relation(shape, other) is not Relation.DIFFERENT for shape in shapes
            ):
                return True  # expired later (RL102 judges whether that is atomic)
        return any(
            gives_ttl(other) and cmd.same_key(other) is Relation.SAME
            for other in cmd.scope.earlier(cmd)
        )  # RL103: this plain set() drops the TTL given earlier
