"""What a client or pool construction is given: host, password, URL, pool, timeouts.

``redis.Redis(host, port, db, password, socket_timeout, ...)``, ``from_url(url,
**kwargs)``, ``ConnectionPool(connection_class, max_connections, **kwargs)``,
``Sentinel(sentinels, ...)``, ``RedisCluster(host, port, startup_nodes, ...)``: the call's
arguments bound to those parameters (the same for valkey-py and ``redis.asyncio``).
Classes of the linted tree that subclass a client are bound by keyword only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from redislint.clients.knowledge import known
from redislint.clients.types import Kind
from redislint.semantic.binding import bind_args
from redislint.semantic.model import BoundArgs, Construction

if TYPE_CHECKING:
    import libcst as cst
else:
    from redislint._lazy import cst

_POS = "positional_or_keyword"
_KW = ("kwargs", "var_keyword")
_CLIENT = (
    ("host", _POS),
    ("port", _POS),
    ("db", _POS),
    ("password", _POS),
    ("socket_timeout", _POS),
    _KW,
)
_CLUSTER = (("host", _POS), ("port", _POS), ("startup_nodes", _POS), _KW)
_URL = (("url", _POS), _KW)
_FROM_POOL = (("connection_pool", _POS),)
_POOL = (("connection_class", _POS), ("max_connections", _POS), _KW)
_SENTINEL = (
    ("sentinels", _POS),
    ("min_other_sentinels", _POS),
    ("sentinel_kwargs", _POS),
    _KW,
)
_KEYWORDS_ONLY = (_KW,)

# Factories that hand out a client configured (and cached) elsewhere: no connection
# parameters, no new connection per call.
CONFIGURED_ELSEWHERE = frozenset({"django_redis.get_redis_connection"})
# In-memory fakes: no server, no connection.
FAKES = ("fakeredis.",)


def _params(construction: Construction) -> tuple[tuple[str, str], ...]:
    qualname = construction.qualname
    last = qualname.rsplit(".", 1)[-1]
    if last == "from_url":
        return _URL
    if last == "from_pool":
        return _FROM_POOL
    if known(qualname) is None or qualname.startswith(FAKES):
        return _KEYWORDS_ONLY  # a subclass in the tree, a fake or a helper library
    kind = construction.type.kind
    if kind is Kind.POOL:
        return _POOL
    if kind is Kind.SENTINEL:
        return _SENTINEL
    if kind is Kind.CLIENT:
        return _CLUSTER if construction.type.is_cluster else _CLIENT
    return _KEYWORDS_ONLY


def arguments(construction: Construction) -> BoundArgs:
    """The construction's arguments bound to the parameters of what it calls."""
    return bind_args(construction.node, _params(construction))


def is_connection_source(construction: Construction) -> bool:
    """A client, pool or Sentinel that opens its own connections (not a fake, not a
    factory that returns a client configured elsewhere, not a lock or pipeline)."""
    qualname = construction.qualname
    if qualname in CONFIGURED_ELSEWHERE or qualname.startswith(FAKES):
        return False
    return construction.type.kind in (Kind.CLIENT, Kind.POOL, Kind.SENTINEL)


def shares_pool(construction: Construction) -> bool:
    """A client built on an existing pool (``connection_pool=``, ``from_pool``): cheap,
    it opens no connection of its own."""
    args = arguments(construction)
    if construction.qualname.endswith(".from_pool") or args.get("connection_pool") is not None:
        return True
    return any(
        arg.star == "**"
        and isinstance(arg.value, cst.Name)
        and _holds_pool(construction, arg.value)
        for arg in construction.node.args
    )


def _holds_pool(construction: Construction, name: cst.Name) -> bool:
    """``kwargs = {"connection_pool": self.pool}`` ... ``Redis(**kwargs)`` in the scope."""
    todo: list[cst.CSTNode] = [construction.scope.node]
    while todo:
        node = todo.pop()
        if (
            isinstance(node, cst.Assign)
            and isinstance(node.value, cst.Dict)
            and any(
                isinstance(t.target, cst.Name) and t.target.value == name.value
                for t in node.targets
            )
            and any(
                isinstance(e, cst.DictElement)
                and isinstance(e.key, cst.SimpleString)
                and e.key.evaluated_value == "connection_pool"
                for e in node.value.elements
            )
        ):
            return True
        todo.extend(node.children)
    return False


def url_argument(construction: Construction) -> cst.BaseExpression | None:
    return arguments(construction).get("url")


def is_library_call(construction: Construction) -> bool:
    """A class or factory of a Redis library (not a subclass defined in the linted tree,
    whose ``__init__`` may set anything)."""
    return known(construction.qualname) is not None


def display_name(construction: Construction) -> str:
    """What the code called: ``redis.Redis``, ``redis.asyncio.Redis.from_url``, ``MyClient``."""
    return construction.qualname
