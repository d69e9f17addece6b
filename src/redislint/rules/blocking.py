"""Blocking and O(N) command rules (RL3xx)."""

from __future__ import annotations

from redislint.diagnostics import Severity
from redislint.engine.arguments import text
from redislint.engine.context import FileContext
from redislint.engine.model import Command
from redislint.engine.scripts import script_source
from redislint.lua import LuaSyntaxError, redis_calls
from redislint.rules.base import Rule


class KeysCommand(Rule):
    """
    ## What it does
    Flags the `KEYS` command: `keys()` on a client or pipeline,
    `execute_command("KEYS", ...)`, and `redis.call("KEYS", ...)` /
    `redis.pcall("KEYS", ...)` inside Lua scripts passed to `eval()`,
    `register_script()` or `script_load()`.

    ## Why is this bad?
    `KEYS` walks the whole keyspace in a single command. Redis executes commands one at
    a time, so while it runs (seconds on a large database) every other client waits:
    requests time out, replicas fall behind, health checks fail. It is O(N) in the
    number of keys whatever the pattern, because the pattern is only a filter.

    ## Example
    ```python
    for key in r.keys("session:*"):
        r.delete(key)
    ```

    ## Use instead
    ```python
    for key in r.scan_iter(match="session:*", count=1000):
        r.delete(key)
    ```
    `SCAN` returns the keys in small batches between which other clients are served.

    ## Fix safety
    `for k in c.keys(p):` becomes `for k in c.scan_iter(p):` (safe: the loop only
    iterates). Other uses become `list(c.scan_iter(p))`, which is unsafe: unlike
    `KEYS`, a scan is not a point-in-time snapshot (keys changed during the scan may be
    missed or returned twice).

    ## References
    - [KEYS](https://redis.io/docs/latest/commands/keys/) ("consider KEYS as a command that should only be used in production environments with extreme care")
    - [SCAN](https://redis.io/docs/latest/commands/scan/)
    """

    code = "RL301"
    name = "keys-command"
    severity = Severity.ERROR
    summary = "KEYS blocks the server while it scans the whole keyspace; use SCAN"
    tags = ("performance", "blocking")
    precision = "very-high"

    def check_command(self, cmd: Command, ctx: FileContext) -> None:
        if cmd.name != "keys":
            return
        if cmd.method == "execute_command":
            pattern = text(cmd.args.varargs[1]) if len(cmd.args.varargs) > 1 else None
        else:
            node = cmd.args.get("pattern")
            pattern = "*" if node is None and not cmd.args.unpacked else text(node)
        ctx.report(self, cmd.node, _message(pattern, "keys()", "scan_iter(match=...)"))

    def check_file(self, ctx: FileContext) -> None:
        for cmd in ctx.commands:
            source = script_source(cmd, ctx)
            if source is None:
                continue
            try:
                calls = redis_calls(source.text)
            except LuaSyntaxError:
                continue
            for call in calls:
                if call.command != "keys":
                    continue
                pattern = None
                if (
                    len(call.args) > 1
                    and len(call.args[1]) == 1
                    and call.args[1][0].kind == "string"
                ):
                    pattern = call.args[1][0].text
                message = _message(
                    pattern, "redis.call('KEYS') in this Lua script", "SCAN from the client"
                )
                inner = source.inner(call.start, call.end)
                if inner is not None and source.literal is not None:
                    ctx.report(self, source.literal, message, inner=inner)
                else:
                    ctx.report(self, cmd.node, message)


def _message(pattern: str | None, what: str, instead: str) -> str:
    if pattern == "*":
        return (
            f"{what} with '*' lists every key in one blocking call, stalling all other "
            f"clients on a large database; iterate with {instead} instead"
        )
    shown = f" {pattern!r}" if pattern else ""
    return (
        f"{what}{shown} scans the whole keyspace in one blocking O(N) call; use {instead} instead"
    )
