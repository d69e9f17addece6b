"""RL504 busy-poll: Non-blocking read polled in a loop that never waits (CPU and command storm)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from redislint.clients.types import Kind
from redislint.diagnostics import Severity
from redislint.keys.shape import Relation
from redislint.rules.base import Rule, supports
from redislint.semantic.arguments import literal
from redislint.semantic.context import FileContext
from redislint.semantic.loops import exit_kinds, result_refs
from redislint.semantic.model import Command

if TYPE_CHECKING:
    import libcst as cst
else:
    from redislint._lazy import cst


# Non-blocking reads a polling loop may spin on, and how to make each one wait.
POLLS = {
    "rpop": "brpop(key, timeout=...)",
    "lpop": "blpop(key, timeout=...)",
    "xread": "block=<milliseconds>",
    "xreadgroup": "block=<milliseconds>",
    "get_message": "timeout=<seconds> (or iterate pubsub.listen())",
}


def _non_blocking(cmd: Command) -> bool:
    if cmd.args.unpacked:
        return False
    if cmd.method in ("rpop", "lpop"):
        return True
    if cmd.method in ("xread", "xreadgroup"):
        block = cmd.args.get("block")
        return block is None or literal(block) is None
    if cmd.method == "get_message" and cmd.receiver.kind is Kind.PUBSUB:
        timeout = cmd.args.get("timeout")
        if timeout is None:
            return True
        value = literal(timeout)
        return isinstance(value, int | float) and not isinstance(value, bool) and value == 0
    return False


def _waits(cmd: Command) -> bool:
    """A command that itself waits for data (a blocking pop, a read with block=...)."""
    if cmd.info is not None and cmd.info.is_blocking and cmd.method not in POLLS:
        return True
    if cmd.method in ("xread", "xreadgroup", "get_message"):
        return not _non_blocking(cmd)
    return cmd.method in ("listen", "next_command")


class BusyPoll(Rule):
    """
    ## What it does
    Flags a non-blocking read in a `while` loop that never waits: `rpop()`/`lpop()`,
    `xread()`/`xreadgroup()` without `block=`, `pubsub.get_message()` without a
    timeout, in a loop with no sleep (`time.sleep`, `await asyncio.sleep(n)` with n > 0,
    `event.wait(t)`...) and no blocking command, that keeps looping when the read
    returns nothing. Draining loops that `break`/`return` when the read comes back
    empty are not flagged.

    ## Why is this bad?
    When there is nothing to read, each iteration returns at once and the loop starts
    the next one: the worker burns a CPU core and sends Redis thousands of useless
    commands per second (per worker), which shows up as load and latency for every
    other client. `sleep(0)` only yields to other tasks; the loop still spins.

    ## Example
    ```python
    while True:
        job = r.rpop("jobs")
        if job:
            handle(job)
    ```

    ## Use instead
    ```python
    while True:
        item = r.brpop("jobs", timeout=5)  # waits on the server, no CPU burned
        if item:
            handle(item[1])
    ```
    For streams pass `block=<milliseconds>` to `xread()`/`xreadgroup()`; for Pub/Sub
    call `get_message(timeout=...)` or iterate `pubsub.listen()`.

    ## Fix safety
    No automatic fix: a blocking call changes how the loop notices shutdown.

    ## References
    - [BRPOP](https://redis.io/docs/latest/commands/brpop/), [BLMOVE](https://redis.io/docs/latest/commands/blmove/)
    - [XREAD BLOCK](https://redis.io/docs/latest/commands/xread/)
    - [redis-py Pub/Sub: get_message(timeout)](https://redis-py.readthedocs.io/en/stable/advanced_features.html#publish-subscribe)
    """

    code = "RL504"
    name = "busy-poll"
    severity = Severity.WARNING
    summary = "Non-blocking read polled in a loop that never waits (CPU and command storm)"
    tags = ("performance", "messaging")
    precision = "high"

    def check_command(self, cmd: Command, ctx: FileContext) -> None:
        if cmd.method not in POLLS or not _non_blocking(cmd):
            return
        loop = next((node for node in reversed(cmd.loops) if isinstance(node, cst.While)), None)
        if loop is None:
            return
        facts = ctx.loop_facts(loop)
        if facts.waits or self._blocking_in(loop, cmd):
            return
        calls = {id(cmd.node)}
        for call in facts.test_calls:
            other = ctx.command_for(call)
            if other is not None and other.keys and cmd.same_key(other) is not Relation.DIFFERENT:
                calls.add(id(call))  # while r.llen(key): ...
        kinds = exit_kinds(facts, result_refs(cmd), frozenset(calls))
        if kinds & {"empty", "unknown", "always"}:
            return  # a draining loop, or one that does not repeat
        ctx.report(
            self,
            cmd.node,
            f"{cmd.method}() polls in a while loop that never waits: when there is nothing "
            "to read the loop spins, burning CPU and flooding Redis with commands; "
            f"{self._instead(cmd)}",
        )

    def _blocking_in(self, loop: cst.CSTNode, cmd: Command) -> bool:
        return any(loop in other.loops and _waits(other) for other in cmd.scope.commands)

    def _instead(self, cmd: Command) -> str:
        if cmd.method in ("rpop", "lpop"):
            blocking = POLLS[cmd.method]
            if supports(self.settings.target_redis_version, "6.2"):
                blocking += " or blmove() (Redis 6.2+)"
            return f"use the blocking {blocking}, or sleep when it returns nothing"
        if cmd.method == "get_message":
            return f"pass {POLLS[cmd.method]}, or sleep when it returns nothing"
        return f"pass {POLLS[cmd.method]} so the server waits for new entries"
