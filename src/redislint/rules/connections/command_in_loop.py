"""RL802 command-in-loop: One round trip per loop item; use a pipeline or a multi-key command."""

from __future__ import annotations

from typing import TYPE_CHECKING

from redislint.clients.types import Kind
from redislint.diagnostics import Severity
from redislint.keys.shape import Hole
from redislint.rules.base import Rule
from redislint.rules.connections.common import _mentions, loop_targets
from redislint.semantic.context import FileContext
from redislint.semantic.loops import exit_kinds, result_refs
from redislint.semantic.model import Command, TxMode

if TYPE_CHECKING:
    import libcst as cst
else:
    from redislint._lazy import cst


_NOT_BATCHABLE = frozenset({"watch", "unwatch", "multi", "exec", "discard", "select", "ping"})
# Set-up commands: run once per resource at start-up (creating consumer groups, loading
# scripts), not once per item of data.
_SETUP_COMMANDS = frozenset(
    {
        "xgroup|create",
        "xgroup|createconsumer",
        "script|load",
        "function|load",
        "config|set",
        "client|setname",
        "client|setinfo",
    }
)
_CURSOR_COMMANDS = frozenset({"scan", "sscan", "hscan", "zscan"})
_RETRY_WORDS = ("attempt", "retry", "retries", "tries", "try")
# Commands whose per-item calls fold into one multi-key (or multi-member) command.
_MULTI_KEY = {
    "get": "mget(keys)",
    "del": "delete(*keys)",
    "unlink": "unlink(*keys)",
    "exists": "exists(*keys)",
    "touch": "touch(*keys)",
}
_MULTI_MEMBER = {
    "hget": "hmget(key, fields)",
    "hset": "hset(key, mapping=...)",
    "sadd": "sadd(key, *members)",
    "srem": "srem(key, *members)",
    "sismember": "smismember(key, members)",
    "lpush": "lpush(key, *values)",
    "rpush": "rpush(key, *values)",
    "zadd": "zadd(key, mapping)",
    "zrem": "zrem(key, *members)",
    "zscore": "zmscore(key, members)",
    "pfadd": "pfadd(key, *elements)",
    "hdel": "hdel(key, *fields)",
}


def _is_key_text(cmd: Command) -> bool:
    """The command's first key is a string (a literal or a template), not a list of keys."""
    key = cmd.keys[0] if cmd.keys else None
    return key is not None and bool(key.shape.literal_text())


def _hole_names(cmd: Command) -> set[str]:
    names: set[str] = set()
    for key in cmd.keys:
        for part in key.shape.parts:
            if isinstance(part, Hole):
                head = part.text.split("#")[0]
                names.add(head.split(".")[0].split("[")[0].split("(")[0])
    return names


def _uses_item(cmd: Command, names: set[str]) -> bool:
    """Whether the command's arguments depend on the loop's items: directly, through a
    name bound from them in the loop (``key = f"user:{row.id}"``), or in its key."""
    if _hole_names(cmd) & names:
        return True
    if any(_mentions(bound, names) for bound in cmd.bindings.values()):
        return True
    return any(_mentions(arg.value, names) for arg in cmd.node.args)


def _client_varies(cmd: Command, names: set[str]) -> bool:
    """The client itself comes from the loop's item (``conn = self.connection(i)``,
    ``clients[shard]``): each round trip goes to another connection."""
    receiver = cmd.receiver_node
    if isinstance(receiver, cst.Name):
        receiver = (
            cmd.bindings.get(receiver.value) or cmd.scope.exprs.get(receiver.value) or receiver
        )
    return receiver is not None and _mentions(receiver, names)


