"""RL202 setnx-without-expiry: SETNX / SET NX / MSETNX without an expiry in the same command."""

from __future__ import annotations

from typing import TYPE_CHECKING

from redislint.diagnostics import Severity
from redislint.keys.shape import Relation
from redislint.rules.base import Rule, supports, version_tuple
from redislint.rules.shared import SET_OPTION, key_text, later_expiry, merge_expiry
from redislint.semantic.arguments import set_options
from redislint.semantic.context import FileContext
from redislint.semantic.edits import FixPlan
from redislint.semantic.model import Command
from redislint.semantic.rewrite import only_tested, with_argument, with_method

if TYPE_CHECKING:
    import libcst as cst
else:
    from redislint._lazy import cst


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
