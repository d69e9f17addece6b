"""Cluster rules (RL7xx): hash slots, hash tags, keys in scripts, cluster-aware clients."""

from __future__ import annotations

from typing import TYPE_CHECKING

from redislint.clients.knowledge import known
from redislint.clients.types import Kind, RedisType
from redislint.commands import is_multi_key, key_positions
from redislint.diagnostics import Severity
from redislint.keys.shape import Hole, KeyShape, Part
from redislint.keys.slots import (
    SlotRelation,
    SlotView,
    TagKind,
    slot_relation,
    slot_view,
    template_tag,
)
from redislint.lua import LuaSyntaxError
from redislint.lua_keys import KeyedCall, Origin, keyed_calls
from redislint.rules.base import Rule
from redislint.semantic.context import FileContext
from redislint.semantic.model import Command, Construction, Key, Scope, TxMode, exclusive
from redislint.semantic.scripts import ScriptSource, report_in_script, script_text

if TYPE_CHECKING:
    import libcst as cst
else:
    from redislint._lazy import cst

# Multi-key methods that redis-py's RedisCluster (sync and asyncio) runs as one command per
# slot, and that cluster proxies (Envoy, twemproxy, redis-cluster-proxy) fan out likewise.
SPLIT_BY_CLUSTER_CLIENT = frozenset({"delete", "unlink", "exists", "touch"})
SPLIT_BY_PROXY = SPLIT_BY_CLUSTER_CLIENT | {"mget", "mset"}
# Transactions on a cluster pipeline: every key of WATCH ... MULTI ... EXEC in one slot.
_TRANSACTION_END = frozenset({"execute", "reset", "discard", "unwatch"})


def on_cluster(receiver: RedisType, cluster: bool) -> bool:
    """Whether commands on ``receiver`` go to Redis Cluster."""
    if receiver.kind not in (Kind.CLIENT, Kind.PIPELINE, Kind.SCRIPT):
        return False
    return receiver.is_cluster is True or cluster


def _show(shape: KeyShape) -> str:
    """A key for messages: ``'user:1'``, or a template as an f-string (``f'{{u:{uid}}}'``)."""
    literal = shape.literal
    if literal is not None:
        return repr(literal)
    text = "".join(
        p.replace("{", "{{").replace("}", "}}")
        if isinstance(p, str)
        else "{" + p.text.split("#")[0] + "}"
        for p in shape.parts
    )
    return "f" + repr(text)


_SEPARATORS = ":._-/|"


def _suggestion(a: KeyShape, b: KeyShape) -> str | None:
    """``a`` with the leading part it shares with ``b`` made its hash tag, if they share one."""
    if any("{" in p or "}" in p for k in (a, b) for p in k.parts if isinstance(p, str)):
        return None
    common: list[Part] = []
    for x, y in zip(a.parts, b.parts, strict=False):
        if isinstance(x, str) and isinstance(y, str):
            n = next((i for i, (c, d) in enumerate(zip(x, y, strict=False)) if c != d), None)
            n = min(len(x), len(y)) if n is None else n
            common.append(x[:n])
            if n < len(x) or n < len(y):
                break
        elif x == y and isinstance(x, Hole) and not x.volatile:
            common.append(x)
        else:
            break
    if common and isinstance(common[-1], str):
        # end the tag before the last separator: "user:1:name"/"user:1:email" -> "user:1"
        text = common.pop()
        assert isinstance(text, str)
        cut = max(text.rfind(c) for c in _SEPARATORS)
        text = text[:cut].rstrip(_SEPARATORS) if cut >= 0 else ""
        if text:
            common.append(text)
    if not common or not any(isinstance(p, Hole) or p for p in common):
        return None
    if a.holes() and not any(isinstance(p, Hole) for p in common):
        return None  # a constant tag for a family of keys is RL703's hot tag
    rest: list[Part] = list(a.parts)
    for part in common:
        head = rest.pop(0)
        if isinstance(part, str) and isinstance(head, str) and len(head) > len(part):
            rest.insert(0, head[len(part) :])
    return _show(KeyShape(("{", *common, "}", *rest)))


def _what(cmd: Command) -> str:
    if cmd.method == "execute_command":
        return f"execute_command('{cmd.name.replace('|', ' ').upper()}')"
    if cmd.method == "__call__":
        return "this script call"
    return f"{cmd.method}()"


