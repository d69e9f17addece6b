"""RL806 dynamic-lua-script: Lua source built at run time: every variant fills the server's script cache."""

from __future__ import annotations

from redislint.diagnostics import Severity
from redislint.rules.base import Rule
from redislint.semantic.context import FileContext
from redislint.semantic.model import Command
from redislint.semantic.scripts import script_build


class DynamicLuaScript(Rule):
    """
    ## What it does
    Flags Lua source built at run time with an f-string, `%`, `.format()`,
    `.replace()` or `+` (with a part that is not a constant) and passed to `eval()`,
    `register_script()` or `script_load()`, in a function or a loop.

    ## Why is this bad?
    Redis caches every distinct script it is sent, keyed by its SHA1, and never
    evicts them (until `SCRIPT FLUSH`). A script with values baked into its text is a
    new script for every value: the script cache, and the server's memory, grow without
    bound. Values belong in `KEYS` and `ARGV`.

    ## Example
    ```python
    def cap(key, limit):
        return r.eval(f"return redis.call('LTRIM', KEYS[1], 0, {limit})", 1, key)
    ```

    ## Use instead
    ```python
    CAP = r.register_script("return redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[1]))")

    def cap(key, limit):
        return CAP(keys=[key], args=[limit])
    ```

    ## Fix safety
    No automatic fix.

    ## References
    - [Scripting: script cache](https://redis.io/docs/latest/develop/interact/programmability/eval-intro/#script-cache)
    """

    code = "RL806"
    name = "dynamic-lua-script"
    severity = Severity.WARNING
    summary = "Lua source built at run time: every variant fills the server's script cache"
    tags = ("memory", "lua")
    precision = "high"

    def check_command(self, cmd: Command, ctx: FileContext) -> None:
        how = script_build(cmd, ctx)
        if how is None:
            return
        ctx.report(
            self,
            cmd.node,
            f"{cmd.method}() is given Lua source built with {how}: every distinct text is a "
            "new script in the server's script cache, which is never evicted; keep the "
            "script constant and pass the values through KEYS/ARGV",
        )
