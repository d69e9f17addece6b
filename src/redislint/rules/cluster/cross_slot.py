"""RL701 cross-slot: Multi-key command or cluster transaction whose keys are in different hash slots."""

from __future__ import annotations

from redislint.clients.types import Kind
from redislint.commands import is_multi_key
from redislint.diagnostics import Severity
from redislint.keys.shape import Hole, KeyShape, Part
from redislint.keys.slots import SlotRelation, SlotView, slot_relation, slot_view
from redislint.rules.base import Rule
from redislint.rules.cluster.common import _show, on_cluster
from redislint.semantic.context import FileContext
from redislint.semantic.model import Command, Scope, TxMode, exclusive

# Multi-key methods that redis-py's RedisCluster (sync and asyncio) runs as one command per
# slot, and that cluster proxies (Envoy, twemproxy, redis-cluster-proxy) fan out likewise.
SPLIT_BY_CLUSTER_CLIENT = frozenset({"delete", "unlink", "exists", "touch"})


SPLIT_BY_PROXY = SPLIT_BY_CLUSTER_CLIENT | {"mget", "mset"}


# Transactions on a cluster pipeline: every key of WATCH ... MULTI ... EXEC in one slot.
_TRANSACTION_END = frozenset({"execute", "reset", "discard", "unwatch"})


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