def _conflict(views: list[SlotView]) -> tuple[SlotView, SlotView, SlotRelation] | None:
    """Two keys that are not in one slot: a certain pair first, else an unproven one."""
    unproven = None
    for i, a in enumerate(views):
        for b in views[i + 1 :]:
            relation = slot_relation(a, b)
            if relation is SlotRelation.DIFFERENT:
                return a, b, relation
            if relation is SlotRelation.UNPROVEN and unproven is None:
                unproven = (a, b, relation)
    return unproven


def _why(a: SlotView, b: SlotView, relation: SlotRelation) -> str:
    if relation is SlotRelation.DIFFERENT:
        return f"{_show(a.shape)} (slot {a.slot}) and {_show(b.shape)} (slot {b.slot})"
    return f"{_show(a.shape)} and {_show(b.shape)}, which share no hash tag"


class CrossSlot(Rule):
    """
    ## What it does
    Flags a multi-key command (`mget`, `mset`, `sinter`, `rename`, `lmove`, `eval` with
    two or more keys, ...) whose keys are not in one hash slot, on a Redis Cluster client
    (`RedisCluster`, its pipelines and scripts), or on any client when the configuration
    says `cluster = true`. Also flags a transaction on a cluster pipeline
    (`pipeline(transaction=True)`) whose commands use keys of different slots.

    Literal keys are checked exactly: the slot is CRC16 of the key's hash tag (the text
    between the first `{` and the next `}`) or of the whole key, modulo 16384, as
    `CLUSTER KEYSLOT` computes it. Keys built at run time (`f"user:{uid}:a"`) pass only
    when they all share the same non-empty hash tag (`f"{{user:{uid}}}:a"`). A key that
    starts with a computed part (`f"{prefix}:a"`) may carry its tag in that part and is
    not judged.

    redis-py's `RedisCluster` runs `delete`, `unlink`, `exists` and `touch` as one command
    per slot, so these are only flagged on cluster pipelines, in cluster transactions and
    on plain clients with `cluster = true`; with `cluster-proxy = true`, `mget` and `mset`
    are not flagged either (proxies fan them out per slot).

    ## Why is this bad?
    Redis Cluster serves a command only if all its keys hash to the same slot; otherwise it
    answers `CROSSSLOT Keys in request don't hash to the same slot` (redis-py's
    `RedisCluster` raises before sending: "all keys must map to the same key slot"). Keys
    that land in one slot by chance today move apart when they change, so the command
    works in development against a single server and fails in production.

    ## Example
    ```python
    rc = RedisCluster(host="redis-cluster", port=6379)
    name, email = rc.mget(f"user:{uid}:name", f"user:{uid}:email")
    rc.rename("report:today", "report:yesterday")
    ```

    ## Use instead
    ```python
    name, email = rc.mget(f"{{user:{uid}}}:name", f"{{user:{uid}}}:email")
    rc.rename("{report}:today", "{report}:yesterday")
    ```
    Put the part the keys share (usually the entity id) in braces so it becomes the hash
    tag, or, where atomicity is not needed, use `mget_nonatomic`/`mset_nonatomic`.

    ## Fix safety
    There is no automatic fix: renaming keys moves data, and every reader and writer of
    the keys must change together.

    ## References
    - [Redis Cluster specification: hash tags](https://redis.io/docs/latest/operate/oss_and_stack/reference/cluster-spec/#hash-tags)
    - [CLUSTER KEYSLOT](https://redis.io/docs/latest/commands/cluster-keyslot/)
    - [redis-py: Redis Cluster](https://redis.readthedocs.io/en/stable/clustering.html)
    """

    code = "RL701"
    name = "cross-slot"
    severity = Severity.ERROR
    summary = "Multi-key command or cluster transaction whose keys are in different hash slots"
    tags = ("cluster", "correctness")

    def check_command(self, cmd: Command, ctx: FileContext) -> None:
        if not on_cluster(cmd.receiver, self.settings.cluster) or len(cmd.keys) < 2:
            return
        if cmd.method != "__call__" and (cmd.info is None or not is_multi_key(cmd.info.name)):
            return
        receiver = cmd.receiver
        split = receiver.is_cluster and receiver.kind is Kind.CLIENT
        if (split and cmd.method in SPLIT_BY_CLUSTER_CLIENT) or (
            self.settings.cluster_proxy and cmd.method in SPLIT_BY_PROXY
        ):
            return  # sent as one command per slot
        found = _conflict([slot_view(k.shape) for k in cmd.keys])
        if found is None:
            return
        a, b, relation = found
        suggestion = _suggestion(a.shape, b.shape)
        fix = (
            f"make the part they share their hash tag, e.g. {suggestion}"
            if suggestion is not None
            else "give them one hash tag (the part they share in braces: '{user:42}:name')"
        )
        ctx.report(
            self,
            cmd.node,
            f"{_what(cmd)} on keys {_why(a, b, relation)}: Redis Cluster rejects a "
            f"multi-key command whose keys are in different hash slots (CROSSSLOT); {fix}",
        )

    def check_scope(self, scope: Scope, ctx: FileContext) -> None:
        """Every key of one transaction on a cluster pipeline must be in one slot."""
        seen: dict[str, list[tuple[Command, SlotView]]] = {}
        for cmd in scope.commands:
            pipe = cmd.pipe
            if pipe is None or not on_cluster(cmd.receiver, self.settings.cluster):
                continue
            if cmd.method in _TRANSACTION_END:
                seen.pop(pipe.ident, None)
                continue
            if cmd.tx not in (TxMode.TRANSACTION, TxMode.WATCHING):
                continue
            earlier = seen.setdefault(pipe.ident, [])
            views = [slot_view(k.shape) for k in cmd.keys]
            conflict = next(
                (
                    (other, other_view, view, relation)
                    for view in views
                    for other, other_view in earlier
                    if not exclusive(cmd.arms, other.arms)
                    and (relation := slot_relation(other_view, view))
                    in (SlotRelation.DIFFERENT, SlotRelation.UNPROVEN)
                ),
                None,
            )
            earlier.extend((cmd, view) for view in views)
            if conflict is not None:
                other, other_view, view, relation = conflict
                ctx.report(
                    self,
                    cmd.node,
                    f"{_what(cmd)} in a cluster transaction after {_what(other)} on keys "
                    f"{_why(other_view, view, relation)}: every key of a cluster transaction "
                    "(WATCH/MULTI/EXEC) must be in one hash slot (CROSSSLOT); give the keys "
                    "one hash tag",
                )


