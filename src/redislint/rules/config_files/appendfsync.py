"""RL904 appendfsync: appendfsync always (every write waits for the disk) or no (~30 s of writes lost)."""

from __future__ import annotations

from redislint import redisconf
from redislint.diagnostics import Severity
from redislint.redisconf import Conf
from redislint.rules.base import Rule
from redislint.semantic.confcontext import ConfContext


class Appendfsync(Rule):
    """
    ## What it does
    Flags `appendfsync always` and `appendfsync no` when the append-only file is on
    (`appendonly yes`). With the AOF off the setting has no effect and is not reported.

    ## Why is this bad?
    `always` calls `fsync` after every write command: writes become as slow as the
    disk, and a slow disk stalls the whole server. `no` leaves flushing to the
    operating system (every ~30 seconds on Linux), so a power loss or kernel crash
    loses up to that much acknowledged data. `everysec` (the default) fsyncs in a
    background thread once per second: at most about one second of writes is lost.

    ## Example
    ```
    appendonly yes
    appendfsync always
    ```

    ## Use instead
    ```
    appendonly yes
    appendfsync everysec
    ```

    ## Fix safety
    No automatic fix: `always` can be a deliberate durability choice (suppress with a
    `# noqa: RL904` comment line above it).

    ## References
    - [AOF: how durable is the append only file?](https://redis.io/docs/latest/operate/oss_and_stack/management/persistence/#how-durable-is-the-append-only-file)
    """

    code = "RL904"
    name = "appendfsync"
    severity = Severity.WARNING
    summary = "appendfsync always (every write waits for the disk) or no (~30 s of writes lost)"
    tags = ("config", "persistence")
    precision = "high"

    def check_config(self, conf: Conf, ctx: ConfContext) -> None:
        fsync = conf.last("appendfsync")
        if fsync is None or not redisconf.yes_no_setting(conf, "appendonly", False):
            return
        value = fsync.value.lower()
        if value == "always":
            ctx.report(
                self,
                fsync,
                "appendfsync always fsyncs after every write: throughput is bound to the disk "
                "and a slow disk stalls every client; 'everysec' loses at most ~1 s of writes",
            )
        elif value == "no":
            ctx.report(
                self,
                fsync,
                "appendfsync no leaves flushing to the OS (about every 30 s): a crash of the "
                "host loses that much acknowledged data; use 'everysec'",
            )
