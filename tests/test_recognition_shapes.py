"""How real code hands a client to the call: context managers, generators, containers,
annotations, redis-py's own API and imports inside functions — found in one file and across
modules, with lookalikes that stay silent."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness import run_fixture


def keys_lines(tmp_path: Path, files: dict[str, str]) -> set[tuple[str, int]]:
    for name, body in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body)
    return {(f.path, f.start.line) for f in run_fixture(tmp_path, {"select": ["RL301"]})}


CASES = {
    "contextmanager": (
        "@contextlib.contextmanager\ndef conn():\n    c = redis.Redis()\n    try:\n"
        "        yield c\n    finally:\n        c.close()\n\n\n"
        "def use():\n    with conn() as c:\n        c.keys('*')\n"
    ),
    "asynccontextmanager": (
        "@contextlib.asynccontextmanager\nasync def conn():\n    yield redis.asyncio.Redis()\n\n\n"
        "async def use():\n    async with conn() as c:\n        await c.keys('*')\n"
    ),
    "annotated contextmanager": (
        "@contextlib.contextmanager\ndef conn() -> Iterator[redis.Redis]:\n    yield make()\n\n\n"
        "def use():\n    with conn() as c:\n        c.keys('*')\n"
    ),
    "generator": (
        "def clients():\n    yield redis.Redis(port=1)\n    yield redis.Redis(port=2)\n\n\n"
        "def use():\n    for c in clients():\n        c.keys('*')\n"
    ),
    "with a client": "def use():\n    with redis.Redis() as c:\n        c.keys('*')\n",
    "a factory annotated with the class": (
        "def client_class() -> 'type[redis.Redis]':\n    from redis import Redis as R\n"
        "    return R\n\n\ndef use():\n    client_class().from_url(URL).keys('*')\n"
    ),
    "bound in a try whose handler raises": (
        "def use():\n    try:\n        c = redis.Redis.from_url(URL)\n"
        "    except KeyError:\n        raise ValueError('no url')\n    c.keys('*')\n"
    ),
    "master_for": (
        "def use(s: Sentinel):\n    with s.master_for('m') as c:\n        c.keys('*')\n"
    ),
    "lru_cache factory": (
        "@functools.lru_cache\ndef client():\n    return redis.Redis()\n\n\n"
        "def use():\n    client().keys('*')\n"
    ),
    "cached_property": (
        "class S:\n    @functools.cached_property\n    def client(self):\n"
        "        return redis.Redis()\n\n    def use(self):\n        self.client.keys('*')\n"
    ),
    "dict of clients, values()": (
        "NODES: dict[str, redis.Redis] = {}\n\n\n"
        "def use():\n    for c in NODES.values():\n        c.keys('*')\n"
    ),
    "list of clients": (
        "class Pool:\n    def __init__(self):\n        self.nodes: list[redis.Redis] = []\n\n"
        "    def use(self):\n        for c in self.nodes:\n            c.keys('*')\n"
    ),
    "indexed": "NODES: dict[str, redis.Redis] = {}\n\n\ndef use():\n    NODES['a'].keys('*')\n",
    "parameter named like the module": (
        "class Collection:\n    def __init__(self, redis=None):\n"
        "        self.redis = self._create() if redis is None else redis\n\n"
        "    def _create(self):\n        return redis.StrictRedis()\n\n"
        "    def use(self):\n        self.redis.keys('*')\n"
    ),
    "isinstance narrowing": (
        "class Connection:\n    def __init__(self, opts: typing.Union[dict, str, redis.Redis]):\n"
        "        if isinstance(opts, (redis.Redis, redis.RedisCluster)):\n"
        "            self.conn = opts\n        else:\n            self.conn = redis.from_url(opts)\n\n"
        "    def use(self):\n        self.conn.keys('*')\n"
    ),
    "property with a setter": (
        "class Store:\n    def __init__(self, redis=None):\n        self.redis = redis\n\n"
        "    @property\n    def redis(self) -> redis.Redis:\n        return self._redis\n\n"
        "    @redis.setter\n    def redis(self, value) -> None:\n        self._redis = value\n\n"
        "    def use(self):\n        self.redis.keys('*')\n"
    ),
    "client class chosen by a factory": (
        "class Prefixed(redis.Redis):\n    pass\n\n\n"
        "class Channel:\n    def __init__(self, prefix):\n        self.prefix = prefix\n"
        "        self.Client = self._get_client()\n\n"
        "    def _get_client(self):\n        if self.prefix:\n"
        "            return functools.partial(Prefixed, prefix=self.prefix)\n"
        "        return redis.Redis\n\n"
        "    def use(self):\n        self.Client().keys('*')\n"
    ),
    "import fallback and a module chosen by a factory": (
        "try:\n    from redis import asyncio as aioredis\nexcept ImportError:\n"
        "    import aioredis\n\ntry:\n    from valkey import asyncio as aiovalkey\n"
        "except ImportError:\n    aiovalkey = None\n\n\n"
        "class Manager:\n    def __init__(self, url):\n        self.url = url\n\n"
        "    def _module(self):\n        if self.url.startswith('valkey'):\n"
        "            return aiovalkey\n        return aioredis\n\n"
        "    def connect(self):\n        module = self._module()\n"
        "        self.redis = module.Redis.from_url(self.url)\n\n"
        "    async def use(self):\n        await self.redis.keys('*')\n"
    ),
    "attribute holding one of two client classes": (
        "class Safe(redis.Redis):\n    pass\n\n\n"
        "class Backend:\n    def __init__(self, safe):\n        if safe:\n"
        "            self._client_class = Safe\n        else:\n"
        "            self._client_class = redis.Redis\n\n"
        "    def use(self):\n        self._client_class().keys('*')\n"
    ),
    "factory turned into its client by a decorator from outside the tree": (
        "from funcy import LazyObject\n\n\n"
        "@LazyObject\ndef store():\n    return redis.Redis()\n\n\n"
        "def use():\n    store.keys('*')\n"
    ),
    "class dict of clients, one taken from Django's settings": (
        "from django.conf import settings\n\n\n"
        "class Server:\n    _clients = {}\n\n    def get(self, kind):\n"
        "        if kind == 'object':\n            self._clients[kind] = settings.REDIS_OBJECT\n"
        "        else:\n            self._clients[kind] = redis.Redis()\n"
        "        return self._clients[kind]\n\n\n"
        "def use():\n    Server().get('x').keys('*')\n"
    ),
    "isinstance narrowing of a parameter": (
        "def use(conn):\n    if isinstance(conn, (redis.Redis, redis.RedisCluster)):\n"
        "        conn.keys('*')\n"
    ),
    "method annotated with a Protocol": (
        "class Commands(typing.Protocol):\n    def keys(self, pattern: str) -> list: ...\n\n\n"
        "class Store:\n    def client(self):\n        return redis.Redis()\n\n"
        "    def commands(self) -> Commands:\n        return self.client()\n\n"
        "    def use(self):\n        self.commands().keys('*')\n"
    ),
    "alias that is Any at run time": (
        "if TYPE_CHECKING:\n    Client = redis.Redis\nelse:\n    Client = Any\n\n\n"
        "def make() -> Client:\n    return build()\n\n\ndef use():\n    make().keys('*')\n"
    ),
    "Redis | Any": "def use(c: redis.Redis | Any):\n    c.keys('*')\n",
    "get_redis_connection": (
        "rc = redis.RedisCluster()\n\n\n"
        "def use():\n    rc.get_redis_connection(rc.get_node('h', 1)).keys('*')\n"
    ),
    "from_pool": "def use(p):\n    redis.Redis.from_pool(p).keys('*')\n",
    "django-redis raw client": (
        "from django.core.cache import cache\n\n\n"
        "def use():\n    cache.client.get_client(True).keys('*')\n"
    ),
    "django-redis-cache master client": (
        "from django.core.cache import caches\n\n\n"
        "def use():\n    caches['default'].get_master_client().keys('*')\n"
    ),
    "property(getter)": (
        "class Q:\n    def _get(self):\n        return self._redis\n\n"
        "    def _set(self, server):\n        self._redis = redis.Redis(server)\n\n"
        "    redis = property(_get, _set)\n\n    def names(self):\n        self.redis.keys('*')\n"
    ),
    "dict filled by assignment": (
        "class Layer:\n    def __init__(self):\n        self._conns = {}\n\n"
        "    def conn(self, i):\n        if i not in self._conns:\n"
        "            self._conns[i] = redis.Redis(port=i)\n        return self._conns[i]\n\n"
        "    def flush(self):\n        self.conn(1).keys('*')\n"
    ),
}
HEADER = (
    "import contextlib\nimport functools\nimport typing\nfrom typing import Any, Iterator\n\n"
    "import redis\n"
    "from redis.sentinel import Sentinel\n\n\n"
)


@pytest.mark.parametrize("shape", list(CASES))
def test_found_in_one_file(tmp_path: Path, shape: str) -> None:
    code = HEADER + CASES[shape]
    line = next(n for n, text in enumerate(code.splitlines(), 1) if "keys('*')" in text)
    assert keys_lines(tmp_path, {"app.py": code}) == {("app.py", line)}


LOOKALIKES = {
    "contextmanager of a dict": (
        "@contextlib.contextmanager\ndef conn():\n    yield {}\n\n\n"
        "def use():\n    with conn() as c:\n        c.keys()\n"
    ),
    "generator of strings": (
        "def names():\n    yield 'a'\n\n\ndef use():\n    for c in names():\n        c.keys('*')\n"
    ),
    "dict of dicts": (
        "TABLES: dict[str, dict[str, int]] = {}\n\n\n"
        "def use():\n    for t in TABLES.values():\n        t.keys()\n"
    ),
    "annotated plain dict": "CACHE: dict = {}\n\n\ndef use():\n    CACHE.keys()\n",
    "a factory annotated with the dict class": (
        "def table_class() -> type[dict]:\n    return dict\n\n\n"
        "def use():\n    table_class()().keys()\n"
    ),
    "a handler falling through with a dict": (
        "def use():\n    try:\n        c = redis.Redis.from_url(URL)\n"
        "    except KeyError:\n        c = {}\n    c.keys()\n"
    ),
    "Any alone": "def use(c: Any):\n    c.keys('*')\n",
    "isinstance narrowing to a dict": (
        "class Table:\n    def __init__(self, rows):\n        if isinstance(rows, dict):\n"
        "            self.rows = rows\n        else:\n            self.rows = dict(rows)\n\n"
        "    def use(self):\n        self.rows.keys()\n"
    ),
    "factory choosing between a client and a dict class": (
        "class Channel:\n    def __init__(self, local):\n        self.local = local\n"
        "        self.Store = self._get_store()\n\n"
        "    def _get_store(self):\n        if self.local:\n            return dict\n"
        "        return redis.Redis\n\n"
        "    def use(self):\n        self.Store().keys()\n"
    ),
    "factory turned into a dict by a decorator from outside the tree": (
        "from funcy import LazyObject\n\n\n"
        "@LazyObject\ndef table():\n    return {}\n\n\n"
        "def use():\n    table.keys()\n"
    ),
    "a Django setting alone": (
        "from django.conf import settings\n\n\ndef use():\n    settings.TABLES.keys()\n"
    ),
    "a client narrowed to a dict": (
        "CONFIG = redis.Redis()\n\n\ndef use(value=CONFIG):\n"
        "    if isinstance(value, dict):\n        value.keys()\n"
    ),
    "method annotated with a plain class": (
        "class Table:\n    def keys(self): ...\n\n\n"
        "class Store:\n    def client(self):\n        return redis.Redis()\n\n"
        "    def table(self) -> Table:\n        return self.client()\n\n"
        "    def use(self):\n        self.table().keys()\n"
    ),
    "alias of a dict or Any": (
        "if TYPE_CHECKING:\n    Table = dict\nelse:\n    Table = Any\n\n\n"
        "def make() -> Table:\n    return build()\n\n\ndef use():\n    make().keys()\n"
    ),
    "Django's cache itself": (
        "from django.core.cache import cache, caches\n\n\n"
        "def use():\n    cache.keys('*')\n    caches['default'].keys('*')\n"
    ),
    "dict filled with dicts": (
        "class Layer:\n    def __init__(self):\n        self._rows = {}\n\n"
        "    def row(self, i):\n        self._rows[i] = {}\n        return self._rows[i]\n\n"
        "    def names(self):\n        return self.row(1).keys()\n"
    ),
}


@pytest.mark.parametrize("shape", list(LOOKALIKES))
def test_lookalikes_stay_silent(tmp_path: Path, shape: str) -> None:
    assert keys_lines(tmp_path, {"app.py": HEADER + LOOKALIKES[shape]}) == set()


def test_across_modules(tmp_path: Path) -> None:
    files = {
        "app/__init__.py": "",
        "app/db.py": HEADER
        + CASES["contextmanager"].split("\n\n\ndef use")[0]
        + "\n"
        + "\n\n@functools.cache\ndef shared():\n    return redis.Redis()\n"
        + "\n\nNODES: dict[str, redis.Redis] = {}\n",
        "app/views.py": (
            "from app.db import NODES, conn, shared\n\n\n"
            "def a():\n    with conn() as c:\n        c.keys('*')\n\n\n"
            "def b():\n    shared().keys('*')\n\n\n"
            "def c():\n    for n in NODES.values():\n        n.keys('*')\n"
        ),
        # an import inside the function that builds the client
        "app/cache.py": (
            "class Cache:\n    def __init__(self):\n        from app.db import shared\n\n"
            "        self.client = shared()\n\n    def flush(self):\n        self.client.keys('*')\n"
        ),
    }
    assert keys_lines(tmp_path, files) == {
        ("app/views.py", 6),
        ("app/views.py", 10),
        ("app/views.py", 15),
        ("app/cache.py", 8),
    }


def test_a_star_import_brings_what_the_tree_module_imported(tmp_path: Path) -> None:
    files = {
        "orm/__init__.py": "",
        "orm/core.py": "import redis\nimport json\n\nTABLE = {}\n",
        "orm/tests.py": (
            "from orm.core import *\n\n\ndef clean(pool, prefix):\n"
            "    r = redis.Redis(connection_pool=pool)\n    r.keys(prefix + '*')\n"
            "    TABLE.keys()\n    json.keys('*')\n"
        ),
        # a star import from outside the tree says nothing about the names it brings
        "orm/other.py": "from flask import *\n\n\ndef use():\n    views.keys('*')\n",
    }
    assert keys_lines(tmp_path, files) == {("orm/tests.py", 6)}


HELPER = '"""Redis helpers."""\n\n\ndef purge(conn, pattern):\n    return conn.keys(pattern)\n'


def test_a_parameter_is_what_every_caller_passes(tmp_path: Path) -> None:
    caller = (
        "import redis\nfrom helpers import purge\n\nr = redis.Redis()\n\n\n"
        "def job():\n    purge(r, 'tmp:*')\n"
    )
    found = keys_lines(tmp_path, {"helpers.py": HELPER, "jobs.py": caller})
    assert found == {("helpers.py", 5)}


def test_a_parameter_one_caller_passes_a_dict_to_stays_unknown(tmp_path: Path) -> None:
    callers = (
        "import redis\nfrom helpers import purge\n\nr = redis.Redis()\n\n\n"
        "def job():\n    purge(r, 'tmp:*')\n\n\ndef local():\n    purge({}, 'x')\n"
    )
    assert keys_lines(tmp_path, {"helpers.py": HELPER, "jobs.py": callers}) == set()


def test_a_parameter_passed_through_a_loop_over_stored_clients(tmp_path: Path) -> None:
    code = (
        "import redis\n\n\nclass Redlock:\n    def __init__(self, urls):\n"
        "        self.servers = []\n        for url in urls:\n"
        "            if url.startswith('redis'):\n                server = redis.Redis.from_url(url)\n"
        "            else:\n                server = redis.Redis()\n"
        "            self.servers.append(server)\n\n"
        "    def names(self, server):\n        return server.keys('lock:*')\n\n"
        "    def all(self):\n        for s in self.servers:\n            self.names(s)\n"
    )
    assert keys_lines(tmp_path, {"lock.py": code}) == {("lock.py", 15)}


def test_an_attribute_chain_through_a_class_narrowed_by_isinstance(tmp_path: Path) -> None:
    files = {
        "app/__init__.py": "",
        "app/conn.py": (
            "import redis.asyncio as redis\n\n\nclass Connection:\n"
            "    def __init__(self, opts):\n        if isinstance(opts, redis.Redis):\n"
            "            self.conn = opts\n        else:\n"
            "            self.conn = redis.from_url(opts)\n"
        ),
        "app/backend.py": (
            "from app.conn import Connection\n\n\nclass RedisBackend:\n"
            "    def __init__(self, connection: Connection):\n        self.connection = connection\n\n"
            "    async def names(self):\n        return await self.connection.conn.keys('*')\n"
        ),
    }
    assert keys_lines(tmp_path, files) == {("app/backend.py", 9)}


DECORATORS = """import functools

