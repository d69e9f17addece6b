"""RL205 watch-without-retry: WATCH transaction whose WatchError is neither retried nor handled."""

from __future__ import annotations

from typing import TYPE_CHECKING

from redislint.clients.knowledge import is_redis_library
from redislint.clients.names import words
from redislint.clients.types import UNKNOWN, Kind, Ref
from redislint.diagnostics import Severity
from redislint.keys.shape import code
from redislint.rules.base import Rule
from redislint.semantic.context import FileContext
from redislint.semantic.model import Command, Scope

if TYPE_CHECKING:
    import libcst as cst
else:
    from redislint._lazy import cst


# What catches redis.exceptions.WatchError: it and its bases.
_WATCH_ERROR_BASES = frozenset({"WatchError", "RedisError", "ValkeyError"})
_BUILTIN_BASES = frozenset({"builtins.Exception", "builtins.BaseException"})
_RETRY_DECORATOR_WORDS = frozenset({"retry", "retrying", "backoff", "tenacity", "retries"})


def catches_watch_error(handler: cst.BaseExpression | None, scope: Scope, ctx: FileContext) -> bool:
    """Whether an ``except`` clause of this type catches ``redis.WatchError``."""
    if handler is None:
        return True  # bare except:
    if isinstance(handler, cst.Tuple):
        return any(catches_watch_error(e.value, scope, ctx) for e in handler.elements)
    value = ctx.resolve(handler, scope)
    if isinstance(value, Ref):
        if value.qualname in _BUILTIN_BASES:
            return True
        last = value.qualname.rsplit(".", 1)[-1]
        return is_redis_library(value.qualname) and last in _WATCH_ERROR_BASES
    if value is UNKNOWN:  # not resolvable: trust the name
        return code(handler).rsplit(".", 1)[-1] in {*_WATCH_ERROR_BASES, "Exception"}
    return False


def _handled(execute: Command, ctx: FileContext) -> bool:
    scope = execute.scope
    if any(set(words(d)) & _RETRY_DECORATOR_WORDS for d in scope.decorators):
        return True  # @retry(...), @backoff.on_exception(...)
    if any(d.endswith("contextmanager") for d in scope.decorators):
        return True  # the caller's `with` block decides what a conflict means
    for context in execute.trys:
        if context.part != "body":
            continue
        for handler in context.node.handlers:
            if catches_watch_error(handler.type, scope, ctx):
                return True
    return False


class WatchWithoutRetry(Rule):
    """
    ## What it does
    Flags `pipe.watch(...)` when the transaction's `execute()` in the same function is
    not inside a `try` whose `except` catches `WatchError` (or `RedisError`,
    `Exception`, a bare `except:`), and the function is not wrapped in a retry
    decorator (`@retry`, `@backoff.on_exception`). A `@contextmanager` that watches,
    yields the pipeline and executes it leaves the conflict to the caller's `with`
    block and is not reported.

    A loop alone does not retry: `execute()` raises `WatchError`, which leaves the loop.
    The usual retry loop is `while True: try: ... except WatchError: continue`.
    `client.transaction(func, *keys)` retries by itself and is never reported.

    ## Why is this bad?
    `WATCH` is optimistic locking: when another client changes a watched key before
    `EXEC`, Redis discards the transaction and redis-py raises `WatchError`. That is the
    expected outcome under contention, not a rare error. Unhandled, it escapes as an
    exception and the update is lost, typically only under load.

    ## Example
    ```python
    with r.pipeline() as pipe:
        pipe.watch(key)
        balance = int(pipe.get(key))
        pipe.multi()
        pipe.set(key, balance - amount)
        pipe.execute()
    ```

    ## Use instead
    ```python
    def withdraw(pipe):
        balance = int(pipe.get(key))
        pipe.multi()
        pipe.set(key, balance - amount)

    r.transaction(withdraw, key)
    ```
    or retry by hand:
    ```python
    with r.pipeline() as pipe:
        while True:
            try:
                pipe.watch(key)
                balance = int(pipe.get(key))
                pipe.multi()
                pipe.set(key, balance - amount)
                pipe.execute()
                break
            except redis.WatchError:
                continue
    ```

    ## Fix safety
    No automatic fix: whether to retry, give up or report the conflict is the
    application's choice.

    ## References
    - [Transactions: optimistic locking using check-and-set](https://redis.io/docs/latest/develop/interact/transactions/#optimistic-locking-using-check-and-set)
    - [redis-py pipelines and transactions](https://redis-py.readthedocs.io/en/stable/advanced_features.html)
    """

    code = "RL205"
    name = "watch-without-retry"
    severity = Severity.WARNING
    summary = "WATCH transaction whose WatchError is neither retried nor handled"
    tags = ("correctness", "concurrency")
    precision = "high"

    def check_scope(self, scope: Scope, ctx: FileContext) -> None:
        if scope.callback_param is not None:
            return  # client.transaction() watches and retries
        open_watch: dict[int, Command] = {}  # pipe -> the watch that starts its transaction
        for cmd in scope.commands:
            pipe = cmd.pipe
            if pipe is None or cmd.receiver.kind is not Kind.PIPELINE:
                continue
            if cmd.method == "watch":
                open_watch.setdefault(id(pipe), cmd)
            elif cmd.method in ("execute", "reset", "unwatch", "discard"):
                watch = open_watch.pop(id(pipe), None)
                if watch is not None and cmd.method == "execute" and not _handled(cmd, ctx):
                    self._report(watch, cmd, ctx)

    def _report(self, watch: Command, execute: Command, ctx: FileContext) -> None:
        ctx.report(
            self,
            watch.node,
            f"{watch.receiver_text}.watch() starts an optimistic transaction, but the "
            f"WatchError that execute() on line {ctx.line_of(execute.node)} raises when a "
            "watched key changes is neither retried nor handled, so the update is lost; "
            "use client.transaction(func, *keys), which retries, or retry in a loop "
            "(while True: try: ... break / except WatchError: continue)",
        )
