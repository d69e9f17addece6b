"""RL702 lua-undeclared-key: Lua script touches a key that is not passed in KEYS."""

from __future__ import annotations

from redislint.commands import key_positions
from redislint.diagnostics import Severity
from redislint.lua import LuaSyntaxError
from redislint.lua_keys import KeyedCall, Origin, keyed_calls
from redislint.rules.base import Rule
from redislint.semantic.context import FileContext
from redislint.semantic.scripts import ScriptSource, report_in_script, script_text


class LuaUndeclaredKey(Rule):
    """
    ## What it does
    Flags a `redis.call()` / `redis.pcall()` in a Lua script whose key is not taken from
    `KEYS`: a literal key name (`redis.call('INCR', 'stats:total')`), a name built from
    `ARGV` (`'user:' .. ARGV[1]`), or one built from a declared key and other text
    (`KEYS[1] .. ':meta'`). Scripts are found in literals passed to `eval()`,
    `register_script()`, `script_load()` and `execute_command("EVAL", ...)`, and in names
    bound to such literals (module constants, class attributes). Function libraries passed
    to `function_load()` are checked too: there the keys of a function registered with
    `redis.register_function` come from its first parameter.

    Keys taken from `KEYS[i]`, from a local bound to it, from a loop over `ipairs(KEYS)` or
    from `unpack(KEYS)` are fine, and so are keys whose origin cannot be told (the result
    of another command, a helper function's parameter). Which arguments of a command are
    keys comes from the server's key specifications (`SET` has one key, `MSET` every other
    argument, `XREAD` the ones after `STREAMS`). Out of reach: scripts read from `.lua`
    files or built at run time, and libraries loaded outside the Python code (with
    `redis-cli FUNCTION LOAD`); the finding is at the Lua call inside the Python literal,
    or at the Python call when the script is a constant of another module.

    ## Why is this bad?
    Redis requires every key a script touches to be passed in `KEYS` ("all names of keys
    that a script accesses must be explicitly provided as input key arguments"). Redis
    Cluster routes a script by its declared keys: an undeclared key may live in another
    slot, on another node, and the script fails there (or, worse, works until the data is
    resharded). Proxies, replication and the ACL key permissions rely on the same
    declaration.

    ## Example
    ```python
    RECORD = r.register_script(\"\"\"
    redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
    redis.call('INCR', 'stats:total')
    \"\"\")
    RECORD(keys=[f"hits:{page}"], args=[visitor])
    ```

    ## Use instead
    ```python
    RECORD = r.register_script(\"\"\"
    redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
    redis.call('INCR', KEYS[2])
    \"\"\")
    RECORD(keys=[f"hits:{page}", "stats:total"], args=[visitor])
    ```
    On Redis Cluster the keys of one call must also share a hash slot (RL701).

    ## Fix safety
    There is no automatic fix: the script's callers must pass the extra keys.

    ## References
    - [Scripting with Lua: script parameters](https://redis.io/docs/latest/develop/interact/programmability/eval-intro/#script-parameterization)
    - [Redis functions](https://redis.io/docs/latest/develop/interact/programmability/functions-intro/)
    """

    code = "RL702"
    name = "lua-undeclared-key"
    severity = Severity.ERROR
    summary = "Lua script touches a key that is not passed in KEYS"
    tags = ("cluster", "scripting")

    def check_file(self, ctx: FileContext) -> None:
        for cmd in ctx.commands:
            source = script_text(cmd, ctx)
            if source is None:
                continue
            try:
                calls = keyed_calls(source.text, library=source.library)
            except LuaSyntaxError:
                continue
            for call in calls:
                problem = _undeclared(call)
                if problem is not None:
                    message = _lua_message(source, call, *problem)
                    report_in_script(
                        ctx, self, cmd, source, (call.call.start, call.call.end), message
                    )


def _undeclared(call: KeyedCall) -> tuple[Origin, str | None] | None:
    """The first key argument of ``call`` that does not come from the declared keys."""
    argv: list[str | None] = [call.command]
    argv += [v.text if v.origin is Origin.LITERAL else None for v in call.args]
    found = key_positions(argv)
    if found is None:
        return None
    for position in found.positions:
        index = position - 1
        if index >= len(call.args):
            break
        if any(v.spread for v in call.args[:index]):
            break  # an earlier argument stands for several: positions are unknown
        value = call.args[index]
        if value.origin in (Origin.LITERAL, Origin.ARGV, Origin.BUILT):
            return value.origin, value.text
    return None


def _lua_message(source: ScriptSource, call: KeyedCall, origin: Origin, text: str | None) -> str:
    pcall = "pcall" if "pcall" in source.text[call.call.start : call.call.start + 12] else "call"
    where = "function library" if source.library else "Lua script"
    declared = "the function's keys" if source.library else "KEYS"
    if origin is Origin.LITERAL:
        what = f"the literal key {text!r}" if text is not None else "a literal key"
    elif origin is Origin.ARGV:
        what = "a key built from " + ("the function's arguments" if source.library else "ARGV")
    else:
        what = "a key built from a declared key and other text"
    how = "pass it as a key to fcall()" if source.library else "pass it in KEYS"
    return (
        f"redis.{pcall}('{call.command.upper()}') in this {where} uses {what}, which is not "
        f"declared in {declared}: Redis Cluster cannot route the script by it and the key "
        f"may live on another node; {how}"
    )
