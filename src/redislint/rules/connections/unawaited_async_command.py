"""RL805 unawaited-async-command: Command on an asyncio client that is never awaited (it is never sent)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from redislint.clients.knowledge import PUBSUB_SUBSCRIPTIONS
from redislint.clients.types import Kind
from redislint.diagnostics import Severity
from redislint.keys.shape import code
from redislint.rules.base import Rule
from redislint.semantic.context import FileContext
from redislint.semantic.edits import FixPlan, Replace
from redislint.semantic.model import Command
from redislint.semantic.rewrite import awaited

if TYPE_CHECKING:
    import libcst as cst
else:
    from redislint._lazy import cst


_ASYNC_METHODS = {
    Kind.PIPELINE: frozenset({"execute", "watch", "reset"}),
    Kind.PUBSUB: PUBSUB_SUBSCRIPTIONS
    | frozenset(
        {
            "get_message",
            "get_sharded_message",
            "ping",
            "reset",
            "aclose",
            "close",
            "execute_command",
            "parse_response",
            "check_health",
        }
    ),
    Kind.LOCK: frozenset({"acquire", "release", "extend", "reacquire", "locked", "owned"}),
    Kind.SCRIPT: frozenset({"__call__"}),
}
_CLIENT_COROUTINES = frozenset({"execute_command", "transaction", "aclose", "close"})


def _is_coroutine_call(cmd: Command) -> bool:
    receiver = cmd.receiver
    if receiver.is_async is not True or receiver.by_name:
        return False
    if receiver.kind is Kind.CLIENT:
        if cmd.method.endswith("_iter"):
            return False  # async generators, used with ``async for``
        return cmd.method_info is not None or cmd.method in _CLIENT_COROUTINES
    return cmd.method in _ASYNC_METHODS.get(receiver.kind, frozenset())


def await_fix(cmd: Command) -> FixPlan | None:
    """``await`` in front of the call, where the code around it allows one."""
    scope = cmd.scope
    if scope.kind != "function" or not scope.is_async:
        return None
    if any(isinstance(loop, cst.GeneratorExp) for loop in cmd.loops):
        return None  # an await would make it an asynchronous generator
    new = awaited(cmd.node, cmd.parent)
    return FixPlan("Await the command", True, (Replace(cmd.node, new),))


class UnawaitedAsyncCommand(Rule):
    """
    ## What it does
    Flags a command on a `redis.asyncio` (or valkey-py asyncio) client whose coroutine
    is never awaited: the call is a statement of its own, a condition (`if
    r.exists(k):`), iterated, chained (`r.get(k).decode()`), or assigned to a name that
    is never used. Also `execute()`/`watch()` on an asyncio pipeline and the coroutine
    methods of asyncio Pub/Sub, locks and scripts. Commands queued on a pipeline
    (which return the pipeline) are not flagged, nor results that are awaited,
    returned, gathered or passed to another function.

    ## Why is this bad?
    Calling an async method only creates a coroutine; nothing is sent until it is
    awaited. The command silently never runs (Python warns "coroutine was never
    awaited" only when it is garbage-collected), and a coroutine used as a value is
    always true.

    ## Example
    ```python
    async def remember(r, key, value):
        r.set(key, value, ex=60)
        if r.exists(key):
            ...
    ```

    ## Use instead
    ```python
    async def remember(r, key, value):
        await r.set(key, value, ex=60)
        if await r.exists(key):
            ...
    ```

    ## Fix safety
    The fix adds `await` in front of the call, in parentheses where the reply is used
    further (`(await r.get(k)).decode()`). It is safe: the command was meant to run,
    and inside `async def` awaiting it is what the code says. There is no fix outside an
    `async def` body (in a lambda, a nested plain function or a generator expression
    `await` is not allowed or would change what the expression is).

    ## References
    - [redis-py asyncio](https://redis.readthedocs.io/en/stable/examples/asyncio_examples.html)
    - [Coroutines and tasks](https://docs.python.org/3/library/asyncio-task.html#coroutines)
    """

    code = "RL805"
    name = "unawaited-async-command"
    severity = Severity.ERROR
    summary = "Command on an asyncio client that is never awaited (it is never sent)"
    tags = ("correctness", "async")
    precision = "very-high"

    def check_command(self, cmd: Command, ctx: FileContext) -> None:
        if cmd.awaited or not _is_coroutine_call(cmd):
            return
        fate = cmd.fate
        if fate == "local":
            scope = cmd.scope
            if not cmd.result_names or any(
                scope.loads.get(name_version) for name_version in cmd.result_names
            ):
                return
            why = "is assigned but never awaited"
        elif fate == "discarded":
            why = "is never awaited"
        elif fate == "condition":
            why = "is tested without await: a coroutine is always true"
        elif fate in ("iterated", "receiver"):
            why = "is used without await: its value is a coroutine, not the reply"
        else:
            return
        receiver = code(cmd.receiver_node)
        if cmd.method == "__call__":
            what, call = "calling an asyncio script", f"await {receiver}(...)"
        else:
            kind = "client" if cmd.receiver.kind is Kind.CLIENT else cmd.receiver.kind.value
            what = f"{cmd.method}() on an asyncio {kind}"
            call = f"await {receiver}.{cmd.method}(...)"
        ctx.report(
            self,
            cmd.node,
            f"{what} returns a coroutine that {why}, so the command is never sent; write {call}",
            fix=await_fix(cmd),
        )
