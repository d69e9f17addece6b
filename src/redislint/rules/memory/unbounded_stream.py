"""RL401 unbounded-stream: XADD without MAXLEN/MINID: the stream grows until memory runs out."""

from __future__ import annotations

from redislint.diagnostics import Severity
from redislint.keys.shape import Relation
from redislint.rules.base import Rule, supports
from redislint.rules.shared import key_text
from redislint.semantic.arguments import given, text
from redislint.semantic.context import FileContext
from redislint.semantic.lifetime import EXPIRE_COMMANDS
from redislint.semantic.model import Command, exclusive
from redislint.semantic.treefacts import TreeCondition, TreeQuery

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
