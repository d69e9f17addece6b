"""RL104 counter-without-expire: Counter per time window (rate limiter) that is never given a TTL."""

from __future__ import annotations

from redislint.diagnostics import Severity
from redislint.keys.meaning import time_window
from redislint.keys.shape import Relation
from redislint.rules.base import Rule
from redislint.rules.expiration.common import is_persistent, needs
from redislint.rules.shared import call_text, key_text
from redislint.semantic.context import FileContext
from redislint.semantic.lifetime import EXPIRE_COMMANDS, gives_ttl
from redislint.semantic.model import Command
from redislint.semantic.treefacts import TreeCondition, TreeQuery

COUNTERS = frozenset({"incr", "incrby", "incrbyfloat", "decr", "decrby"})


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
