"""RL405 key-type-conflict: One key template used as two Redis types (a WRONGTYPE error at run time)."""

from __future__ import annotations

from collections.abc import Iterator

from redislint.diagnostics import Severity
from redislint.rules.base import KeyspaceFinding, Rule
from redislint.semantic.keyspace import Place, TemplateRow, typed_commands

# A HyperLogLog is a string to the server: GET, SET and DEL work on it.
_SAME_TYPE = {"hyperloglog": "string"}
_DELETES = frozenset({"del", "unlink"})
_NAMES = {"zset": "a sorted set", "json": "a JSON document", "string": "a string"}


def _type(kind: str) -> str:
    return _SAME_TYPE.get(kind, kind)


def _recreated(place: Place, row: TemplateRow) -> bool:
    """The function deletes the key before this use: it makes the key anew, of this type."""
    return any(
        other.command in _DELETES
        and other.path == place.path
        and other.function == place.function
        and other.line < place.line
        for other in row.places
    )


class KeyTypeConflict(Rule):
    """
    ## What it does
    Flags a key template that the linted tree uses as two different Redis types: `hset`
    on `user:{uid}` in one module and `set`/`get` on `user:{uid}` in another, `lpush` and
    `sadd` on one key. The finding is at the less frequent use and names a use of the
    other type.

    Only the same template counts (`user:{uid}` and `user:{uid}:tags` are different keys;
    a variable key such as `key` is not compared), commands that work on any type
    (`delete`, `exists`, `expire`, `ttl`, `type`, `rename`) say nothing, and a function that
    deletes the key before using it as another type is making it anew.

    ## Why is this bad?
    A Redis key holds one type. Whichever use runs second fails with `WRONGTYPE Operation
    against a key holding the wrong kind of value`, or, for `SET`, silently replaces the
    other type's data: a hash of a user's fields becomes a string, and every later `HGET`
    fails. Such conflicts come from two modules that picked the same key name for
    different data, or from a refactoring that changed a key's type in one place only.

    ## Example
    ```python
    # profile.py
    r.hset(f"user:{uid}", mapping={"name": name})

    # cache.py
    r.set(f"user:{uid}", json.dumps(user), ex=300)
    ```

    ## Use instead
    ```python
    # cache.py: a key of its own for the cached copy
    r.set(f"user:{uid}:cache", json.dumps(user), ex=300)
    ```

    ## Fix safety
    No automatic fix: which use is right, and what to rename, is a design decision.

    ## References
    - [Redis data types](https://redis.io/docs/latest/develop/data-types/)
    - [TYPE](https://redis.io/docs/latest/commands/type/)
    - [Keys and values](https://redis.io/docs/latest/develop/use/keyspace/)
    """

    code = "RL405"
    name = "key-type-conflict"
    severity = Severity.ERROR
    summary = "One key template used as two Redis types (a WRONGTYPE error at run time)"
    tags = ("data-structures",)
    precision = "high"

    tree_commands = typed_commands()

    def check_keyspace(self, rows: list[TemplateRow]) -> Iterator[KeyspaceFinding]:
        for row in rows:
            uses: dict[str, list[Place]] = {}
            for kind, places in row.types.items():
                for place in places:
                    if not _recreated(place, row):
                        uses.setdefault(_type(kind), []).append(place)
            if len(uses) < 2:
                continue
            # the type most uses agree on (ties: the first in type order) stands
            kinds = sorted(uses, key=lambda k: (-len(uses[k]), k))
            major = kinds[0]
            other = uses[major][0]
            for kind in kinds[1:]:
                for place in uses[kind]:
                    overwrite = "set" in (place.command, other.command)
                    yield KeyspaceFinding(
                        place.path,
                        place.line,
                        place.column,
                        f"{row.template!r} is used here as {_NAMES.get(kind, 'a ' + kind)} "
                        f"({place.command}), but as {_NAMES.get(major, 'a ' + major)} at "
                        f"{other.location()} ({other.command}): "
                        + (
                            "SET replaces the other type's data, and the other commands "
                            "then fail with WRONGTYPE"
                            if overwrite
                            else "whichever runs second fails with WRONGTYPE"
                        )
                        + "; give each type its own key template",
                    )
