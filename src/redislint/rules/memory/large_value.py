"""RL402 large-value: Whole file or HTTP response body stored as one Redis value."""

from __future__ import annotations

from typing import TYPE_CHECKING

from redislint.diagnostics import Severity
from redislint.keys.shape import code
from redislint.rules.base import Rule
from redislint.semantic.context import FileContext
from redislint.semantic.dataflow import Flow
from redislint.semantic.model import Command

if TYPE_CHECKING:
    import libcst as cst
else:
    from redislint._lazy import cst


# Parameters of write commands that carry the values written (not keys, fields or options).
VALUE_PARAMS = ("value", "values", "mapping", "fields", "items")


def written_values(cmd: Command) -> list[cst.BaseExpression]:
    """The values a write command stores (dict values of mappings, elements of lists)."""
    if cmd.method == "execute_command":
        raw = list(cmd.args.varargs[2:])
    else:
        raw = []
        for param in VALUE_PARAMS:
            node = cmd.args.params.get(param)
            if node is not None:
                raw.append(node)
        if cmd.method_info is not None and dict(cmd.method_info.params).get("values") == (
            "var_positional"
        ):
            raw.extend(cmd.args.varargs)
    out: list[cst.BaseExpression] = []
    for node in raw:
        if isinstance(node, cst.Dict):
            out.extend(e.value for e in node.elements if isinstance(e, cst.DictElement))
        elif isinstance(node, cst.List | cst.Tuple):
            out.extend(e.value for e in node.elements if not isinstance(e, cst.StarredElement))
        else:
            out.append(node)
    return out


_SIZE_WORDS = ("st_size", "getsize", "content_length", "content-length", "max_size", "size_limit")


class LargeValue(Rule):
    """
    ## What it does
    Flags writes (`set`, `hset`, `lpush`, `xadd`... any command that stores data) of a
    value that is read whole from a file or an HTTP response body, directly or through
    local variables: `open(...).read()`, `Path.read_bytes()`/`read_text()`,
    `response.content`/`.text` of a `requests`/`httpx`/`aiohttp`/`urllib3` response,
    `urlopen(...).read()`. Bounded reads (`f.read(65536)`, `data[:1024]`) and values
    whose size is checked before the write (`if len(data) <= LIMIT:`) are not flagged.

    ## Why is this bad?
    Redis runs commands one at a time: writing, reading, replicating or deleting a
    multi-megabyte value holds up every other client for that long, and a file or an
    HTTP body has no size limit of its own (one upload or upstream change and the value
    is 100 MB). Big values also make memory use jumpy and eviction coarse.

    ## Example
    ```python
    r.set(f"avatar:{uid}", Path(upload).read_bytes(), ex=3600)
    r.set(f"page:{url}", requests.get(url).content, ex=300)
    ```

    ## Use instead
    ```python
    key = storage.put(Path(upload).read_bytes())  # object storage or disk
    r.set(f"avatar:{uid}", key, ex=3600)

    body = requests.get(url).content
    if len(body) <= 512 * 1024:
        r.set(f"page:{url}", body, ex=300)
    ```

    ## Fix safety
    No automatic fix.

    ## References
    - [Redis latency: large values and slow commands](https://redis.io/docs/latest/operate/oss_and_stack/management/optimization/latency/)
    - [Memory optimization](https://redis.io/docs/latest/operate/oss_and_stack/management/optimization/memory-optimization/)
    """

    code = "RL402"
    name = "large-value"
    severity = Severity.WARNING
    summary = "Whole file or HTTP response body stored as one Redis value"
    tags = ("memory", "performance")
    precision = "medium"

    def check_command(self, cmd: Command, ctx: FileContext) -> None:
        if cmd.info is None or "denyoom" not in cmd.info.flags:
            return
        values = written_values(cmd)
        if not values:
            return
        flow = Flow(cmd, ctx)
        for value in values:
            source = flow.whole_read(value)
            if source is None or self._size_checked(cmd, value, flow):
                continue
            whole = "the whole file" if source.kind == "file" else "the whole response body"
            ctx.report(
                self,
                cmd.node,
                f"{cmd.method}() stores {source.what} ({whole}) as one value: its size has "
                "no limit, and Redis blocks every other client while it writes, reads or "
                "deletes a multi-megabyte value; keep large payloads in object storage or on "
                "disk and store a reference, or check the size before writing",
            )
            return

    def _size_checked(self, cmd: Command, value: cst.BaseExpression, flow: Flow) -> bool:
        names = _names_along(value, cmd)
        tests = [g.test for g in cmd.guards]
        tests += [t for t, before in cmd.scope.conditions if before <= cmd.index]
        for test in tests:
            text_ = code(test).lower()
            if any(w in text_ for w in _SIZE_WORDS):
                return True
            if any(f"len({n.lower()})" in text_ for n in names):
                return True
        return False


def _names_along(node: cst.BaseExpression, cmd: Command) -> set[str]:
    """The local names a value passes through on its way to the command."""
    found: set[str] = set()
    todo = [node]
    while todo and len(found) < 32:
        current = todo.pop()
        if isinstance(current, cst.Name):
            if current.value not in found:
                found.add(current.value)
                bound = cmd.bindings.get(current.value)
                if bound is not None:
                    todo.append(bound)
        elif isinstance(current, cst.Attribute | cst.Call | cst.Await):
            inner = (
                current.value
                if isinstance(current, cst.Attribute)
                else current.func
                if isinstance(current, cst.Call)
                else current.expression
            )
            todo.append(inner)
    return found
