"""RL703 hot-hash-tag: Key template with a constant or empty hash tag (every key in one slot)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from redislint.diagnostics import Severity
from redislint.keys.slots import TagKind, template_tag
from redislint.rules.base import Rule
from redislint.rules.cluster.common import _show, on_cluster
from redislint.semantic.context import FileContext
from redislint.semantic.model import Command, Key

if TYPE_CHECKING:
    import libcst as cst
else:
    from redislint._lazy import cst


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
