"""RL803 pipeline-not-executed: Pipeline with queued commands that is never executed (nothing is sent)."""

from __future__ import annotations

from redislint.diagnostics import Severity
from redislint.rules.base import Rule
from redislint.semantic.context import FileContext
from redislint.semantic.model import Command, Pipe, Scope, TxMode

_NOT_QUEUED = frozenset({"execute", "reset", "discard", "watch", "unwatch", "multi"})
_PIPE_ESCAPES = frozenset({"returned", "argument", "stored", "local", "closure", "method"})


class PipelineNotExecuted(Rule):
    """
    ## What it does
    Flags a pipeline made in a function (`p = r.pipeline()`, `with r.pipeline() as p`,
    or `r.pipeline().set(...)` chained) that has commands queued but is never
    `execute()`d there, and is neither returned, passed to another function, nor kept in
    an attribute. The finding is at the `pipeline()` call and lists the queued
    commands.

    A `with` block does not execute the pipeline: redis-py's `Pipeline.__exit__` only
    resets it, discarding the queued commands. (The spec exempts context managers; the
    library's behaviour says otherwise, so they are checked too.)

    ## Why is this bad?
    A pipeline buffers commands on the client until `execute()`. Without it nothing is
    sent: the writes silently never happen, and no error is raised.

    ## Example
    ```python
    pipe = r.pipeline()
    pipe.incr("hits")
    pipe.expire("hits", 60)
    ```

    ## Use instead
    ```python
    pipe = r.pipeline()
    pipe.incr("hits")
    pipe.expire("hits", 60)
    pipe.execute()
    ```

    ## Fix safety
    No automatic fix.

    ## References
    - [redis-py pipelines](https://redis.readthedocs.io/en/stable/advanced_features.html#pipelines)
    """

    code = "RL803"
    name = "pipeline-not-executed"
    severity = Severity.ERROR
    summary = "Pipeline with queued commands that is never executed (nothing is sent)"
    tags = ("correctness",)
    precision = "high"

    def check_scope(self, scope: Scope, ctx: FileContext) -> None:
        queued: dict[int, tuple[Pipe, list[Command]]] = {}
        for cmd in scope.commands:
            pipe = cmd.pipe
            if pipe is None or pipe.created is None or cmd.method in _NOT_QUEUED:
                continue
            if cmd.tx not in (TxMode.QUEUED, TxMode.TRANSACTION):
                continue
            queued.setdefault(id(pipe), (pipe, []))[1].append(cmd)
        for pipe, commands in queued.values():
            if pipe.executed or pipe.callback or any(u in _PIPE_ESCAPES for u in pipe.uses):
                continue
            chain_end = [c for c in scope.commands if c.pipe is pipe][-1]
            if pipe.ident.startswith("<call") and chain_end.usage != "discarded":
                continue  # a chain whose result goes somewhere
            created = pipe.created
            assert created is not None
            listed = ", ".join(f"{c.method}()" for c in commands[:4]) + (
                ", ..." if len(commands) > 4 else ""
            )
            context = (
                " (leaving the with block does not send them: Pipeline.__exit__ only resets)"
                if created.fate == "context"
                else ""
            )
            call = (
                "end the chain with .execute()"
                if pipe.ident.startswith("<")
                else f"call {pipe.ident}.execute()"
            )
            ctx.report(
                self,
                created.node,
                f"pipeline queues {listed} but is never executed{context}: the commands are "
                f"never sent; {call}",
            )