class LuaUndeclaredKey(Rule):
    """
    ## What it does
    Flags a `redis.call()` / `redis.pcall()` in a Lua script whose key is not taken from
    `KEYS`: a literal key name (`redis.call('INCR', 'stats:total')`), a name built from
    `ARGV` (`'user:' .. ARGV[1]`), or one built from a declared key and other text
    (`KEYS[1] .. ':meta'`). Scripts are found in literals passed to `eval()`,
    `register_script()`, `script_load()` and `execute_command("EVAL", ...)`, and in names
    bound to such literals (module constants, class attributes). Function libraries passed
    to `function_load()` are checked too: there the keys of a function registered with
    `redis.register_function` come from its first parameter.

    Keys taken from `KEYS[i]`, from a local bound to it, from a loop over `ipairs(KEYS)` or
    from `unpack(KEYS)` are fine, and so are keys whose origin cannot be told (the result
    of another command, a helper function's parameter). Which arguments of a command are
    keys comes from the server's key specifications (`SET` has one key, `MSET` every other
    argument, `XREAD` the ones after `STREAMS`). Out of reach: scripts read from `.lua`
    files or built at run time, and libraries loaded outside the Python code (with
    `redis-cli FUNCTION LOAD`); the finding is at the Lua call inside the Python literal,
    or at the Python call when the script is a constant of another module.

    ## Why is this bad?
    Redis requires every key a script touches to be passed in `KEYS` ("all names of keys
    that a script accesses must be explicitly provided as input key arguments"). Redis
    Cluster routes a script by its declared keys: an undeclared key may live in another
    slot, on another node, and the script fails there (or, worse, works until the data is
    resharded). Proxies, replication and the ACL key permissions rely on the same
    declaration.

    ## Example
    ```python
    RECORD = r.register_script(\"\"\"
    redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
    redis.call('INCR', 'stats:total')
    \"\"\")
    RECORD(keys=[f"hits:{page}"], args=[visitor])
    ```

    ## Use instead
    ```python
    RECORD = r.register_script(\"\"\"
    redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
    redis.call('INCR', KEYS[2])
    \"\"\")
    RECORD(keys=[f"hits:{page}", "stats:total"], args=[visitor])
    ```
    On Redis Cluster the keys of one call must also share a hash slot (RL701).

    ## Fix safety
    There is no automatic fix: the script's callers must pass the extra keys.

    ## References
    - [Scripting with Lua: script parameters](https://redis.io/docs/latest/develop/interact/programmability/eval-intro/#script-parameterization)
    - [Redis functions](https://redis.io/docs/latest/develop/interact/programmability/functions-intro/)
    """

    code = "RL702"
    name = "lua-undeclared-key"
    severity = Severity.ERROR
    summary = "Lua script touches a key that is not passed in KEYS"
    tags = ("cluster", "scripting")

    def check_file(self, ctx: FileContext) -> None:
        for cmd in ctx.commands:
            source = script_text(cmd, ctx)
            if source is None:
                continue
            try:
                calls = keyed_calls(source.text, library=source.library)
            except LuaSyntaxError:
                continue
            for call in calls:
                problem = _undeclared(call)
                if problem is not None:
                    message = _lua_message(source, call, *problem)
                    report_in_script(
                        ctx, self, cmd, source, (call.call.start, call.call.end), message
                    )


