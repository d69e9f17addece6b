"""RL403 json-blob-object: A flat object stored as a JSON string instead of a hash."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from redislint.diagnostics import Severity
from redislint.rules.base import Rule, supports
from redislint.rules.shared import key_text
from redislint.semantic.context import FileContext
from redislint.semantic.dataflow import Flow
from redislint.semantic.model import Command

if TYPE_CHECKING:
    import libcst as cst
else:
    from redislint._lazy import cst


# Calls that turn an object into a dict.
_TO_DICT_CALLS = frozenset({"builtins.dict", "builtins.vars", "dataclasses.asdict", "attrs.asdict"})
_TO_DICT_METHODS = frozenset({"model_dump", "dict", "to_dict", "_asdict", "asdict", "as_dict"})


@cache
def _nested() -> tuple[type[cst.BaseExpression], ...]:
    """Container expressions (built on first use: libcst is imported lazily)."""
    return (
        cst.Dict,
        cst.List,
        cst.Tuple,
        cst.Set,
        cst.DictComp,
        cst.ListComp,
        cst.SetComp,
        cst.GeneratorExp,
    )


JSON_WRITES = frozenset({"set", "setex", "psetex", "setnx", "getset"})


class JsonBlobObject(Rule):
    """
    ## What it does
    Flags `set()` (`setex`, `psetex`, `setnx`, `getset`) of `json.dumps(obj)` (or
    `orjson`/`ujson`/`simplejson`) where `obj` is a flat dict: a dict literal of two or
    more fields whose values are not containers, a dict comprehension, `dict(...)`,
    `vars(x)`, `x.__dict__`, `dataclasses.asdict(x)`, `x.model_dump()`/`.dict()`/
    `.to_dict()`, directly or through local variables. Off by default.

    ## Why is this bad?
    A JSON string is opaque to Redis: reading one field means fetching and parsing the
    whole object, and updating one field is a read-modify-write of the whole blob (a
    race between two writers unless you add `WATCH` or a script). A hash stores the
    fields separately: `HGET`/`HMGET` read single fields, `HSET`/`HINCRBY` update them
    atomically, and small hashes are stored compactly (listpack). On Redis 7.4+ fields
    can even expire on their own (`HEXPIRE`).

    ## Example
    ```python
    r.set(f"user:{uid}", json.dumps({"name": name, "email": email, "visits": 0}))
    ```

    ## Use instead
    ```python
    r.hset(f"user:{uid}", mapping={"name": name, "email": email, "visits": 0})
    r.hincrby(f"user:{uid}", "visits", 1)
    ```

    ## Fix safety
    No automatic fix: readers of the key must change too (`hgetall` instead of
    `json.loads(get())`), and nested values need their own keys or stay JSON.

    ## References
    - [Hashes](https://redis.io/docs/latest/develop/data-types/hashes/)
    - [HEXPIRE](https://redis.io/docs/latest/commands/hexpire/) (Redis 7.4+)
    - [Memory optimization: small hashes](https://redis.io/docs/latest/operate/oss_and_stack/management/optimization/memory-optimization/)
    """

    code = "RL403"
    name = "json-blob-object"
    severity = Severity.INFO
    summary = "A flat object stored as a JSON string instead of a hash"
    default_enabled = False
    tags = ("data-structures",)
    precision = "medium"

    def check_command(self, cmd: Command, ctx: FileContext) -> None:
        if cmd.name not in JSON_WRITES or cmd.method == "execute_command":
            return
        value = cmd.args.get("value")
        if value is None:
            return
        flow = Flow(cmd, ctx)
        obj = flow.json_dumps_arg(value)
        if obj is None or not self._flat_dict(flow.follow(obj), flow):
            return
        hexpire = ""
        if supports(self.settings.target_redis_version, "7.4"):
            hexpire = ", and on Redis 7.4+ fields can expire on their own (hexpire)"
        ctx.report(
            self,
            cmd.node,
            f"{cmd.method}() stores a dict on {key_text(cmd)} as one JSON string: reading or "
            "updating one field means rewriting the whole blob; store it as a hash with "
            "hset(key, mapping=...), read fields with hget()/hmget() and update them with "
            f"hset()/hincrby(){hexpire}",
        )

    def _flat_dict(self, node: cst.BaseExpression, flow: Flow) -> bool:
        if isinstance(node, cst.Dict):
            fields = [e for e in node.elements if isinstance(e, cst.DictElement)]
            return len(fields) >= 2 and not any(isinstance(e.value, _nested()) for e in fields)
        if isinstance(node, cst.DictComp):
            return not isinstance(node.value, _nested())
        if isinstance(node, cst.Attribute):
            return node.attr.value == "__dict__"
        if isinstance(node, cst.Call):
            if flow.called(node) in _TO_DICT_CALLS:
                return True
            func = node.func
            return (
                isinstance(func, cst.Attribute)
                and func.attr.value in _TO_DICT_METHODS
                and not node.args
                and flow.qualname(func) is None
            )
        return False
