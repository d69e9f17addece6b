"""Connections and round trips (RL8xx): clients built per call, commands per item,
pipelines never sent, scripts re-sent, coroutines never awaited."""

from __future__ import annotations

from pathlib import PurePath
from typing import TYPE_CHECKING

from redislint.clients.knowledge import PUBSUB_SUBSCRIPTIONS
from redislint.clients.types import Kind
from redislint.diagnostics import Severity
from redislint.keys.shape import Hole, code
from redislint.rules.base import Rule
from redislint.semantic import constructions, urls
from redislint.semantic.arguments import literal
from redislint.semantic.context import FileContext
from redislint.semantic.edits import FixPlan, Replace
from redislint.semantic.index import CallSite
from redislint.semantic.loops import exit_kinds, result_refs
from redislint.semantic.model import Command, Construction, Pipe, Scope, TxMode
from redislint.semantic.project import Project
from redislint.semantic.rewrite import awaited
from redislint.semantic.scripts import script_build, script_source

if TYPE_CHECKING:
    import libcst as cst
else:
    from redislint._lazy import cst

# -- RL801 -----------------------------------------------------------------------------------
# Where a client goes that outlives the call: kept somewhere, passed on, or handed back.
_KEPT = frozenset({"stored", "argument", "local", "closure", "method", "returned"})
# Decorators that make a getter build its client once.
_CACHING = frozenset(
    {
        "cache",
        "lru_cache",
        "cached",
        "cached_property",
        "memoize",
        "memoized",
        "cache_resource",
        "singleton",
        "once",
        "run_once",
    }
)
# Constructors: calling a client factory from them is set-up (the result is kept).
_CONSTRUCTORS = frozenset({"__init__", "__post_init__", "__new__", "__enter__", "__aenter__"})
# Functions that run once per process or test class: set-up code and entry points.
_ONCE = frozenset(
    {
        "__init_subclass__",
        "setUp",
        "setUpClass",
        "asyncSetUp",
        "setup",
        "setup_method",
        "setup_class",
        "init_app",
        "create_app",
        "startup",
        "on_startup",
        "lifespan",
        "main",
        "cli",
        "configure",
    }
)
_SETUP = _CONSTRUCTORS | _ONCE
_ENTRY_DECORATORS = frozenset({"command", "group", "fixture", "on_event"})
_DERIVED = frozenset({"pipeline", "pubsub", "lock", "register_script", "monitor", "client"})


def _last(dotted: str) -> str:
    return dotted.rsplit(".", 1)[-1]


def _cached(decorators: tuple[str, ...]) -> bool:
    return any(_last(d) in _CACHING for d in decorators)


def _qualname(scope: Scope) -> str | None:
    """The index's name of a function scope (None for nested functions and lambdas)."""
    if scope.kind != "function" or scope.parent is None:
        return None
    if scope.parent.kind == "module":
        return scope.name
    if scope.parent.kind == "class" and scope.class_qualname is not None:
        return f"{scope.class_qualname}.{scope.name}"
    return None


def _names_in(node: cst.CSTNode | None) -> set[str]:
    """Names bound by a ``for`` / comprehension target."""
    found: set[str] = set()
    todo: list[cst.CSTNode] = [node] if node is not None else []
    while todo:
        current = todo.pop()
        if isinstance(current, cst.Name):
            found.add(current.value)
        elif isinstance(current, cst.Tuple | cst.List):
            todo.extend(e.value for e in current.elements)
        elif isinstance(current, cst.StarredElement):
            todo.append(current.value)
    return found


def loop_targets(loop: cst.CSTNode) -> set[str]:
    """The names a loop binds on each iteration."""
    if isinstance(loop, cst.For):
        return _names_in(loop.target)
    names: set[str] = set()
    if isinstance(loop, cst.ListComp | cst.SetComp | cst.GeneratorExp | cst.DictComp):
        level: cst.CompFor | None = loop.for_in
        while level is not None:
            names |= _names_in(level.target)
            level = level.inner_for_in
    return names


def _mentions(node: cst.CSTNode, names: set[str]) -> bool:
    """Whether an argument expression (a few nodes) uses one of ``names``."""
    if not names:
        return False
    todo: list[cst.CSTNode] = [node]
    while todo:
        current = todo.pop()
        if isinstance(current, cst.Name) and current.value in names:
            return True
        if isinstance(current, cst.Attribute):
            todo.append(current.value)
            continue
        todo.extend(current.children)
    return False


