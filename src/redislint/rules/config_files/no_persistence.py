"""RL903 no-persistence: Neither RDB snapshots nor an append-only file: data is lost on every restart."""

from __future__ import annotations

from redislint import redisconf
from redislint.diagnostics import Severity
from redislint.redisconf import Conf
from redislint.rules.base import Rule
from redislint.semantic.confcontext import ConfContext


class NoPersistence(Rule):
    """
    ## What it does
    Flags a configuration that disables RDB snapshots (`save ""`) while the append-only
    file is off (`appendonly no`, the default). The finding points at the `save` line
    that left no save point.

    ## Why is this bad?
    With neither snapshots nor an AOF, everything in Redis is lost when the process
    restarts, crashes or the host reboots. That is right for a pure cache that can be
    rebuilt, and a surprise for anything else (sessions, queues, counters, locks).
    This is informational: confirm the data is disposable.

    ## Example
    ```
    save ""
    appendonly no
    ```

    ## Use instead
    ```
    save 3600 1 300 100 60 10000
    appendonly yes
    appendfsync everysec
    ```
    Or keep the file as is for a pure cache and suppress the finding with a comment
    line `# noqa: RL903` directly above `save ""`.

    ## Fix safety
    No automatic fix.

    ## References
    - [Redis persistence](https://redis.io/docs/latest/operate/oss_and_stack/management/persistence/)
    """

    code = "RL903"
    name = "no-persistence"
    severity = Severity.INFO
    summary = "Neither RDB snapshots nor an append-only file: data is lost on every restart"
    tags = ("config", "persistence")
    precision = "high"

    def check_config(self, conf: Conf, ctx: ConfContext) -> None:
        save = redisconf.effective_save(conf)
        if save.points or save.cleared_by is None:
            return
        appendonly = conf.last("appendonly")
        if appendonly is None and not conf.absent("appendonly"):
            return
        if appendonly is not None and redisconf.parse_yes_no(appendonly.value) is not False:
            return
        aof = "appendonly no" if appendonly is not None else "no appendonly (off by default)"
        ctx.report(
            self,
            save.cleared_by,
            f"no RDB save point and {aof}: every key is lost when Redis restarts; fine for a "
            "disposable cache, otherwise enable 'appendonly yes' or keep a save point",
        )
