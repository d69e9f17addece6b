"""Blocking and O(N) command rules (RL3xx)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from redislint.clients.types import Kind
from redislint.diagnostics import Severity
from redislint.keys.shape import code
from redislint.lua import LuaSyntaxError, redis_calls
from redislint.rules.base import Rule, supports
from redislint.rules.shared import key_text
from redislint.semantic.arguments import literal, text
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


FLUSHES = {
    "flushall": "deletes every key of every database on the server",
    "flushdb": "deletes every key of the current database",
}


class FlushInCode(Rule):
    """
    ## What it does
    Flags `flushall()` and `flushdb()` (also through `execute_command("FLUSHALL")`) in
    code that is not test code. Files matching `test-paths` (by default `tests/`,
    `test/`, `test_*.py`, `*_test.py`, `conftest.py`) are test code.

    ## Why is this bad?
    `FLUSHALL` deletes every key in every database of the server, `FLUSHDB` every key of
    the selected database: every feature that shares the server loses its data at once,
    and without `ASYNC` the server is blocked while it frees millions of keys. In
    application code one misconfigured URL (staging code pointed at production) or one
    unexpected call path is enough; there is no undo.

    ## Example
    ```python
    def reset_cache():
        r.flushdb()
    ```

    ## Use instead
    ```python
    def reset_cache():
        for key in r.scan_iter(match="cache:*", count=1000):
            r.unlink(key)
    ```
    Delete only the keys your code owns (give them a prefix), or keep flushes in test
    fixtures. Production servers can also rename or forbid the commands with ACLs
    (`-flushall -flushdb`).

    ## Fix safety
    No automatic fix: only you know which keys the code owns.

    ## References
    - [FLUSHALL](https://redis.io/docs/latest/commands/flushall/), [FLUSHDB](https://redis.io/docs/latest/commands/flushdb/)
    - [ACL](https://redis.io/docs/latest/operate/oss_and_stack/management/security/acl/) (deny dangerous commands)
    """

    code = "RL302"
    name = "flush-in-code"
    severity = Severity.ERROR
    summary = "FLUSHALL/FLUSHDB in application code wipes every key"
    tags = ("data-loss", "blocking")
    precision = "very-high"

    def check_command(self, cmd: Command, ctx: FileContext) -> None:
        effect = FLUSHES.get(cmd.name)
        if effect is None or ctx.is_test:
            return
        ctx.report(
            self,
            cmd.node,
            f"{cmd.name}() {effect}, whoever else stores data there; delete only the keys "
            "this code owns (scan_iter(match='prefix:*') + unlink()), or keep the flush "
            "in test code (test-paths)",
        )


# Reads that return a whole collection, with the incremental alternative.
WHOLE_READS = {
    "hgetall": "hscan_iter(key)",
    "hkeys": "hscan_iter(key)",
    "hvals": "hscan_iter(key)",
    "smembers": "sscan_iter(key)",
}
SET_ALGEBRA = frozenset({"sunion", "sinter", "sdiff"})
RANGES = {
    "lrange": "lrange(key, start, start + page - 1) in pages",
    "zrange": "zscan_iter(key) or zrange(key, start, start + page - 1) in pages",
    "zrevrange": "zrange(key, start, start + page - 1, desc=True) in pages",
}


def _int(node: cst.BaseExpression | None) -> int | None:
    value = literal(node)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class UnboundedCollectionRead(Rule):
    """
    ## What it does
    Flags reads that return a whole collection in one reply: `hgetall()`, `hkeys()`,
    `hvals()`, `smembers()`, `lrange(K, 0, -1)` / `zrange(K, 0, -1)` / `zrevrange(K, 0,
    -1)` (any range from a non-negative start to a negative end), and
    `sunion()`/`sinter()`/`sdiff()`. Off by default: on collections that stay small
    these are fine.

    ## Why is this bad?
    These commands are O(N) in the size of the collection and build the whole reply
    before sending it. A hash, set or list that grows with your data (followers,
    events, cart items) eventually takes milliseconds to seconds to read, and Redis
    serves no other client meanwhile; the reply also has to fit in the client's memory.

    ## Example
    ```python
    followers = r.smembers(f"followers:{uid}")
    events = r.lrange("events", 0, -1)
    ```

    ## Use instead
    ```python
    for member in r.sscan_iter(f"followers:{uid}", count=500):
        ...
    events = r.lrange("events", 0, 99)
    ```
    `SCAN`-family iterators return the collection in small batches between which other
    clients are served.

    ## Fix safety
    No automatic fix: a scan is not a snapshot (members changed during it may be missed
    or returned twice), and paging changes the result.

    ## References
    - [HSCAN / SSCAN / ZSCAN](https://redis.io/docs/latest/commands/scan/)
    - [SMEMBERS](https://redis.io/docs/latest/commands/smembers/), [HGETALL](https://redis.io/docs/latest/commands/hgetall/), [LRANGE](https://redis.io/docs/latest/commands/lrange/)
    """

    code = "RL303"
    name = "unbounded-collection-read"
    severity = Severity.INFO
    summary = "Whole-collection read (hgetall, smembers, lrange 0 -1...) that grows with the data"
    default_enabled = False
    tags = ("performance", "blocking")
    precision = "medium"

    def check_command(self, cmd: Command, ctx: FileContext) -> None:
        name = cmd.name
        what = f"{cmd.method}() on {key_text(cmd)}" if cmd.method != "execute_command" else name
        if name in WHOLE_READS:
            instead = WHOLE_READS[name]
            message = f"{what} returns the whole collection in one O(N) reply"
        elif name in SET_ALGEBRA:
            instead = self._set_algebra()
            message = f"{what} reads every member of every set involved in one O(N) call"
        elif name in RANGES:
            if not self._whole_range(cmd):
                return
            instead = RANGES[name]
            message = (
                f"{what} with an open-ended range reads the whole collection in one O(N) reply"
            )
        else:
            return
        ctx.report(
            self,
            cmd.node,
            f"{message}, blocking the server while it grows; iterate with {instead} instead",
        )

    def _whole_range(self, cmd: Command) -> bool:
        if cmd.method == "execute_command":
            rest = cmd.args.varargs[2:]
            start, end = (rest[0], rest[1]) if len(rest) >= 2 else (None, None)
            if len(rest) > 2:
                return False  # BYSCORE/BYLEX/REV/LIMIT: not a plain index range
        else:
            start, end = cmd.args.get("start"), cmd.args.get("end")
            if any(cmd.args.get(p) is not None for p in ("byscore", "bylex", "num", "offset")):
                return False
        first, last = _int(start), _int(end)
        return first is not None and last is not None and first >= 0 and last < 0

    def _set_algebra(self) -> str:
        if not supports(self.settings.target_redis_version, "6.2"):
            return "sscan_iter() over the smaller set with sismember() checks in a pipeline"
        return "sscan_iter() over the smaller set with smismember() checks (Redis 6.2+)"