class ClientPerCall(Rule):
    """
    ## What it does
    Flags a Redis client, connection pool or Sentinel built where it is used once and
    thrown away:

    - inside a loop, with the same arguments on every iteration;
    - inside a function that neither returns nor keeps it (in an attribute, a global, a
      container, or by passing it on);
    - inside a helper that returns a new, uncached client (`@property`, or a function
      called from ordinary functions and methods anywhere in the linted tree); the
      finding is at the construction and names a caller.

    Not flagged: module-level clients; `__init__` and other set-up code that keeps the
    clients it builds (one per configured server in a loop is fine); getters cached
    with `functools.cache`/`lru_cache`/`cached_property` or memoised in a global or an
    attribute; factories called only from module level, set-up code or entry points
    (`main`, click/typer commands), or whose result some caller keeps (`database =
    get_connection()` in a class: the program's factory of long-lived clients); functions
    that use the client in a loop (workers, consumers, batch jobs); clients built on an
    existing pool (`connection_pool=`, `from_pool`); fakes; test code.

    ## Why is this bad?
    Every client owns a connection pool. A new client per call opens a new TCP
    connection (plus TLS, `AUTH`, `HELLO`/`SELECT`) for every operation and throws it
    away: latency doubles, the server's connection count churns, and under load the
    host runs out of ephemeral ports (`TIME_WAIT`) or the server hits `maxclients`.

    ## Example
    ```python
    def get_user(uid):
        r = redis.Redis(host="cache")
        return r.hgetall(f"user:{uid}")
    ```

    ## Use instead
    ```python
    r = redis.Redis(host="cache")


    def get_user(uid):
        return r.hgetall(f"user:{uid}")
    ```
    or build it once in `__init__`, or cache the getter with `@functools.cache`.

    ## Fix safety
    No automatic fix.

    ## References
    - [redis-py: connection pools](https://redis.readthedocs.io/en/stable/connections.html#connection-pools)
    - [Redis clients: connection pooling](https://redis.io/docs/latest/develop/clients/pools-and-muxing/)
    """

    code = "RL801"
    name = "client-per-call"
    severity = Severity.WARNING
    summary = "A new client (and connection) per call or per loop iteration"
    tags = ("performance", "connections")
    precision = "medium"

    def check_construction(self, construction: Construction, ctx: FileContext) -> None:
        if ctx.is_test or not constructions.is_connection_source(construction):
            return
        scope = construction.scope
        if constructions.shares_pool(construction) and not _fresh_pool(construction, scope):
            return
        kept = construction.fate in _KEPT - {"local"} or any(u in _KEPT for u in construction.uses)
        kept = kept or _derived_kept(construction, scope)
        what = f"{constructions.display_name(construction)}()"
        if construction.loops and not kept:
            names = set().union(
                *(loop_targets(loop) for loop in construction.loops),
                *(ctx.analyzer.loop_bound.get(id(loop), set()) for loop in construction.loops),
            )
            if not _mentions(construction.node, names):
                ctx.report(
                    self,
                    construction.node,
                    f"{what} inside a loop builds a new client, with its own connection pool, "
                    "on every iteration; create it once before the loop",
                )
                return
        if scope.kind != "function" or construction.loops:
            return
        returned = construction.fate == "returned" or "returned" in construction.uses
        if returned and not _kept_otherwise(construction):
            self._helper(construction, scope, what, ctx)
        elif not kept and not self._runs_once(scope, ctx):
            closed = " (closed by the with block)" if construction.fate == "context" else ""
            advice = (
                "keep it in an attribute or build it once at module level"
                if scope.name in _CONSTRUCTORS
                else "create the client once (module level or __init__) and reuse it"
            )
            ctx.report(
                self,
                construction.node,
                f"{what} is built on every call of {scope.name}() and dropped when it "
                f"returns{closed}: each call opens a new connection; {advice}",
            )

    def _helper(
        self, construction: Construction, scope: Scope, what: str, ctx: FileContext
    ) -> None:
        if _cached(scope.decorators):
            return
        if "property" in scope.decorators:
            ctx.report(
                self,
                construction.node,
                f"the property {scope.name} returns a new {what} on every access: each access "
                "opens a new connection; build it once (in __init__ or with "
                "functools.cached_property)",
            )
            return
        qualname = _qualname(scope)
        if qualname is None:
            return
        caller = _ordinary_caller(ctx.project, ctx.path, qualname, 0)
        if caller is None:
            return
        file, site = caller
        where = "" if file == ctx.path else f" in {PurePath(file).name}"
        ctx.report(
            self,
            construction.node,
            f"{scope.name}() returns a new {what} on every call and {site.caller}(){where} "
            f"(line {site.line}) calls it for its work: each call opens a new connection; "
            "cache the client (functools.cache on the getter, a module-level client)",
        )

    @staticmethod
    def _runs_once(scope: Scope, ctx: FileContext) -> bool:
        """Set-up code, entry points, and long-running functions (the client is used in a
        loop, so it serves many operations)."""
        if scope.name in _ONCE or any(_last(d) in _ENTRY_DECORATORS for d in scope.decorators):
            return True
        if any(c.loops or c.usage == "iterated" for c in scope.commands):
            return True
        qualname = _qualname(scope)
        if qualname is None:
            return False
        sites = ctx.project.callers(ctx.path, qualname)
        return bool(sites) and all(site.caller is None for _file, site in sites)


