#!/usr/bin/env python3
"""Generate the table of redis-py methods that hand out another Redis object.

Usage: python scripts/gen_api_returns.py

Reads redis-py's own source (the installed ``redis`` package, parsed with ``ast``, never
imported) and writes ``src/redislint/data/api_returns.json``: for each kind of Redis object
redislint knows (client, sentinel, pool), the public methods whose result is a Redis
object, and what that is (``pipeline()`` -> pipeline, ``get_redis_connection()`` ->
client, ``master_for()`` -> client, ``from_pool()`` -> client, ``client()`` -> client...).
A method's result is read from its return annotation (``-> "Pipeline"``, ``-> Redis``) or,
without one, from what every ``return`` statement builds (``return Pipeline(...)``,
``return self.__class__(...)``, ``return cls(...)``). valkey-py is a fork with the same
classes, so the table serves both. tests/test_api_returns.py checks that the table matches
the installed redis-py.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import sys
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "redislint" / "data" / "api_returns.json"

# The classes whose methods are read, by the kind of object they are.
OWNERS = {
    "Redis": "client",
    "StrictRedis": "client",
    "RedisCluster": "client",
    "Sentinel": "sentinel",
    "ConnectionPool": "pool",
    "BlockingConnectionPool": "pool",
}
# What a class in a return annotation or constructor call is.
RESULTS = {
    **{name: kind for name, kind in OWNERS.items() if kind == "client"},
    "Pipeline": "pipeline",
    "ClusterPipeline": "pipeline",
    "PubSub": "pubsub",
    "ClusterPubSub": "pubsub",
    "Lock": "lock",
    "Script": "script",
    "AsyncScript": "script",
    "Monitor": "monitor",
    "JSON": "json",
    "AsyncJSON": "json",
    "Sentinel": "sentinel",
}
MODULES = (
    "client.py",
    "cluster.py",
    "sentinel.py",
    "connection.py",
    "commands/core.py",
    "commands/redismodules.py",
    "asyncio/client.py",
    "asyncio/cluster.py",
    "asyncio/sentinel.py",
    "asyncio/connection.py",
)
# Mixins whose methods the clients have (``register_script`` lives in ``ScriptCommands``).
MIXINS = {
    "ScriptCommands": "client",
    "AsyncScriptCommands": "client",
    "RedisModuleCommands": "client",
    "AsyncRedisModuleCommands": "client",
}


def _class_name(node: ast.expr | None, owner: str) -> str | None:
    """The class an annotation or a constructed value names."""
    if node is None:
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            node = ast.parse(node.value, mode="eval").body
        except SyntaxError:
            return None
    if isinstance(node, ast.Subscript):  # Type["Redis"], Awaitable[...]: not a result
        return None
    if isinstance(node, ast.Call):
        return _class_name(node.func, owner)
    if isinstance(node, ast.Attribute):
        if node.attr == "__class__" and isinstance(node.value, ast.Name):
            return owner  # self.__class__(...)
        return node.attr
    if isinstance(node, ast.Name):
        return owner if node.id == "cls" else node.id
    return None


def _result(func: ast.FunctionDef | ast.AsyncFunctionDef, owner: str) -> str | None:
    name = _class_name(func.returns, owner)
    if name is not None:
        return RESULTS.get(name)
    # a parameter naming the class to build (``redis_class=Redis`` in ``master_for``)
    args = func.args
    positional = [*args.posonlyargs, *args.args]
    defaults = dict(
        zip(
            [a.arg for a in positional[len(positional) - len(args.defaults) :]],
            args.defaults,
            strict=True,
        )
    )
    defaults.update(
        (a.arg, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is not None
    )
    kinds = set()
    for node in ast.walk(func):
        if isinstance(node, ast.Return) and node.value is not None:
            if not isinstance(node.value, ast.Call):
                return None
            built = node.value.func
            if isinstance(built, ast.Attribute) and built.attr in ("from_pool", "from_url"):
                built = built.value  # redis_class.from_pool(...): an instance of that class
            if isinstance(built, ast.Name) and built.id in defaults:
                built = defaults[built.id]
            kinds.add(RESULTS.get(_class_name(built, owner) or ""))
    return kinds.pop() if len(kinds) == 1 else None


def table(package: Path) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for rel in MODULES:
        path = package / rel
        if not path.exists():
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
            kind = OWNERS.get(cls.name) or MIXINS.get(cls.name)
            if kind is None:
                continue
            owner = cls.name if cls.name in OWNERS else "Redis"
            for func in cls.body:
                if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                if func.name.startswith("_"):
                    continue
                result = _result(func, owner)
                if result is not None:
                    found.setdefault(kind, {})[func.name] = result
    return {kind: dict(sorted(methods.items())) for kind, methods in sorted(found.items())}


def redis_package() -> Path:
    """Where the installed redis-py is (found, not imported)."""
    spec = importlib.util.find_spec("redis")
    if spec is None or spec.origin is None:
        sys.exit("redis-py is not installed: pip install -e '.[test]'")
    return Path(spec.origin).parent


def main() -> None:
    package = redis_package()
    data = {"redis_py_version": version("redis"), "returns": table(package)}
    OUT.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
