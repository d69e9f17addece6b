"""RL704 non-cluster-client: Plain (non-cluster) client constructed in code configured for Redis Cluster."""

from __future__ import annotations

from redislint.clients.knowledge import known
from redislint.clients.types import Kind
from redislint.diagnostics import Severity
from redislint.rules.base import Rule
from redislint.semantic.context import FileContext
from redislint.semantic.model import Construction


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