def _kept_otherwise(construction: Construction) -> bool:
    """Kept somewhere besides being returned (a memoising getter stores it too)."""
    kept = _KEPT - {"returned", "local"}
    return construction.fate in kept or any(u in kept for u in construction.uses)


def _derived_kept(construction: Construction, scope: Scope) -> bool:
    """A pipeline, pub/sub, lock or script made from the client is kept or returned: it
    holds the client's pool, so the client lives on with it."""
    if not construction.names:
        return False
    for cmd in scope.commands:
        if cmd.method not in _DERIVED or not isinstance(cmd.receiver_node, cst.Name):
            continue
        if cmd.receiver_node.value not in construction.names:
            continue
        if cmd.usage in ("returned", "argument"):
            return True
        if (
            cmd.usage == "assigned"
            and isinstance(cmd.parent, cst.Assign)
            and any(not isinstance(t.target, cst.Name) for t in cmd.parent.targets)
        ):
            return True
    return False


def _fresh_pool(construction: Construction, scope: Scope) -> bool:
    """``Redis(connection_pool=pool)`` where ``pool`` was just built in this scope."""
    node = constructions.arguments(construction).get("connection_pool")
    for other in scope.constructions:
        if other.type.kind is not Kind.POOL:
            continue
        if other.node is node or (isinstance(node, cst.Name) and node.value in other.names):
            return True
    return False


def _ordinary_caller(
    project: Project, path: str, qualname: str, depth: int
) -> tuple[str, CallSite] | None:
    """A call of the helper from a function that uses the client for its work: not module
    level, not set-up code, not a cached getter, not storing the result, not a test. A
    helper whose result some caller keeps (in an attribute, a global) is the program's
    factory of long-lived clients: a caller that drops one is a one-off path."""
    sites = project.callers(path, qualname)
    if any(site.fate == "stored" and not _in_tests(project, file) for file, site in sites):
        return None
    for file, site in sites:
        if site.caller is None:
            continue
        if _in_tests(project, file):
            continue  # a test's fixtures are not the program's work
        if file == path and site.caller == qualname:
            continue  # recursion
        func = project.function(file, site.caller)
        if func is None:
            continue
        name = _last(func.qualname)
        if (
            name in _SETUP
            or name.startswith("test")
            or (func.class_qualname or "").startswith("Test")
            or _cached(func.decorators)
            or any(_last(d) in _ENTRY_DECORATORS for d in func.decorators)
        ):
            continue
        if func.is_property:
            return file, site
        if site.fate == "returned":
            if depth < 3:
                found = _ordinary_caller(project, file, func.qualname, depth + 1)
                if found is not None:
                    return found
            continue
        return file, site
    return None


def _in_tests(project: Project, file: str) -> bool:
    facts = project.by_path.get(file)
    return facts is not None and facts.is_test


# -- RL802 -----------------------------------------------------------------------------------
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


# -- RL803 -----------------------------------------------------------------------------------
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


# -- RL804 / RL806 ---------------------------------------------------------------------------
_EVAL = frozenset({"eval", "eval_ro"})
_FALLBACK_ERRORS = ("NoScriptError", "ResponseError")


def _is_noscript_fallback(cmd: Command) -> bool:
    """``try: r.evalsha(...) except NoScriptError: r.eval(...)``."""
    for context in cmd.trys:
        handler = context.handler
        if context.part != "handler" or handler is None or handler.type is None:
            continue
        if not any(name in code(handler.type) for name in _FALLBACK_ERRORS):
            continue
        for other in cmd.scope.commands:
            if (other.name in ("evalsha", "evalsha_ro") or other.method == "__call__") and any(
                t.node is context.node and t.part == "body" for t in other.trys
            ):
                return True
    return False


