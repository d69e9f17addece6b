"""RL804 eval-per-call: eval() re-sends a constant script on every call; use register_script()."""

from __future__ import annotations

from redislint.diagnostics import Severity
from redislint.keys.shape import code
from redislint.rules.base import Rule
from redislint.semantic.context import FileContext
from redislint.semantic.model import Command
from redislint.semantic.scripts import script_source

_EVAL = frozenset({"eval", "eval_ro"})
_FALLBACK_ERRORS = ("NoScriptError", "ResponseError")


def _is_noscript_fallback(cmd: Command) -> bool:
    """``try: r.evalsha(...) except NoScriptError: r.eval(...)``."""
    for context in cmd.trys:
        handler = context.handler
        if context.part != "handler" or handler is None or handler.type is None:
            continue
        if not any(name in code(handler.type) for name in _FALLBACK_ERRORS):
            continue
        for other in cmd.scope.commands:
            if (other.name in ("evalsha", "evalsha_ro") or other.method == "__call__") and any(
                t.node is context.node and t.part == "body" for t in other.trys
            ):
                return True
    return False


class EvalPerCall(Rule):
    """
    ## What it does
    Flags `eval()` (and `eval_ro()`, `execute_command("EVAL", ...)`) whose script is a
    constant: a literal, or a local, module or class name bound to a literal. Not
    flagged: `eval` as the fallback after `evalsha` raised `NoScriptError`.

    ## Why is this bad?
    `EVAL` sends the whole script body with every call, and the server hashes it each
    time. `register_script()` sends only the SHA1 (`EVALSHA`) and reloads the script
    automatically when the server does not have it (after a restart or
    `SCRIPT FLUSH`).

    ## Example
    ```python
    RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"

    def release(r, key, token):
        return r.eval(RELEASE, 1, key, token)
    ```

    ## Use instead
    ```python
    release_script = r.register_script(RELEASE)

    def release(key, token):
        return release_script(keys=[key], args=[token])
    ```

    ## Fix safety
    No automatic fix.

    ## References
    - [EVALSHA and script caching](https://redis.io/docs/latest/develop/interact/programmability/eval-intro/#script-cache)
    - [redis-py register_script](https://redis.readthedocs.io/en/stable/commands.html#redis.commands.core.ScriptCommands.register_script)
    """

    code = "RL804"
    name = "eval-per-call"
    severity = Severity.INFO
    summary = "eval() re-sends a constant script on every call; use register_script()"
    tags = ("performance", "lua")
    precision = "high"

    def check_command(self, cmd: Command, ctx: FileContext) -> None:
        if cmd.name not in _EVAL:
            return
        source = script_source(cmd, ctx)
        if source is None or _is_noscript_fallback(cmd):
            return
        ctx.report(
            self,
            cmd.node,
            f"{cmd.method}() sends this constant script ({len(source.text.encode())} bytes) "
            "with every call; register it once with register_script() (EVALSHA, reloaded "
            "automatically on NOSCRIPT)",
        )
