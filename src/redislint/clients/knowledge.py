"""Which imported names are Redis clients, client classes and factories.

Keys are canonical dotted names as written in import statements
(``redis.asyncio.Redis``); ``known(qualname)`` answers what calling or annotating
with that name yields.
"""

from __future__ import annotations

from dataclasses import dataclass

from redislint.clients.types import Kind, RedisType

SYNC = RedisType(Kind.CLIENT)
ASYNC = RedisType(Kind.CLIENT, is_async=True)
CLUSTER = RedisType(Kind.CLIENT, is_cluster=True)
ASYNC_CLUSTER = RedisType(Kind.CLIENT, is_async=True, is_cluster=True)


@dataclass(frozen=True)
class Known:
    """What a known name stands for.

    ``instance``: the Redis object that calling the name (a class or a factory) or
    annotating with it (a class) yields. ``is_class``: annotations with it describe
    instances. ``factories``: class attributes such as ``from_url`` that build an
    instance too.
    """

    instance: RedisType
    is_class: bool


def _table() -> dict[str, Known]:
    table: dict[str, Known] = {}

    def cls(names: list[str], instance: RedisType) -> None:
        for name in names:
            table[name] = Known(instance, True)
            for factory in ("from_url", "from_pool"):
                table[f"{name}.{factory}"] = Known(instance, False)

    def func(names: list[str], instance: RedisType) -> None:
        for name in names:
            table[name] = Known(instance, False)

    for lib, client, cluster in (
        ("redis", "Redis", "RedisCluster"),
        ("valkey", "Valkey", "ValkeyCluster"),
    ):
        plain = [client, f"Strict{client}"] + (["Redis", "StrictRedis"] if lib == "valkey" else [])
        cls([f"{lib}.{c}" for c in plain] + [f"{lib}.client.{c}" for c in plain], SYNC)
        cls(
            [f"{lib}.asyncio.{c}" for c in plain] + [f"{lib}.asyncio.client.{c}" for c in plain],
            ASYNC,
        )
        cls([f"{lib}.{cluster}", f"{lib}.cluster.{cluster}"], CLUSTER)
        cls([f"{lib}.asyncio.{cluster}", f"{lib}.asyncio.cluster.{cluster}"], ASYNC_CLUSTER)
        func([f"{lib}.from_url", f"{lib}.client.from_url"], SYNC)
        func([f"{lib}.asyncio.from_url", f"{lib}.asyncio.client.from_url"], ASYNC)
        sentinel = RedisType(Kind.SENTINEL)
        cls([f"{lib}.Sentinel", f"{lib}.sentinel.Sentinel"], sentinel)
        cls(
            [f"{lib}.asyncio.Sentinel", f"{lib}.asyncio.sentinel.Sentinel"],
            RedisType(Kind.SENTINEL, is_async=True),
        )
        cls([f"{lib}.client.Pipeline"], RedisType(Kind.PIPELINE, transaction=None))
        cls([f"{lib}.asyncio.client.Pipeline"], RedisType(Kind.PIPELINE, is_async=True))
        cls([f"{lib}.cluster.ClusterPipeline"], RedisType(Kind.PIPELINE, is_cluster=True))
        cls(
            [f"{lib}.asyncio.cluster.ClusterPipeline"],
            RedisType(Kind.PIPELINE, is_async=True, is_cluster=True),
        )
        cls([f"{lib}.client.PubSub"], RedisType(Kind.PUBSUB))
        cls([f"{lib}.asyncio.client.PubSub"], RedisType(Kind.PUBSUB, is_async=True))
        cls([f"{lib}.lock.Lock"], RedisType(Kind.LOCK))
        cls([f"{lib}.asyncio.lock.Lock"], RedisType(Kind.LOCK, is_async=True))
        cls([f"{lib}.commands.core.Script"], RedisType(Kind.SCRIPT))
        cls([f"{lib}.commands.core.AsyncScript"], RedisType(Kind.SCRIPT, is_async=True))
        cls([f"{lib}.commands.json.JSON"], RedisType(Kind.JSON))
        cls([f"{lib}.commands.json.AsyncJSON"], RedisType(Kind.JSON, is_async=True))
        pools = ["ConnectionPool", "BlockingConnectionPool"]
        cls(
            [f"{lib}.{p}" for p in pools]
            + [f"{lib}.connection.{p}" for p in pools]
            + [f"{lib}.sentinel.SentinelConnectionPool"],
            RedisType(Kind.POOL),
        )
        cls(
            [f"{lib}.asyncio.{p}" for p in pools]
            + [f"{lib}.asyncio.connection.{p}" for p in pools],
            RedisType(Kind.POOL, is_async=True),
        )
    # Libraries whose objects are redis-py clients (subclasses, proxies or the same API).
    func(["django_redis.get_redis_connection"], SYNC)
    cls(["flask_redis.FlaskRedis"], SYNC)
    cls(["fakeredis.FakeRedis", "fakeredis.FakeStrictRedis"], SYNC)
    cls(["fakeredis.aioredis.FakeRedis", "fakeredis.FakeAsyncRedis"], ASYNC)
    cls(["aioredis.Redis", "aioredis.StrictRedis", "aioredis.client.Redis"], ASYNC)
    func(["aioredis.from_url"], ASYNC)
    cls(["walrus.Database", "walrus.database.Database"], SYNC)
    cls(["rediscluster.RedisCluster", "rediscluster.StrictRedisCluster"], CLUSTER)
    return table


