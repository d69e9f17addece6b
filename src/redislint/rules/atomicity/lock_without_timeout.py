"""RL204 lock-without-timeout: redis-py lock without timeout= never expires if its holder dies."""

from __future__ import annotations

from typing import TYPE_CHECKING

from redislint.clients.types import Kind
from redislint.commands import client_method_params
from redislint.diagnostics import Severity
from redislint.rules.base import Rule
from redislint.semantic.arguments import is_literal, literal
from redislint.semantic.binding import bind_args
from redislint.semantic.context import FileContext
from redislint.semantic.model import BoundArgs, Command, Construction

if TYPE_CHECKING:
    import libcst as cst
else:
    from redislint._lazy import cst


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
