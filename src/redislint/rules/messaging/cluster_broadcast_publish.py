"""RL505 cluster-broadcast-publish: PUBLISH on Redis Cluster is broadcast to every node; use sharded SPUBLISH."""

from __future__ import annotations

from redislint.diagnostics import Severity
from redislint.rules.base import Rule, supports
from redislint.semantic.context import FileContext
from redislint.semantic.model import Command


class ClusterBroadcastPublish(Rule):
    """
    ## What it does
    Flags `publish()` on a Redis Cluster client (`RedisCluster`, the asyncio one, or any
    client when `cluster = true` is configured), suggesting sharded Pub/Sub
    (`spublish()`/`ssubscribe()`, Redis 7.0+). Not reported when
    `target-redis-version` is older than 7.0, where there is no alternative.

    ## Why is this bad?
    In a cluster, a classic `PUBLISH` is forwarded to every node over the cluster bus,
    whatever node the subscribers are on: Pub/Sub traffic grows with the number of
    nodes and does not scale out with shards. Sharded Pub/Sub assigns each channel to a
    slot like a key; a message only travels within the shard that owns the channel.

    ## Example
    ```python
    rc = RedisCluster(host="redis-cluster")
    rc.publish("orders:updates", payload)
    ```

    ## Use instead
    ```python
    rc.spublish("orders:updates", payload)

    p = rc.pubsub()
    p.ssubscribe("orders:updates")
    ```

    ## Fix safety
    No automatic fix: subscribers must switch to `ssubscribe()` at the same time.

    ## References
    - [Sharded Pub/Sub](https://redis.io/docs/latest/develop/interact/pubsub/#sharded-pubsub)
    - [SPUBLISH](https://redis.io/docs/latest/commands/spublish/) (Redis 7.0+)
    """

    code = "RL505"
    name = "cluster-broadcast-publish"
    severity = Severity.INFO
    summary = "PUBLISH on Redis Cluster is broadcast to every node; use sharded SPUBLISH"
    tags = ("cluster", "messaging", "performance")
    precision = "high"

    def check_command(self, cmd: Command, ctx: FileContext) -> None:
        if cmd.name != "publish":
            return
        if not (cmd.receiver.is_cluster is True or self.settings.cluster):
            return
        if not supports(self.settings.target_redis_version, "7.0"):
            return
        ctx.report(
            self,
            cmd.node,
            "publish() on Redis Cluster is forwarded to every node of the cluster; use "
            "spublish() with ssubscribe() on the subscriber side (sharded Pub/Sub, Redis "
            "7.0+), which keeps a channel's messages within the shard that owns it",
        )