KNOWN: dict[str, Known] = _table()
# Every dotted prefix of a known name (``walrus`` and ``walrus.Database`` for
# ``walrus.Database``): a name that may lead to one of them.
KNOWN_PREFIXES = frozenset(
    ".".join(parts[:i])
    for parts in (name.split(".") for name in KNOWN)
    for i in range(1, len(parts) + 1)
)
# The last component of each (``Redis``, ``from_url``): ``x.Redis(...)`` may construct a
# client whatever ``x`` is.
KNOWN_LAST_NAMES = frozenset(name.rsplit(".", 1)[-1] for name in KNOWN)

# Libraries and modules that hold Redis clients. Names imported from any other external
# module are "something else" (a Django cache, an HTTP client...), never a client.
# The Pub/Sub object's subscription methods (coroutines on the asyncio client).
PUBSUB_SUBSCRIPTIONS = frozenset(
    {"subscribe", "psubscribe", "ssubscribe", "unsubscribe", "punsubscribe", "sunsubscribe"}
)

REDIS_LIBRARIES = ("redis", "valkey", "aioredis", "fakeredis", "django_redis", "walrus")

# Settings objects: their attributes are whatever the project configured (a URL, a number,
# sometimes a ready client object), not something of the library that defines them.
SETTINGS_OBJECTS = frozenset({"django.conf.settings"})

# Functions that import a name given as a string (a setting): what they return cannot be
# known, unlike what other imported functions return (something that is not a client).
DYNAMIC_IMPORTS = frozenset(
    {
        "django.utils.module_loading.import_string",
        "importlib.import_module",
        "pydoc.locate",
        "werkzeug.utils.import_string",
        "kombu.utils.imports.symbol_by_name",
    }
)

# Redis-named things that are not redis-py clients: cache backends with their own
# ``get``/``set(key, value, timeout)`` API, lock and queue libraries.
NOT_CLIENTS = frozenset(
    {
        "django_redis.cache.RedisCache",
        "django.core.cache.backends.redis.RedisCache",
        "redis_cache.RedisCache",
        "cachelib.RedisCache",
        "cachelib.redis.RedisCache",
        "flask_caching.backends.RedisCache",
        "flask_caching.backends.rediscache.RedisCache",
        "aiocache.RedisCache",
        "redis_lock.Lock",
        "celery.backends.redis.RedisBackend",
        "kombu.transport.redis.Channel",
    }
)


# Framework accessors that hand out the raw redis-py client behind a cache object:
# Django's cache (``cache``, ``caches["default"]``) with django-redis
# (``cache.client.get_client()``) or django-redis-cache (``cache.get_master_client()``).
_DJANGO_CACHES = ("django.core.cache.cache", "django.core.cache.caches[]")
_RAW_CLIENT_CALLS = (".client.get_client", ".get_master_client", ".get_client")


def raw_client_accessor(qualname: str) -> bool:
    """Whether calling ``qualname`` (a dotted path from an import) returns the redis-py
    client of a framework's cache."""
    return qualname.startswith(_DJANGO_CACHES) and qualname.endswith(_RAW_CLIENT_CALLS)


RAW_CLIENT_METHODS = frozenset(call.rsplit(".", 1)[-1] for call in _RAW_CLIENT_CALLS)


def is_raw_client_method(name: str) -> bool:
    """Whether a method called ``name`` may be a framework cache's raw client accessor."""
    return name in RAW_CLIENT_METHODS


def keeps_path(qualname: str) -> bool:
    """Whether an item of ``qualname`` (``caches["default"]``) is worth following: it
    may lead to a raw client accessor."""
    return qualname == "django.core.cache.caches"


def known(qualname: str) -> Known | None:
    """What ``qualname`` stands for, when it is a Redis class or factory."""
    return KNOWN.get(qualname)


def is_redis_library(qualname: str) -> bool:
    """Whether ``qualname`` lives in a library of Redis clients (``redis.exceptions`` too)."""
    root = qualname.split(".", 1)[0]
    return root in REDIS_LIBRARIES and qualname not in NOT_CLIENTS
