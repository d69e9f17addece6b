"""RL801 client-per-call: A new client (and connection) per call or per loop iteration."""

from __future__ import annotations

from pathlib import PurePath
from typing import TYPE_CHECKING

from redislint.clients.types import Kind
from redislint.diagnostics import Severity
from redislint.rules.base import Rule
from redislint.rules.connections.common import _mentions, loop_targets
from redislint.semantic import constructions
from redislint.semantic.context import FileContext
from redislint.semantic.index import CallSite
from redislint.semantic.model import Construction, Scope
from redislint.semantic.project import Project

if TYPE_CHECKING:
    import libcst as cst
else:
    from redislint._lazy import cst


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
