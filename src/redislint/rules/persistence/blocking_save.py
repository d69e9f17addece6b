"""RL602 blocking-save: SAVE blocks every client while the snapshot is written; use BGSAVE."""

from __future__ import annotations

from redislint.diagnostics import Severity
from redislint.rules.base import Rule
from redislint.semantic.context import FileContext
from redislint.semantic.model import Command


class BlockingSave(Rule):
    """
    ## What it does
    Flags `save()` on a Redis client or pipeline and `execute_command("SAVE")`.

    ## Why is this bad?
    `SAVE` writes the RDB snapshot in the server's main thread: no other client is
    served until the whole data set is on disk (seconds to minutes on a large
    instance). `BGSAVE` forks and writes the snapshot in the background.

    ## Example
    ```python
    r.save()
    ```

    ## Use instead
    ```python
    r.bgsave()
    ```

    ## Fix safety
    Not fixed automatically: `bgsave()` returns before the snapshot is written; code
    that needs the file on disk must wait for it (`LASTSAVE` / `INFO persistence`).

    ## References
    - [SAVE](https://redis.io/docs/latest/commands/save/) ("You almost never want to call SAVE in production environments")
    - [BGSAVE](https://redis.io/docs/latest/commands/bgsave/)
    """

    code = "RL602"
    name = "blocking-save"
    severity = Severity.ERROR
    summary = "SAVE blocks every client while the snapshot is written; use BGSAVE"
    tags = ("performance", "blocking")
    precision = "very-high"

    def check_command(self, cmd: Command, ctx: FileContext) -> None:
        if cmd.name == "save" and cmd.info is not None:
            ctx.report(
                self,
                cmd.node,
                "save() writes the snapshot in the server's main thread and blocks every "
                "client until it is on disk; use bgsave()",
            )
