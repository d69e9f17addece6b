"""RL303 unbounded-collection-read: Whole-collection read (hgetall, smembers, lrange 0 -1...) that grows with the data."""

from __future__ import annotations

from typing import TYPE_CHECKING

from redislint.diagnostics import Severity
from redislint.rules.base import Rule, supports
from redislint.rules.shared import key_text
from redislint.semantic.arguments import literal
from redislint.semantic.context import FileContext
from redislint.semantic.model import Command

if TYPE_CHECKING:
    import libcst as cst


# Reads that return a whole collection, with the incremental alternative.
WHOLE_READS = {
    "hgetall": "hscan_iter(key)",
    "hkeys": "hscan_iter(key)",
    "hvals": "hscan_iter(key)",
    "smembers": "sscan_iter(key)",
}
SET_ALGEBRA = frozenset({"sunion", "sinter", "sdiff"})
RANGES = {
    "lrange": "lrange(key, start, start + page - 1) in pages",
    "zrange": "zscan_iter(key) or zrange(key, start, start + page - 1) in pages",
    "zrevrange": "zrange(key, start, start + page - 1, desc=True) in pages",
}


def _int(node: cst.BaseExpression | None) -> int | None:
    value = literal(node)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class UnboundedCollectionRead(Rule):
    """
    ## What it does
    Flags reads that return a whole collection in one reply: `hgetall()`, `hkeys()`,
    `hvals()`, `smembers()`, `lrange(K, 0, -1)` / `zrange(K, 0, -1)` / `zrevrange(K, 0,
    -1)` (any range from a non-negative start to a negative end), and
    `sunion()`/`sinter()`/`sdiff()`. Off by default: on collections that stay small
    these are fine.

    ## Why is this bad?
    These commands are O(N) in the size of the collection and build the whole reply
    before sending it. A hash, set or list that grows with your data (followers,
    events, cart items) eventually takes milliseconds to seconds to read, and Redis
    serves no other client meanwhile; the reply also has to fit in the client's memory.

    ## Example
    ```python
    followers = r.smembers(f"followers:{uid}")
    events = r.lrange("events", 0, -1)
    ```

    ## Use instead
    ```python
    for member in r.sscan_iter(f"followers:{uid}", count=500):
        ...
    events = r.lrange("events", 0, 99)
    ```
    `SCAN`-family iterators return the collection in small batches between which other
    clients are served.

    ## Fix safety
    No automatic fix: a scan is not a snapshot (members changed during it may be missed
    or returned twice), and paging changes the result.

    ## References
    - [HSCAN / SSCAN / ZSCAN](https://redis.io/docs/latest/commands/scan/)
    - [SMEMBERS](https://redis.io/docs/latest/commands/smembers/), [HGETALL](https://redis.io/docs/latest/commands/hgetall/), [LRANGE](https://redis.io/docs/latest/commands/lrange/)
    """

    code = "RL303"
    name = "unbounded-collection-read"
    severity = Severity.INFO
    summary = "Whole-collection read (hgetall, smembers, lrange 0 -1...) that grows with the data"
    default_enabled = False
    tags = ("performance", "blocking")
    precision = "medium"

    def check_command(self, cmd: Command, ctx: FileContext) -> None:
        name = cmd.name
        what = f"{cmd.method}() on {key_text(cmd)}" if cmd.method != "execute_command" else name
        if name in WHOLE_READS:
            instead = WHOLE_READS[name]
            message = f"{what} returns the whole collection in one O(N) reply"
        elif name in SET_ALGEBRA:
            instead = self._set_algebra()
            message = f"{what} reads every member of every set involved in one O(N) call"
        elif name in RANGES:
            if not self._whole_range(cmd):
                return
            instead = RANGES[name]
            message = (
                f"{what} with an open-ended range reads the whole collection in one O(N) reply"
            )
        else:
            return
        ctx.report(
            self,
            cmd.node,
            f"{message}, blocking the server while it grows; iterate with {instead} instead",
        )

    def _whole_range(self, cmd: Command) -> bool:
        if cmd.method == "execute_command":
            rest = cmd.args.varargs[2:]
            start, end = (rest[0], rest[1]) if len(rest) >= 2 else (None, None)
            if len(rest) > 2:
                return False  # BYSCORE/BYLEX/REV/LIMIT: not a plain index range
        else:
            start, end = cmd.args.get("start"), cmd.args.get("end")
            if any(cmd.args.get(p) is not None for p in ("byscore", "bylex", "num", "offset")):
                return False
        first, last = _int(start), _int(end)
        return first is not None and last is not None and first >= 0 and last < 0

    def _set_algebra(self) -> str:
        if not supports(self.settings.target_redis_version, "6.2"):
            return "sscan_iter() over the smaller set with sismember() checks in a pipeline"
        return "sscan_iter() over the smaller set with smismember() checks (Redis 6.2+)"
