"""RL302 flush-in-code: FLUSHALL/FLUSHDB in application code wipes every key."""

from __future__ import annotations

from redislint.diagnostics import Severity
from redislint.rules.base import Rule
from redislint.semantic.context import FileContext
from redislint.semantic.model import Command

FLUSHES = {
    "flushall": "deletes every key of every database on the server",
    "flushdb": "deletes every key of the current database",
}


class FlushInCode(Rule):
    """
    ## What it does
    Flags `flushall()` and `flushdb()` (also through `execute_command("FLUSHALL")`) in
    code that is not test code. Files matching `test-paths` (by default `tests/`,
    `test/`, `test_*.py`, `*_test.py`, `conftest.py`) are test code.

    ## Why is this bad?
    `FLUSHALL` deletes every key in every database of the server, `FLUSHDB` every key of
    the selected database: every feature that shares the server loses its data at once,
    and without `ASYNC` the server is blocked while it frees millions of keys. In
    application code one misconfigured URL (staging code pointed at production) or one
    unexpected call path is enough; there is no undo.

    ## Example
    ```python
    def reset_cache():
        r.flushdb()
    ```

    ## Use instead
    ```python
    def reset_cache():
        for key in r.scan_iter(match="cache:*", count=1000):
            r.unlink(key)
    ```
    Delete only the keys your code owns (give them a prefix), or keep flushes in test
    fixtures. Production servers can also rename or forbid the commands with ACLs
    (`-flushall -flushdb`).

    ## Fix safety
    No automatic fix: only you know which keys the code owns.

    ## References
    - [FLUSHALL](https://redis.io/docs/latest/commands/flushall/), [FLUSHDB](https://redis.io/docs/latest/commands/flushdb/)
    - [ACL](https://redis.io/docs/latest/operate/oss_and_stack/management/security/acl/) (deny dangerous commands)
    """

    code = "RL302"
    name = "flush-in-code"
    severity = Severity.ERROR
    summary = "FLUSHALL/FLUSHDB in application code wipes every key"
    tags = ("data-loss", "blocking")
    precision = "very-high"

    def check_command(self, cmd: Command, ctx: FileContext) -> None:
        effect = FLUSHES.get(cmd.name)
        if effect is None or ctx.is_test:
            return
        ctx.report(
            self,
            cmd.node,
            f"{cmd.name}() {effect}, whoever else stores data there; delete only the keys "
            "this code owns (scan_iter(match='prefix:*') + unlink()), or keep the flush "
            "in test code (test-paths)",
        )
