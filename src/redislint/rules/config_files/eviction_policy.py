"""RL902 eviction-policy: maxmemory without a maxmemory-policy (writes fail when full), or an unknown policy."""

from __future__ import annotations

import difflib

from redislint import redisconf
from redislint.diagnostics import Severity
from redislint.redisconf import Conf
from redislint.rules.base import Rule
from redislint.semantic.confcontext import ConfContext


def _format_bytes(value: int) -> str:
    for unit, size in (("gb", 1024**3), ("mb", 1024**2), ("kb", 1024)):
        if value >= size and value % size == 0:
            return f"{value // size}{unit}"
    return f"{value} bytes"


class EvictionPolicy(Rule):
    """
    ## What it does
    Flags a configuration that sets `maxmemory` but no `maxmemory-policy` (the finding
    points at line 1), and a `maxmemory-policy` that is not one of the eight policies
    Redis knows (redis-server refuses to start with it).

    ## Why is this bad?
    The default policy is `noeviction`: once the limit is reached, every write fails
    with `OOM command not allowed when used memory > 'maxmemory'`. For a cache that is
    rarely what was meant: with `allkeys-lru`/`allkeys-lfu` Redis makes room by evicting
    the least recently/frequently used keys, with `volatile-*` only keys with a TTL.
    When `noeviction` is what you want (Redis as a primary store), say so explicitly.

    ## Example
    ```
    maxmemory 2gb
    ```

    ## Use instead
    ```
    maxmemory 2gb
    maxmemory-policy allkeys-lfu
    ```

    ## Fix safety
    No automatic fix: choosing what Redis may delete is a product decision.

    ## References
    - [Eviction policies](https://redis.io/docs/latest/develop/reference/eviction/#eviction-policies)
    """

    code = "RL902"
    name = "eviction-policy"
    severity = Severity.WARNING
    summary = "maxmemory without a maxmemory-policy (writes fail when full), or an unknown policy"
    tags = ("config", "memory")
    precision = "high"

    def check_config(self, conf: Conf, ctx: ConfContext) -> None:
        policies = conf.every("maxmemory-policy")
        for policy in policies:  # redis-server stops at the first bad line, even if overridden
            if policy.value.lower() not in redisconf.EVICTION_POLICIES:
                ctx.report(self, policy, _unknown_policy(policy.value))
        if policies:
            return
        limit = conf.last("maxmemory")
        size = redisconf.parse_memory(limit.value) if limit is not None else None
        if limit is None or not size or not conf.absent("maxmemory-policy"):
            return
        where = (
            f" (line {limit.line})" if limit.path == conf.path else f" ({limit.path}:{limit.line})"
        )
        ctx.report(
            self,
            None,
            f"maxmemory {_format_bytes(size)} is set{where} but maxmemory-policy is not: the "
            "default noeviction makes every write fail with an OOM error once the limit is "
            "reached; choose allkeys-lru/allkeys-lfu for a cache (or write "
            "'maxmemory-policy noeviction' if that is intended)",
        )


def _unknown_policy(value: str) -> str:
    close = difflib.get_close_matches(value.lower(), sorted(redisconf.EVICTION_POLICIES), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return (
        f"unknown maxmemory-policy {value!r}: redis-server refuses to start; use one of "
        f"{', '.join(sorted(redisconf.EVICTION_POLICIES))}{hint}"
    )