def _undeclared(call: KeyedCall) -> tuple[Origin, str | None] | None:
    """The first key argument of ``call`` that does not come from the declared keys."""
    argv: list[str | None] = [call.command]
    argv += [v.text if v.origin is Origin.LITERAL else None for v in call.args]
    found = key_positions(argv)
    if found is None:
        return None
    for position in found.positions:
        index = position - 1
        if index >= len(call.args):
            break
        if any(v.spread for v in call.args[:index]):
            break  # an earlier argument stands for several: positions are unknown
        value = call.args[index]
        if value.origin in (Origin.LITERAL, Origin.ARGV, Origin.BUILT):
            return value.origin, value.text
    return None


def _lua_message(source: ScriptSource, call: KeyedCall, origin: Origin, text: str | None) -> str:
    pcall = "pcall" if "pcall" in source.text[call.call.start : call.call.start + 12] else "call"
    where = "function library" if source.library else "Lua script"
    declared = "the function's keys" if source.library else "KEYS"
    if origin is Origin.LITERAL:
        what = f"the literal key {text!r}" if text is not None else "a literal key"
    elif origin is Origin.ARGV:
        what = "a key built from " + ("the function's arguments" if source.library else "ARGV")
    else:
        what = "a key built from a declared key and other text"
    how = "pass it as a key to fcall()" if source.library else "pass it in KEYS"
    return (
        f"redis.{pcall}('{call.command.upper()}') in this {where} uses {what}, which is not "
        f"declared in {declared}: Redis Cluster cannot route the script by it and the key "
        f"may live on another node; {how}"
    )


class HotHashTag(Rule):
    """
    ## What it does
    Flags, on Redis Cluster clients (or every client with `cluster = true`), a key
    template whose hash tag is constant, such as `f"{{cache}}:{item_id}"`: every key it
    builds has the tag `cache`, so all of them land in one hash slot on one shard. Also
    flags a key whose first `{...}` is empty (`"a{}{b}"`, `f"{{}}:{uid}"`): Redis then
    ignores it and hashes the whole key, so a tag written after it does nothing.

    A tag that contains the varying part (`f"{{user:{uid}}}:cart"`) is fine, and so is a
    single fixed key with a tag (`"{global}:config"`): one key is in one slot anyway, and
    tags exist precisely to co-locate a few such keys for multi-key commands.

    ## Why is this bad?
    Redis Cluster spreads keys over 16384 slots, and slots over shards, by hashing each
    key's tag. A constant tag sends an unbounded family of keys to one slot: that shard
    holds all their memory and serves all their traffic while the others idle, and the
    slot cannot be split when it grows. An empty tag is almost always a mistake (a
    forgotten `.format()`, a doubled brace in an f-string).

    ## Example
    ```python
    rc.set(f"{{cache}}:{item_id}", payload, ex=300)
    rc.get("session{}{user:42}")
    ```

    ## Use instead
    ```python
    rc.set(f"cache:{item_id}", payload, ex=300)  # no tag: spread over every shard
    rc.get("session{user:42}")
    ```

    ## Fix safety
    There is no automatic fix: changing a key's tag moves it to another slot, so existing
    data must be migrated.

    ## References
    - [Redis Cluster specification: hash tags](https://redis.io/docs/latest/operate/oss_and_stack/reference/cluster-spec/#hash-tags)
    - [Scaling with Redis Cluster](https://redis.io/docs/latest/operate/oss_and_stack/management/scaling/)
    """

    code = "RL703"
    name = "hot-hash-tag"
    severity = Severity.WARNING
    summary = "Key template with a constant or empty hash tag (every key in one slot)"
    tags = ("cluster", "performance")

    def check_command(self, cmd: Command, ctx: FileContext) -> None:
        if not on_cluster(cmd.receiver, self.settings.cluster):
            return
        for key in cmd.keys:
            tag = template_tag(key.shape)
            node = _written_at(cmd, key, ctx)
            if tag.kind is TagKind.EMPTY:
                ctx.report(
                    self,
                    node,
                    f"key {_show(key.shape)} starts with an empty hash tag '{{}}': Redis "
                    "ignores it and hashes the whole key (a tag written after it has no "
                    "effect); remove the braces or put the shared part inside them",
                )
            elif tag.kind is TagKind.CONSTANT and key.shape.holes():
                ctx.report(
                    self,
                    node,
                    f"key template {_show(key.shape)} has the constant hash tag "
                    f"'{{{tag.text}}}': every key it builds lands in one hash slot, on one "
                    "shard; put the varying part in the tag or drop the braces",
                )


