"""RL603 unbounded-memory-in-code: CONFIG SET removes the memory limit or eviction from application code."""

from __future__ import annotations

from redislint import redisconf
from redislint.diagnostics import Severity
from redislint.rules.base import Rule
from redislint.rules.persistence.common import _settings_from_code
from redislint.semantic.context import FileContext
from redislint.semantic.model import Command


class UnboundedMemoryInCode(Rule):
    """
    ## What it does
    Flags `config_set("maxmemory", 0)` (any spelling of zero: `"0"`, `"0mb"`) and
    `config_set("maxmemory-policy", "noeviction")` outside test code.

    ## Why is this bad?
    `maxmemory 0` removes the memory limit of the running server for every client:
    Redis then grows until the kernel's OOM killer ends it. Setting `noeviction` from
    code turns a cache that evicts into one that refuses every write once full. Both
    change the server behind the back of its configuration.

    ## Example
    ```python
    r.config_set("maxmemory", 0)
    r.config_set("maxmemory-policy", "noeviction")
    ```

    ## Use instead
    Set `maxmemory` and `maxmemory-policy` in the server's configuration.

    ## Fix safety
    No automatic fix.

    ## References
    - [Key eviction](https://redis.io/docs/latest/develop/reference/eviction/)
    """

    code = "RL603"
    name = "unbounded-memory-in-code"
    severity = Severity.WARNING
    summary = "CONFIG SET removes the memory limit or eviction from application code"
    tags = ("config", "memory")
    precision = "very-high"

    def check_command(self, cmd: Command, ctx: FileContext) -> None:
        for name, value in _settings_from_code(cmd, ctx):
            if name == "maxmemory" and redisconf.parse_memory(value.strip()) == 0:
                what = "CONFIG SET maxmemory 0 removes the memory limit: Redis grows until the OOM killer ends it"
            elif name == "maxmemory-policy" and value.strip().lower() == "noeviction":
                what = "CONFIG SET maxmemory-policy noeviction makes every write fail once memory is full"
            else:
                continue
            ctx.report(
                self,
                cmd.node,
                f"{what}; it changes the running server for every client behind its "
                "configuration: set it in redis.conf instead",
            )
            return
