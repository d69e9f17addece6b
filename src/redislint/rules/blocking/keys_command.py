"""RL301 keys-command: KEYS blocks the server while it scans the whole keyspace; use SCAN."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from redislint.clients.types import Kind
from redislint.diagnostics import Severity
from redislint.keys.shape import code
from redislint.lua import LuaSyntaxError, redis_calls
from redislint.rules.base import Rule
from redislint.semantic.arguments import text
from redislint.semantic.context import FileContext
from redislint.semantic.edits import FixPlan, Replace
from redislint.semantic.model import Command
from redislint.semantic.rewrite import await_around, consumer, plain_args, with_method
from redislint.semantic.scripts import script_text, shown

if TYPE_CHECKING:
    import libcst as cst
else:
    from redislint._lazy import cst


# Commands in a loop over the keys that do not create keys (SCAN may return a key created
# while it runs, where KEYS was a snapshot).
_KEEPS_KEYS = frozenset(
    {"del", "unlink", "expire", "pexpire", "expireat", "pexpireat", "persist", "getdel"}
)


# Builtins that consume an iterable at once: ``list(r.keys(p))`` needs no extra list().
_CONSUMERS = frozenset({"list", "sorted", "set", "frozenset", "tuple"})


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
    `for k in c.keys(p):` becomes `for k in c.scan_iter(p):`, and
    `for k in await c.keys(p):` becomes `async for k in c.scan_iter(p):` on an asyncio
    client. This is safe when the loop body only reads, deletes or expires keys; when
    it writes other keys (which may match the pattern: SCAN can return keys created
    while it runs, KEYS is a snapshot) the fix is unsafe. Other uses become
    `list(c.scan_iter(p))` (`[k async for k in c.scan_iter(p)]` on an asyncio client),
    which is unsafe: unlike `KEYS`, a scan is not a point-in-time snapshot (keys
    changed during the scan may be missed or returned twice). There is no fix for
    `execute_command("KEYS", ...)`, for `keys()` queued in a pipeline, or for `KEYS`
    inside Lua.

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
        ctx.report(
            self, cmd.node, _message(pattern, "keys()", "scan_iter(match=...)"), fix=_scan_fix(cmd)
        )

    def check_file(self, ctx: FileContext) -> None:
        for cmd in ctx.commands:
            source = script_text(cmd, ctx)
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
                    shown(pattern) if pattern is not None else None,
                    "redis.call('KEYS') in this Lua script",
                    "SCAN from the client",
                )
                inner = source.inner(call.start, call.end)
                if inner is not None and source.literal is not None:
                    ctx.report(self, source.literal, message, inner=inner)
                else:
                    ctx.report(self, source.built or cmd.node, message)


def _scan_fix(cmd: Command) -> FixPlan | None:
    """``keys(p)`` as ``scan_iter(p)``: directly in a ``for`` loop, else collected in a list."""
    if cmd.receiver.kind is not Kind.CLIENT or not plain_args(cmd):
        return None
    args = cmd.node.args
    if len(args) > 1 or (
        args and args[0].keyword is not None and args[0].keyword.value != "pattern"
    ):
        return None
    scan = with_method(cmd.node, "scan_iter")
    if scan is None:
        return None
    if args and args[0].keyword is not None:
        scan = scan.with_changes(args=[args[0].with_changes(keyword=cst.Name("match"))])
    waiting = await_around(cmd)
    if cmd.awaited and waiting is None:
        return None
    loop = cmd.parent
    if isinstance(loop, cst.For) and cmd.usage == "iterated":
        if waiting is not None:
            if not cmd.scope.is_async:
                return None
            new_loop = loop.with_changes(asynchronous=cst.Asynchronous(), iter=scan)
            return FixPlan(
                "Iterate with `async for` over scan_iter()",
                _loop_keeps_keys(cmd, loop),
                (Replace(loop, new_loop),),
            )
        return FixPlan(
            "Iterate with scan_iter()", _loop_keeps_keys(cmd, loop), (Replace(cmd.node, scan),)
        )
    if isinstance(loop, cst.BaseComp) and loop.for_in.iter is cmd.node:
        # a comprehension collects the keys too: not a snapshot either
        return FixPlan("Iterate with scan_iter()", False, (Replace(cmd.node, scan),))
    plain = scan.with_changes(lpar=[], rpar=[])
    if waiting is not None:
        if not cmd.scope.is_async:
            return None
        name = _free_name(cmd.node)
        collected: cst.BaseExpression = cst.ListComp(
            elt=cst.Name(name),
            for_in=cst.CompFor(target=cst.Name(name), iter=plain, asynchronous=cst.Asynchronous()),
            lpar=waiting.lpar,
            rpar=waiting.rpar,
        )
        return FixPlan("Collect the keys of scan_iter()", False, (Replace(waiting, collected),))
    outer = consumer(cmd)
    if (
        outer is not None
        and isinstance(outer.func, cst.Name)
        and outer.func.value in _CONSUMERS
        and not outer.args[0].star
        and outer.args[0].keyword is None
    ):  # list(r.keys(p)), sorted(...): they take the iterator as it is
        return FixPlan("Collect the keys of scan_iter()", False, (Replace(cmd.node, scan),))
    collected = cst.Call(
        func=cst.Name("list"), args=[cst.Arg(plain)], lpar=cmd.node.lpar, rpar=cmd.node.rpar
    )
    return FixPlan("Collect the keys of scan_iter()", False, (Replace(cmd.node, collected),))


def _loop_keeps_keys(cmd: Command, loop: cst.For) -> bool:
    """No command in the loop's body writes a key other than the one iterated over."""
    target = loop.target.value if isinstance(loop.target, cst.Name) else None
    for other in cmd.scope.commands[cmd.index + 1 :]:
        if loop not in other.loops or other.name in _KEEPS_KEYS:
            continue
        if other.info is None or not other.info.is_write:
            continue
        if other.keys and all(
            isinstance(k.node, cst.Name) and k.node.value == target for k in other.keys
        ):
            continue  # writes the key it was given
        return False
    return True


def _free_name(node: cst.Call) -> str:
    """A comprehension variable that the call's receiver and arguments do not mention."""
    func = node.func
    parts = [func.value if isinstance(func, cst.Attribute) else func, *node.args]
    used = set(re.findall(r"[A-Za-z_]\w*", " ".join(code(p) for p in parts)))
    return next(n for n in ("key", "k", "key_", "_key") if n not in used)


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