def _written_at(cmd: Command, key: Key, ctx: FileContext) -> cst.CSTNode:
    """Where a key template is written: its argument, or the string a name is bound to."""
    node = key.node
    if isinstance(node, cst.Name):
        bound = cmd.bindings.get(node.value)
        if bound is None and not cmd.scope.versions.get(node.value):
            bound = ctx.module_constant(node.value)
        if isinstance(bound, cst.SimpleString | cst.ConcatenatedString | cst.FormattedString):
            return bound
        if isinstance(bound, cst.BinaryOperation | cst.Call):
            return bound
    return node


class NonClusterClient(Rule):
    """
    ## What it does
    With `cluster = true` in the configuration, flags the construction of a client that
    does not speak the cluster protocol: `redis.Redis(...)`, `StrictRedis`, `from_url`,
    `Redis.from_pool`, their `redis.asyncio` forms, the `valkey` equivalents, and classes
    of the linted code derived from them. Test code is not checked.

    When the cluster is reached through a proxy that routes commands itself (Envoy,
    redis-cluster-proxy, a managed endpoint), plain clients are right: set
    `cluster-proxy = true` and this rule stays silent.

    ## Why is this bad?
    A Redis Cluster node answers a command for a key it does not own with a `MOVED` (or,
    during resharding, `ASK`) redirect. A plain client does not follow it: every command
    whose key lives on another node fails with `MOVED 3999 10.0.0.2:6379`, which is most of
    them on a cluster with several shards.

    ## Example
    ```python
    r = redis.Redis(host="redis-cluster.internal", port=6379)
    ```

    ## Use instead
    ```python
    from redis.cluster import RedisCluster

    r = RedisCluster(host="redis-cluster.internal", port=6379)
    ```

    ## Fix safety
    There is no automatic fix: `RedisCluster` takes other options (no `db`), and
    multi-key commands must then respect hash slots (RL701).

    ## References
    - [redis-py: Redis Cluster](https://redis.readthedocs.io/en/stable/clustering.html)
    - [Redis Cluster specification: MOVED redirection](https://redis.io/docs/latest/operate/oss_and_stack/reference/cluster-spec/#moved-redirection)
    """

    code = "RL704"
    name = "non-cluster-client"
    severity = Severity.ERROR
    summary = "Plain (non-cluster) client constructed in code configured for Redis Cluster"
    tags = ("cluster", "correctness")

    def check_construction(self, construction: Construction, ctx: FileContext) -> None:
        settings = self.settings
        if not settings.cluster or settings.cluster_proxy or ctx.is_test:
            return
        kind = construction.type
        if kind.kind is not Kind.CLIENT or kind.is_cluster is not False:
            return
        qualname = construction.qualname
        if known(qualname) is not None and qualname.split(".")[0] not in _PLAIN_LIBRARIES:
            return  # fakeredis, django_redis' configured connection, walrus...
        library = "valkey" if qualname.startswith("valkey") else "redis"
        cluster = "ValkeyCluster" if library == "valkey" else "RedisCluster"
        module = f"{library}.asyncio" if kind.is_async else f"{library}.cluster"
        ctx.report(
            self,
            construction.node,
            f"{qualname}(...) is not a cluster client: it cannot follow Redis Cluster's "
            f"MOVED/ASK redirects (the configuration says cluster = true); use "
            f"{module}.{cluster}, or set cluster-proxy = true if a proxy routes the commands",
        )


_PLAIN_LIBRARIES = frozenset({"redis", "valkey", "aioredis"})
