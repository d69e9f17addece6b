"""RL901 maxmemory-unset: No maxmemory limit: Redis grows until the kernel's OOM killer stops it."""

from __future__ import annotations

from redislint import redisconf
from redislint.diagnostics import Severity
from redislint.redisconf import Conf
from redislint.rules.base import Rule
from redislint.semantic.confcontext import ConfContext


class MaxmemoryUnset(Rule):
    """
    ## What it does
    Flags a Redis configuration file with no `maxmemory` directive, or with
    `maxmemory 0`. The finding points at the `maxmemory 0` line, or at line 1 when the
    directive is missing.

    ## Why is this bad?
    Without a memory limit Redis keeps allocating until the machine runs out of memory:
    the kernel's OOM killer then ends the process (losing everything written since the
    last save), or the host starts swapping and every command slows down. Forking for
    `BGSAVE`/AOF rewrites needs headroom on top of the data set, so the limit should
    leave room for it. With a limit, Redis evicts keys (with an eviction policy) or
    refuses writes with a clear `OOM` error instead of dying.

    ## Example
    ```
    # redis.conf
    bind 127.0.0.1
    appendonly yes
    ```

    ## Use instead
    ```
    # redis.conf
    bind 127.0.0.1
    appendonly yes
    maxmemory 2gb
    maxmemory-policy allkeys-lru
    ```
    Size it below the memory available to Redis (container limit or RAM), leaving room
    for replication buffers and copy-on-write during saves.

    ## Fix safety
    No automatic fix: the right limit depends on the machine.

    ## References
    - [Key eviction: maxmemory](https://redis.io/docs/latest/develop/reference/eviction/)
    - [redis.conf: MEMORY MANAGEMENT](https://raw.githubusercontent.com/redis/redis/7.2/redis.conf)
    """

    code = "RL901"
    name = "maxmemory-unset"
    severity = Severity.ERROR
    summary = "No maxmemory limit: Redis grows until the kernel's OOM killer stops it"
    tags = ("config", "memory")
    precision = "high"

    def check_config(self, conf: Conf, ctx: ConfContext) -> None:
        directive = conf.last("maxmemory")
        if directive is not None and redisconf.parse_memory(directive.value) == 0:
            ctx.report(
                self,
                directive,
                "maxmemory 0 means no memory limit: Redis grows until the kernel's OOM killer "
                "ends it; set a limit such as 'maxmemory 2gb' (below the memory available)",
            )
        elif conf.absent("maxmemory"):
            ctx.report(
                self,
                None,
                "no maxmemory directive: Redis has no memory limit and grows until the "
                "kernel's OOM killer ends it; set 'maxmemory <size>' with a maxmemory-policy",
            )