import redis

r = redis.Redis()


def with_redis(func):
    @functools.wraps(func)
    def inner(*args, **kwargs):
        return func(r, *args, **kwargs)

    return inner


def with_table(func):
    @functools.wraps(func)
    def inner(*args, **kwargs):
        return func({}, *args, **kwargs)

    return inner


def get_client(write=False):
    def wrapper(method):
        @functools.wraps(method)
        def wrapped(self, key, *args, **kwargs):
            client = self.get_client(key, write=write)
            return method(self, client, key, *args, **kwargs)

        return wrapped

    return wrapper


class Cache:
    def get_client(self, key, write=False):
        return r

    @get_client(write=True)
    def purge(self, client, key):
        return client.keys(key + "*")
"""


def test_a_parameter_a_decorator_passes(tmp_path: Path) -> None:
    jobs = (
        "from app.db import with_redis, with_table\n\n\n"
        "@with_redis\ndef purge(conn, prefix):\n    return conn.keys(prefix + '*')\n\n\n"
        "@with_table\ndef names(table, prefix):\n    return table.keys()\n"
    )
    files = {"app/__init__.py": "", "app/db.py": DECORATORS, "app/jobs.py": jobs}
    # the wrapped method of a class (django-redis-cache's get_client) and a decorator
    # from another module; the dict a decorator passes stays a dict
    assert keys_lines(tmp_path, files) == {("app/db.py", 42), ("app/jobs.py", 6)}


def test_a_lazy_client_from_another_module(tmp_path: Path) -> None:
    files = {
        "app/__init__.py": "",
        "app/db.py": (
            "import redis\nfrom funcy import LazyObject\n\n\n"
            "@LazyObject\ndef store():\n    return redis.Redis()\n"
        ),
        "app/jobs.py": "from app.db import store\n\n\ndef purge():\n    store.keys('*')\n",
    }
    assert keys_lines(tmp_path, files) == {("app/jobs.py", 5)}


PY2_STORE = (
    "import redis\n\n\n"
    "class Store(object):\n"
    "    def connect(self):\n"
    "        try:\n"
    "            redis.StrictRedis().ping()\n"
    "        except redis.ConnectionError, e:\n"
    "            raise ValueError(e)\n"
    "        return redis.StrictRedis()\n\n"
    "    def __init__(self):\n"
    "        self.conn = self.connect()\n\n"
    "    def names(self):\n"
    "        return self.conn.keys('*')\n"
)


def test_python_2_code_is_indexed_like_python_3(tmp_path: Path) -> None:
    """``except E, e:`` (which libcst reads, CPython 3 does not) leaves the rest of the file
    to the index as usual: the method returning a client is known, in the
    file and in the modules importing it."""
    user = (
        "from store import Store\n\n\n"
        "def use():\n    Store().connect().keys('*')\n"
        "    {}.keys()\n"  # a lookalike stays silent
    )
    assert keys_lines(tmp_path, {"store.py": PY2_STORE, "use.py": user}) == {
        ("store.py", 16),
        ("use.py", 5),
    }


def test_a_broken_python_3_file_is_not_repaired_into_findings(tmp_path: Path) -> None:
    broken = "import redis\n\nr = redis.Redis()\nr.keys('*')\ndef f(:\n    pass\n"
    (tmp_path / "app.py").write_text(broken)
    found = run_fixture(tmp_path, {"select": ["RL301"]})
    assert [(f.code, f.start.line, f.start.column) for f in found] == [("RL000", 5, 7)]


def test_a_module_whose_classes_hand_out_clients_makes_its_importers_candidates(
    tmp_path: Path,
) -> None:
    """A file with no Redis token of its own that uses a tree class whose method returns a
    client, or whose instances hold one, is linted (the prefilter's second stage); one that
    imports a class holding only a dict is not."""
    files = {
        "store.py": (
            "import redis\n\n\nclass Store:\n    def __init__(self):\n"
            "        self.conn = redis.Redis()\n        self.rows = {}\n\n"
            "    def connect(self):\n        return redis.Redis()\n\n\n"
            "class Table:\n    def __init__(self):\n        self.rows = {}\n"
        ),
        "use.py": (
            "from store import Store\n\n\ndef use():\n    Store().connect().keys('*')\n"
            "    s = Store()\n    s.conn.keys('*')\n    s.rows.keys()\n"
        ),
        "table.py": "from store import Table\n\n\ndef use():\n    Table().rows.keys()\n",
    }
    assert keys_lines(tmp_path, files) == {("use.py", 5), ("use.py", 7)}


def test_a_protocol_declaring_redis_py_api_types_a_client(tmp_path: Path) -> None:
    """Code typed with a Protocol of redis-py's own methods (to avoid importing redis) talks
    to a client; a cache Protocol with ``get(self, key)``/``set(self, key, value)`` does not
    declare redis-py's API and stays unknown. Across modules too."""
    protocols = (
        "from typing import Protocol\n\n\n"
        "class RedisCommands(Protocol):\n"
        "    def set(self, name: str, value: str, *, nx: bool = False, px: int = 0): ...\n"
        "    def keys(self, pattern: str = '*'): ...\n\n\n"
        "class Cache(Protocol):\n"
        "    def set(self, key: str, value: str): ...\n"
        "    def keys(self, prefix: str): ...\n"
    )
    user = (
        "from dataclasses import dataclass\n\n"
        "from protocols import Cache, RedisCommands\n\n\n"
        "@dataclass\nclass Store:\n    client: RedisCommands\n    cache: Cache\n\n"
        "    def names(self):\n"
        "        self.cache.keys('*')\n"
        "        return self.client.keys('*')\n"
    )
    assert keys_lines(tmp_path, {"protocols.py": protocols, "store.py": user}) == {("store.py", 13)}
