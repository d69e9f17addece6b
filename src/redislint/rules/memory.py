"""Memory and data-structure rules (RL4xx): values and collections that grow without limit."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from redislint.clients.types import Kind
from redislint.commands import all_methods, method_info
from redislint.diagnostics import Severity
from redislint.keys.shape import KeyShape, Relation, code, compare
from redislint.rules.base import Rule, supports
from redislint.rules.shared import key_text
from redislint.semantic.arguments import given, literal, text
from redislint.semantic.context import FileContext
from redislint.semantic.dataflow import Flow
from redislint.semantic.lifetime import EXPIRE_COMMANDS
from redislint.semantic.model import Command, TxMode, exclusive
from redislint.semantic.treefacts import TreeCondition, TreeQuery

if TYPE_CHECKING:
    import libcst as cst
else:
    from redislint._lazy import cst

# Commands after which a stream is bounded: trimmed, entries deleted, or the key expires.
STREAM_BOUNDS = frozenset({"xtrim", "del", "unlink"}) | EXPIRE_COMMANDS
# Judged across the tree: a periodic job that trims the stream, a consumer that deletes
# processed entries (expiries elsewhere are too often generic cache helpers to count).
TREE_STREAM_BOUNDS = frozenset({"xtrim", "xdel"})


class UnboundedStream(Rule):
    """
    ## What it does
    Flags `xadd()` calls without `maxlen` or `minid` (and `execute_command("XADD", ...)`
    without `MAXLEN`/`MINID`), unless the same function also trims the stream
    (`xtrim`), deletes it or gives it an expiry (outside a mutually exclusive branch),
    or some module of the linted tree may trim it (`xtrim` or `xdel` of the same key, or
    of a key computed at run time: a periodic cleanup job, a consumer that deletes
    processed entries).

    ## Why is this bad?
    A stream keeps every entry until something removes it: reading an entry, even
    acknowledging it in a consumer group, does not delete it. A stream fed by `XADD`
    alone grows until the server reaches `maxmemory`, then evicts other keys or rejects
    writes.

    ## Example
    ```python
    r.xadd("events", {"type": "click", "user": uid})
    ```

    ## Use instead
    ```python
    r.xadd("events", {"type": "click", "user": uid}, maxlen=100_000, approximate=True)
    ```
    `approximate=True` (`MAXLEN ~`) lets Redis trim whole internal nodes, which is much
    cheaper than an exact cap. `minid=` (Redis 6.2+) trims by age instead (entries older
    than an ID).

    ## Fix safety
    No automatic fix: only you know how many entries consumers may still need.

    ## References
    - [XADD](https://redis.io/docs/latest/commands/xadd/) (MAXLEN, MINID, `~`)
    - [XTRIM](https://redis.io/docs/latest/commands/xtrim/)
    - [Streams: capped streams](https://redis.io/docs/latest/develop/data-types/streams/#capped-streams)
    """

    code = "RL401"
    name = "unbounded-stream"
    severity = Severity.WARNING
    summary = "XADD without MAXLEN/MINID: the stream grows until memory runs out"
    tags = ("memory", "streams")
    precision = "high"
    tree_commands = TREE_STREAM_BOUNDS

    def check_command(self, cmd: Command, ctx: FileContext) -> None:
        if cmd.name != "xadd" or not self._unbounded(cmd):
            return
        for other in cmd.scope.commands:
            if other is cmd or other.name not in STREAM_BOUNDS:
                continue
            if (
                not exclusive(cmd.arms, other.arms)
                and cmd.same_key(other) is not Relation.DIFFERENT
            ):
                return  # trimmed, deleted or given an expiry by the same code path
        minid = " or minid=<oldest id to keep> (Redis 6.2+)"
        if not supports(self.settings.target_redis_version, "6.2"):
            minid = ""
        message = (
            f"xadd() to {key_text(cmd)} without maxlen or minid: a stream keeps every entry "
            "(even acknowledged ones) until it is trimmed, so it grows until memory runs "
            f"out; pass maxlen=<n>, approximate=True{minid}"
        )
        key = cmd.keys[0].shape if cmd.keys else None
        when = None
        if key is not None:
            when = TreeCondition(TreeQuery(TREE_STREAM_BOUNDS, key), expected=False)
        ctx.report(self, cmd.node, message, when=when)

    def _unbounded(self, cmd: Command) -> bool:
        if cmd.args.unpacked:
            return False
        if cmd.method == "execute_command":
            rest = cmd.args.varargs[2:]
            if not rest or text(rest[0]) is None:
                return False  # options built at run time
            words = {w.upper() for w in (text(a) for a in rest) if w is not None}
            return not words & {"MAXLEN", "MINID"}
        return not given(cmd, "maxlen") and not given(cmd, "minid")


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


# Commands that keep a set's members useful without reading them back.
_COUNT_ONLY = frozenset(
    {"sadd", "scard", "persist", "ttl", "pttl", "del", "unlink", "exists", "type", "touch"}
    | EXPIRE_COMMANDS
    | {"expiretime", "pexpiretime"}
)
_SCRIPTS = frozenset({"eval", "evalsha", "eval_ro", "evalsha_ro", "fcall", "fcall_ro"})


def _opaque_script(cmd: Command) -> bool:
    """A script call whose keys are not known statically."""
    if cmd.receiver.kind is Kind.SCRIPT:
        return cmd.args.get("keys") is not None or cmd.args.unpacked or bool(cmd.args.positional)
    if cmd.name in _SCRIPTS and not cmd.keys:
        numkeys = literal(cmd.args.get("numkeys"))
        return not (isinstance(numkeys, int) and numkeys == 0)
    return False


def _member_readers() -> frozenset[str]:
    """Commands that read a set's members back (everything of the set group but SADD/SCARD)."""
    names = set()
    for method in all_methods():
        info = method_info(method)
        if info is not None and info.command.group == "set":
            names.add(info.command.name)
    names |= {"sort", "sort_ro", "dump", "copy", "rename", "renamenx", "move", "migrate"}
    return frozenset(names - {"sadd", "scard"})


SET_MEMBER_READERS = _member_readers()


class SetForUniqueCount(Rule):
    """
    ## What it does
    Flags `sadd(K, ...)` when the module only ever counts the set: it calls `scard(K)`
    but never reads members back (`smembers`, `sismember`, `sscan`, `srem`, `spop`,
    set algebra...), no `sadd` result is used (a "was it new?" check), and no other
    module of the linted tree reads members of `K`. Off by default.

    ## Why is this bad?
    A set stores every member: counting the unique visitors of a busy page for a day
    can take tens of megabytes per key. A HyperLogLog answers "how many distinct?" in
    at most 12 KB per key, whatever the count, with a standard error of 0.81%.

    ## Example
    ```python
    r.sadd(f"visitors:{day}", user_id)
    total = r.scard(f"visitors:{day}")
    ```

    ## Use instead
    ```python
    r.pfadd(f"visitors:{day}", user_id)
    total = r.pfcount(f"visitors:{day}")
    ```

    ## Fix safety
    No automatic fix: the count becomes an estimate (about 0.81% standard error), and
    existing keys hold sets, not HyperLogLogs.

    ## References
    - [HyperLogLog](https://redis.io/docs/latest/develop/data-types/probabilistic/hyperloglogs/)
    - [PFADD](https://redis.io/docs/latest/commands/pfadd/), [PFCOUNT](https://redis.io/docs/latest/commands/pfcount/)
    """

    code = "RL404"
    name = "set-for-unique-count"
    severity = Severity.INFO
    summary = "A set used only to count distinct members (a HyperLogLog uses 12 KB)"
    default_enabled = False
    tags = ("memory", "data-structures")
    precision = "medium"
    tree_commands = SET_MEMBER_READERS

    def check_file(self, ctx: FileContext) -> None:
        commands = ctx.commands
        adds = [c for c in commands if c.name == "sadd" and c.keys]
        if not adds:
            return
        if any(_opaque_script(c) for c in commands):
            return  # a script whose keys are unknown may read any set
        done: list[KeyShape] = []
        for add in adds:
            shape = add.keys[0].shape
            if any(compare(shape, d) is Relation.SAME for d in done):
                continue
            done.append(shape)
            group = [a for a in adds if compare(a.keys[0].shape, shape) is Relation.SAME]
            counter = self._only_counted(shape, group, commands)
            if counter is None:
                continue
            when = TreeCondition(TreeQuery(SET_MEMBER_READERS, shape, exact=True), expected=False)
            for each in group:
                ctx.report(
                    self,
                    each.node,
                    f"the set {key_text(each)} is only counted with {counter.method}(), its "
                    "members are never read back: a HyperLogLog counts distinct members in "
                    "at most 12 KB with ~0.81% error; use pfadd()/pfcount()",
                    when=when,
                )

    def _only_counted(
        self, shape: KeyShape, group: list[Command], commands: list[Command]
    ) -> Command | None:
        if any(a.usage not in ("discarded", "awaited") and a.tx is TxMode.IMMEDIATE for a in group):
            return None  # the result of sadd() says whether the member is new: a dedup set
        counter = None
        for cmd in commands:
            if cmd.name in ("sadd",) or cmd.info is None:
                continue
            relations = [compare(shape, k.shape) for k in cmd.keys]
            if cmd.name == "scard" and Relation.SAME in relations:
                counter = counter or cmd
                continue
            if cmd.name in _COUNT_ONLY:
                continue
            if any(r is not Relation.DIFFERENT for r in relations):
                return None
        return counter