class EvalPerCall(Rule):
    """
    ## What it does
    Flags `eval()` (and `eval_ro()`, `execute_command("EVAL", ...)`) whose script is a
    constant: a literal, or a local, module or class name bound to a literal. Not
    flagged: `eval` as the fallback after `evalsha` raised `NoScriptError`.

    ## Why is this bad?
    `EVAL` sends the whole script body with every call, and the server hashes it each
    time. `register_script()` sends only the SHA1 (`EVALSHA`) and reloads the script
    automatically when the server does not have it (after a restart or
    `SCRIPT FLUSH`).

    ## Example
    ```python
    RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"

    def release(r, key, token):
        return r.eval(RELEASE, 1, key, token)
    ```

    ## Use instead
    ```python
    release_script = r.register_script(RELEASE)

    def release(key, token):
        return release_script(keys=[key], args=[token])
    ```

    ## Fix safety
    No automatic fix.

    ## References
    - [EVALSHA and script caching](https://redis.io/docs/latest/develop/interact/programmability/eval-intro/#script-cache)
    - [redis-py register_script](https://redis.readthedocs.io/en/stable/commands.html#redis.commands.core.ScriptCommands.register_script)
    """

    code = "RL804"
    name = "eval-per-call"
    severity = Severity.INFO
    summary = "eval() re-sends a constant script on every call; use register_script()"
    tags = ("performance", "lua")
    precision = "high"

    def check_command(self, cmd: Command, ctx: FileContext) -> None:
        if cmd.name not in _EVAL:
            return
        source = script_source(cmd, ctx)
        if source is None or _is_noscript_fallback(cmd):
            return
        ctx.report(
            self,
            cmd.node,
            f"{cmd.method}() sends this constant script ({len(source.text.encode())} bytes) "
            "with every call; register it once with register_script() (EVALSHA, reloaded "
            "automatically on NOSCRIPT)",
        )


class DynamicLuaScript(Rule):
    """
    ## What it does
    Flags Lua source built at run time with an f-string, `%`, `.format()`,
    `.replace()` or `+` (with a part that is not a constant) and passed to `eval()`,
    `register_script()` or `script_load()`, in a function or a loop.

    ## Why is this bad?
    Redis caches every distinct script it is sent, keyed by its SHA1, and never
    evicts them (until `SCRIPT FLUSH`). A script with values baked into its text is a
    new script for every value: the script cache, and the server's memory, grow without
    bound. Values belong in `KEYS` and `ARGV`.

    ## Example
    ```python
    def cap(key, limit):
        return r.eval(f"return redis.call('LTRIM', KEYS[1], 0, {limit})", 1, key)
    ```

    ## Use instead
    ```python
    CAP = r.register_script("return redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[1]))")

    def cap(key, limit):
        return CAP(keys=[key], args=[limit])
    ```

    ## Fix safety
    No automatic fix.

    ## References
    - [Scripting: script cache](https://redis.io/docs/latest/develop/interact/programmability/eval-intro/#script-cache)
    """

    code = "RL806"
    name = "dynamic-lua-script"
    severity = Severity.WARNING
    summary = "Lua source built at run time: every variant fills the server's script cache"
    tags = ("memory", "lua")
    precision = "high"

    def check_command(self, cmd: Command, ctx: FileContext) -> None:
        how = script_build(cmd, ctx)
        if how is None:
            return
        ctx.report(
            self,
            cmd.node,
            f"{cmd.method}() is given Lua source built with {how}: every distinct text is a "
            "new script in the server's script cache, which is never evicted; keep the "
            "script constant and pass the values through KEYS/ARGV",
        )


# -- RL805 -----------------------------------------------------------------------------------
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


# -- RL807 / RL808 ---------------------------------------------------------------------------
def _url_literal(construction: Construction, ctx: FileContext) -> str | None:
    node = constructions.url_argument(construction)
    if isinstance(node, cst.Name):
        node = ctx.module_constant(node.value)
    return urls.literal_text(node) if node is not None else None


