"""RL601 persistence-disabled-in-code: CONFIG SET turns off RDB snapshots or the AOF from application code."""

from __future__ import annotations

from redislint.diagnostics import Severity
from redislint.rules.base import Rule
from redislint.rules.persistence.common import _settings_from_code
from redislint.semantic.context import FileContext
from redislint.semantic.model import Command


class PersistenceDisabledInCode(Rule):
    """
    ## What it does
    Flags `config_set("save", "")` and `config_set("appendonly", "no")` (also through
    `execute_command("CONFIG", "SET", ...)`) outside test code.

    ## Why is this bad?
    `CONFIG SET` changes the running server for every client, not just this
    application. Turning off RDB snapshots or the append-only file from code silently
    makes every key disappear on the next restart, and the change is invisible to
    whoever maintains the server's configuration file (until `CONFIG REWRITE` makes it
    permanent). Persistence belongs in `redis.conf` / the managed service's settings.

    ## Example
    ```python
    r.config_set("save", "")
    r.config_set("appendonly", "no")
    ```

    ## Use instead
    Configure persistence where the server is configured (`redis.conf`, the Helm chart,
    the cloud console), and keep application code out of `CONFIG SET`.

    ## Fix safety
    No automatic fix.

    ## References
    - [CONFIG SET](https://redis.io/docs/latest/commands/config-set/)
    - [Redis persistence](https://redis.io/docs/latest/operate/oss_and_stack/management/persistence/)
    """

    code = "RL601"
    name = "persistence-disabled-in-code"
    severity = Severity.WARNING
    summary = "CONFIG SET turns off RDB snapshots or the AOF from application code"
    tags = ("config", "persistence")
    precision = "very-high"

    def check_command(self, cmd: Command, ctx: FileContext) -> None:
        for name, value in _settings_from_code(cmd, ctx):
            if name == "save" and value == "":
                what = 'CONFIG SET save "" turns off RDB snapshots'
            elif name == "appendonly" and value.strip().lower() == "no":
                what = "CONFIG SET appendonly no turns off the append-only file"
            else:
                continue
            ctx.report(
                self,
                cmd.node,
                f"{what} on the running server, for every client: data is lost on restart and "
                "the change bypasses the server's configuration; configure persistence in "
                "redis.conf instead",
            )
            return
