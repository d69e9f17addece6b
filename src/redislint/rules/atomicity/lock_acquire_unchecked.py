"""RL206 lock-acquire-unchecked: Result of a non-blocking or time-limited lock.acquire() is ignored."""

from __future__ import annotations

from typing import TYPE_CHECKING

from redislint.clients.types import Kind
from redislint.commands import client_method_params
from redislint.diagnostics import Severity
from redislint.rules.base import Rule
from redislint.semantic.arguments import literal
from redislint.semantic.binding import bind_args
from redislint.semantic.context import FileContext
from redislint.semantic.model import BoundArgs, Command

if TYPE_CHECKING:
    import libcst as cst
else:
    from redislint._lazy import cst


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