class CommandInLoop(Rule):
    """
    ## What it does
    Flags a command sent from inside the body of a `for` loop or a comprehension on a
    client (not a pipeline): one network round trip per item. The loop's own iterable
    (`for k in r.scan_iter(...)`) is evaluated once and is not flagged. The message
    names a multi-key command when one fits (`mget`, `delete(*keys)`, `hmget`, `sadd(key,
    *members)`), else a pipeline.

    Not flagged: commands on pipelines; `while` loops (consumers waiting with blocking
    pops); blocking commands; cursor scans; loops over a Pub/Sub `listen()` (events
    arrive one at a time); commands whose arguments do not depend on the loop's items
    (retries such as `for attempt in range(3): r.ping()`, polls, a counter bumped per
    event), since one pipeline cannot replace them; set-up commands run once per resource
    (`xgroup_create`, `script_load`, `config_set`); one command per cluster node
    (`for node in rc.get_primaries():`) or per client taken from the item
    (`conn = self.connection(shard)`); commands that already take a batch
    (`delete(*chunk)`, `mget(chunk)`); a command followed by a `return`/`break` in its
    block (it runs once), and a write in a loop that stops at its first result (a
    pipeline would apply it to every item).

    ## Why is this bad?
    Each command waits for the previous reply: 1,000 keys at 0.5 ms round trip is half
    a second spent waiting on the network, while the server itself needs microseconds.
    A pipeline sends all commands in one write and reads all replies together; a
    multi-key command does the work in one command.

    ## Example
    ```python
    for uid in user_ids:
        r.set(f"seen:{uid}", 1, ex=3600)
    names = [r.get(f"name:{uid}") for uid in user_ids]
    ```

    ## Use instead
    ```python
    with r.pipeline(transaction=False) as pipe:
        for uid in user_ids:
            pipe.set(f"seen:{uid}", 1, ex=3600)
        pipe.execute()
    names = r.mget([f"name:{uid}" for uid in user_ids])
    ```

    ## Fix safety
    No automatic fix: a pipeline changes when errors surface (all at `execute()`).

    ## References
    - [Pipelining](https://redis.io/docs/latest/develop/use/pipelining/)
    - [redis-py pipelines](https://redis.readthedocs.io/en/stable/advanced_features.html#pipelines)
    """

    code = "RL802"
    name = "command-in-loop"
    severity = Severity.INFO
    summary = "One round trip per loop item; use a pipeline or a multi-key command"
    tags = ("performance", "round-trips")
    precision = "medium"

    def check_command(self, cmd: Command, ctx: FileContext) -> None:
        if not cmd.loops or cmd.receiver.kind is not Kind.CLIENT or cmd.tx is not TxMode.IMMEDIATE:
            return
        info = cmd.info
        if info is None or info.is_blocking or cmd.method.endswith("_iter"):
            return
        if info.name in _NOT_BATCHABLE or info.name in _CURSOR_COMMANDS:
            return
        if info.name in _SETUP_COMMANDS:
            return
        loop = cmd.loops[-1]
        if isinstance(loop, cst.While) or self._event_loop(loop, ctx):
            return
        if self._per_node(loop, cmd):
            return  # one command per cluster node: no pipeline spans servers
        targets = loop_targets(loop)
        if any(word in name.lower() for name in targets for word in _RETRY_WORDS):
            return
        names = set().union(*(loop_targets(outer) for outer in cmd.loops))
        if _client_varies(cmd, loop_targets(loop)):
            return  # each item is another client: no pipeline spans them
        if not _uses_item(cmd, names):
            return  # the same command each time: a retry, a poll, a per-event counter
        if any(arg.star == "*" for arg in cmd.node.args) or (
            info.name == "mget" and not _is_key_text(cmd)
        ):
            return  # already one command per batch of keys (``delete(*chunk)``, ``mget(chunk)``)
        if self._runs_once(cmd, loop, ctx):
            return
        ctx.report(self, cmd.node, self._message(cmd, targets))

    @staticmethod
    def _runs_once(cmd: Command, loop: cst.CSTNode, ctx: FileContext) -> bool:
        """A write that searches (the loop stops at its first result: a pipeline would
        apply it to every item), or a command followed by a ``return``/``break`` in its
        block: not one round trip per item."""
        facts = ctx.loop_facts(loop)
        kinds = exit_kinds(facts, result_refs(cmd), frozenset({id(cmd.node)}))
        if cmd.is_write() and kinds & {"value", "unknown"}:
            return True
        if "always" in kinds:
            return True
        guards = tuple((g.test, g.arm) for g in cmd.guards)
        for exit in facts.exits:
            depth = len(exit.conditions)
            if not exit.guarded and depth and guards[-depth:] == exit.conditions:
                return True
        return False

    @staticmethod
    def _per_node(loop: cst.CSTNode, cmd: Command) -> bool:
        """``for node in rc.get_primaries():`` (or a name bound to that list): each item
        is another server, which no pipeline spans."""
        if isinstance(loop, cst.For):
            source: cst.BaseExpression = loop.iter
        elif isinstance(loop, cst.ListComp | cst.SetComp | cst.GeneratorExp | cst.DictComp):
            source = loop.for_in.iter
        else:
            return False
        if isinstance(source, cst.Name):
            source = cmd.scope.exprs.get(source.value, source)
        return (
            isinstance(source, cst.Call)
            and isinstance(source.func, cst.Attribute)
            and source.func.attr.value in _NODE_LISTS
        )

    @staticmethod
    def _event_loop(loop: cst.CSTNode, ctx: FileContext) -> bool:
        """``for message in pubsub.listen()``: items arrive one at a time."""
        if not isinstance(loop, cst.For) or not isinstance(loop.iter, cst.Call):
            return False
        source = ctx.command_for(loop.iter)
        return source is not None and (
            source.receiver.kind is Kind.PUBSUB or source.method == "listen"
        )

    @staticmethod
    def _message(cmd: Command, targets: set[str]) -> str:
        name = cmd.info.name if cmd.info is not None else cmd.name
        key_varies = bool(_hole_names(cmd) & targets)
        better = "a pipeline (pipeline(transaction=False), execute() once after the loop)"
        if cmd.usage == "condition":
            pass  # the loop decides per item: only a pipeline keeps that
        elif key_varies and name in _MULTI_KEY:
            better = f"one {_MULTI_KEY[name]} call"
        elif key_varies and name == "set" and len(cmd.node.args) == 2:
            better = "one mset(mapping) call (or a pipeline, to keep expiries)"
        elif not key_varies and cmd.keys and name in _MULTI_MEMBER:
            better = f"one {_MULTI_MEMBER[name]} call"
        return f"{cmd.method}() inside a loop costs one network round trip per item; use {better}"


_NODE_LISTS = frozenset({"get_primaries", "get_replicas", "get_nodes", "get_random_node"})