class ClientWithoutTimeout(Rule):
    """
    ## What it does
    Flags a client, connection pool or Sentinel built without `socket_timeout` (or with
    `socket_timeout=None`), unless it shares an existing pool or its URL literal sets
    `?socket_timeout=`. Off by default.

    ## Why is this bad?
    redis-py's default `socket_timeout` is `None`: a command waits forever for a reply.
    A server that stalls (a long `KEYS`, a fork on a large instance, a network
    partition without a reset) then hangs every worker that talks to it, instead of
    failing fast and letting retries or circuit breakers act.

    ## Example
    ```python
    r = redis.Redis(host="cache")
    ```

    ## Use instead
    ```python
    r = redis.Redis(host="cache", socket_timeout=2, socket_connect_timeout=2)
    ```

    ## Fix safety
    No automatic fix: the right timeout depends on the slowest legitimate command
    (blocking pops need a longer one, or their own `timeout`).

    ## References
    - [redis-py connection options](https://redis.readthedocs.io/en/stable/connections.html)
    """

    code = "RL807"
    name = "client-without-timeout"
    severity = Severity.INFO
    default_enabled = False
    summary = "Client built without socket_timeout: a stalled server hangs the caller forever"
    tags = ("reliability", "connections")
    precision = "high"

    def check_construction(self, construction: Construction, ctx: FileContext) -> None:
        if not constructions.is_connection_source(construction):
            return
        if constructions.shares_pool(construction):
            return
        args = constructions.arguments(construction)
        if args.unpacked or not constructions.is_library_call(construction):
            return
        node = args.get("socket_timeout")
        if node is not None and literal(node) is not None:
            return
        url = _url_literal(construction, ctx)
        if url is not None and "socket_timeout=" in url:
            return
        ctx.report(
            self,
            construction.node,
            f"{constructions.display_name(construction)}() has no socket_timeout: a command waits forever when "
            "the server stalls; pass socket_timeout=<seconds> (and socket_connect_timeout)",
        )


def _db_number(node: cst.BaseExpression | None) -> int | None:
    value = literal(node)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


class LogicalDatabase(Rule):
    """
    ## What it does
    Flags `select()` with a database other than 0, a client or pool built with `db=N`
    (N > 0), and a Redis URL literal whose path or `?db=` names a database other than
    0. Off by default.

    ## Why is this bad?
    Numbered databases share one server: one thread, one memory limit, one eviction
    policy, one `FLUSHALL`, one `KEYS`. They give no isolation, Redis Cluster supports
    only database 0, and many managed services and proxies do not support `SELECT`.
    Key prefixes (or separate instances, for real isolation) scale better.

    ## Example
    ```python
    sessions = redis.Redis(host="cache", db=2)
    ```

    ## Use instead
    ```python
    sessions = redis.Redis(host="cache")  # keys under "session:"
    ```

    ## Fix safety
    No automatic fix: the keys of the other databases must be migrated.

    ## References
    - [SELECT](https://redis.io/docs/latest/commands/select/)
    - [Cluster: only database 0](https://redis.io/docs/latest/operate/oss_and_stack/reference/cluster-spec/#implemented-subset)
    """

    code = "RL808"
    name = "logical-database"
    severity = Severity.INFO
    default_enabled = False
    summary = "Numbered logical database (select, db=N): shared server, unsupported by Cluster"
    tags = ("portability",)
    precision = "very-high"

    def check_command(self, cmd: Command, ctx: FileContext) -> None:
        if cmd.name != "select":
            return
        index = cmd.args.get("index")
        if index is None and cmd.method == "execute_command" and len(cmd.args.varargs) > 1:
            index = cmd.args.varargs[1]
        number = _db_number(index)
        if number == 0:
            return
        shown = f"database {number}" if number is not None else "a numbered database"
        ctx.report(self, cmd.node, _db_message("select()", shown))

    def check_construction(self, construction: Construction, ctx: FileContext) -> None:
        if not constructions.is_connection_source(construction):
            return
        number = _db_number(constructions.arguments(construction).get("db"))
        if number:
            ctx.report(
                self,
                construction.node,
                _db_message(
                    f"{constructions.display_name(construction)}(db={number})", f"database {number}"
                ),
            )

    def check_file(self, ctx: FileContext) -> None:
        by_call = {id(c.node): c for scope in ctx.scopes for c in scope.constructions}
        for item in ctx.analyzer.url_literals:
            url_text = urls.literal_text(item.node)
            url = urls.parse(url_text) if url_text is not None else None
            if url is None or url.db is None or not url.db.isdigit() or int(url.db) == 0:
                continue
            construction = by_call.get(id(item.call)) if item.call is not None else None
            anchor: cst.CSTNode = construction.node if construction is not None else item.node
            ctx.report(self, anchor, _db_message("the URL", f"database {int(url.db)}"))


def _db_message(what: str, shown: str) -> str:
    return (
        f"{what} uses {shown}: numbered databases share one server (memory, eviction, "
        "FLUSHALL) and Redis Cluster supports only database 0; prefer key prefixes or a "
        "separate instance"
    )
