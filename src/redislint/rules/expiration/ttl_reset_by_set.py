"""RL103 ttl-reset-by-set: Plain set() or getset() removes the TTL the key was given."""

from __future__ import annotations

from typing import TYPE_CHECKING

from redislint.diagnostics import Severity
from redislint.rules.base import Rule
from redislint.rules.expiration.common import is_plain_set, needs, ttl_before
from redislint.rules.shared import call_text, key_text, later_expiry
from redislint.semantic.context import FileContext
from redislint.semantic.edits import FixPlan, Replace
from redislint.semantic.model import Command
from redislint.semantic.rewrite import plain_args, with_argument

if TYPE_CHECKING:
    import libcst as cst
else:
    from redislint._lazy import cst


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
