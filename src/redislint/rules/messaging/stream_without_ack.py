"""RL503 stream-without-ack: XREADGROUP on a stream that is never XACKed (pending entries grow forever)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from redislint.diagnostics import Severity
from redislint.keys.shape import Hole, KeyShape
from redislint.rules.base import Rule, supports
from redislint.semantic.arguments import literal, text
from redislint.semantic.context import FileContext
from redislint.semantic.model import Command
from redislint.semantic.treefacts import TreeCondition, TreeQuery

if TYPE_CHECKING:
    import libcst as cst
else:
    from redislint._lazy import cst


ACK_COMMANDS = frozenset({"xack", "xackdel"})


class StreamWithoutAck(Rule):
    """
    ## What it does
    Flags `xreadgroup()` on a stream that no module of the linted tree ever
    acknowledges: there is no `xack()` on that stream key (or, when the stream key is
    computed at run time and cannot be compared, no `xack()` at all). Reads with
    `noack=True` are an explicit choice and are not flagged.

    ## Why is this bad?
    Every entry `XREADGROUP` delivers goes into the group's pending entries list (PEL)
    and stays there until it is acknowledged. Without `XACK` the PEL grows with every
    message ever processed (memory, slower `XPENDING`/`XCLAIM`), and you lose the point
    of a consumer group: you can no longer tell processed entries from ones whose
    consumer crashed, so nothing is retried reliably.

    ## Example
    ```python
    for _, entries in r.xreadgroup("mailers", consumer, {"emails": ">"}, block=5000):
        for entry_id, fields in entries:
            send(fields)
    ```

    ## Use instead
    ```python
    for _, entries in r.xreadgroup("mailers", consumer, {"emails": ">"}, block=5000):
        for entry_id, fields in entries:
            send(fields)
            r.xack("emails", "mailers", entry_id)
    ```
    Entries left pending by a crashed consumer can be taken over with `xautoclaim()`
    (Redis 6.2+). If losing messages is acceptable, say so with `noack=True`.

    ## Fix safety
    No automatic fix: acknowledge after the work is done, not before.

    ## References
    - [XREADGROUP](https://redis.io/docs/latest/commands/xreadgroup/), [XACK](https://redis.io/docs/latest/commands/xack/)
    - [Consumer groups: the pending entries list](https://redis.io/docs/latest/develop/data-types/streams/#consumer-groups)
    - [XAUTOCLAIM](https://redis.io/docs/latest/commands/xautoclaim/)
    """

    code = "RL503"
    name = "stream-without-ack"
    severity = Severity.ERROR
    summary = "XREADGROUP on a stream that is never XACKed (pending entries grow forever)"
    tags = ("reliability", "messaging", "memory")
    precision = "high"
    tree_commands = ACK_COMMANDS

    def check_command(self, cmd: Command, ctx: FileContext) -> None:
        if cmd.name != "xreadgroup" or cmd.args.unpacked:
            return
        noack = cmd.args.get("noack")
        if noack is not None and literal(noack) not in (False, None):
            return  # noack=True (or a flag decided at run time): an explicit choice
        if cmd.method == "execute_command" and any(
            (text(a) or "").upper() == "NOACK" for a in cmd.args.varargs
        ):
            return
        streams = self._streams(cmd, ctx)
        key = streams[0] if len(streams) == 1 else None
        shown, where = "its streams", "at all"
        if key is not None:
            parts = key.parts
            if len(parts) == 1 and isinstance(parts[0], Hole):
                shown = f"the stream in {parts[0].text.split('#')[0]}"
            else:
                shown = f"stream {key.display()!r}"
            where = "on it"
        recover = (
            "xautoclaim()" if supports(self.settings.target_redis_version, "6.2") else "xclaim()"
        )
        ctx.report(
            self,
            cmd.node,
            f"xreadgroup() reads {shown} but no linted code calls xack() {where}: every "
            "delivered entry stays in the group's pending list forever, so entries of "
            f"crashed consumers cannot be found and retried ({recover}); call "
            "xack(stream, group, id) after processing each entry (or pass noack=True if "
            "losing messages is acceptable)",
            when=TreeCondition(TreeQuery(ACK_COMMANDS, key), expected=False),
        )

    def _streams(self, cmd: Command, ctx: FileContext) -> list[KeyShape]:
        """The shapes of the stream keys read (the keys of the ``streams`` dict)."""
        streams = cmd.args.get("streams")
        if streams is None:
            return [k.shape for k in cmd.keys]
        if isinstance(streams, cst.Name):
            bound = cmd.bindings.get(streams.value)
            if isinstance(bound, cst.Dict):
                streams = bound
        if isinstance(streams, cst.Dict):
            if any(not isinstance(e, cst.DictElement) for e in streams.elements):
                return []
            return [
                ctx.shape(e.key, cmd.scope)
                for e in streams.elements
                if isinstance(e, cst.DictElement)
            ]
        return []
