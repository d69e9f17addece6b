"""Lua scripts handed to Redis: where their source is, and how to point into it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from redislint.engine.context import FileContext
from redislint.engine.literals import value_offsets
from redislint.engine.model import Command

if TYPE_CHECKING:
    import libcst as cst
else:
    from redislint._lazy import cst

# Methods that take Lua source, and the parameter that holds it.
SCRIPT_PARAMS = {
    "eval": "script",
    "eval_ro": "script",
    "register_script": "script",
    "script_load": "script",
}


@dataclass(frozen=True)
class ScriptSource:
    """The text of a script and, when it is one plain literal, the literal itself."""

    text: str
    literal: cst.SimpleString | None  # findings point inside it when set
    expression: cst.BaseExpression  # what the call was given

    def inner(self, start: int, end: int) -> tuple[int, int] | None:
        """Value offsets for a finding inside the literal, when it can be pointed at."""
        if self.literal is None or value_offsets(self.literal) is None:
            return None
        return start, end


def script_expression(cmd: Command) -> cst.BaseExpression | None:
    """The argument that holds the script's source, for commands that take Lua."""
    param = SCRIPT_PARAMS.get(cmd.method)
    if param is not None:
        return cmd.args.get(param)
    if cmd.method == "execute_command" and cmd.name in ("eval", "eval_ro", "script|load"):
        index = 2 if cmd.name == "script|load" else 1
        if len(cmd.args.varargs) > index:
            return cmd.args.varargs[index]
    return None


def script_source(cmd: Command, ctx: FileContext) -> ScriptSource | None:
    """The constant Lua source a command runs: a literal or a name bound to one."""
    expr = script_expression(cmd)
    if expr is None:
        return None
    resolved = expr
    if isinstance(expr, cst.Name):
        bound = cmd.scope.strings.get(expr.value) if cmd.scope.versions.get(expr.value) else None
        resolved = bound if bound is not None else ctx.module_constant(expr.value) or expr
    elif isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name):
        resolved = _class_constant(ctx, expr) or expr
    if isinstance(resolved, cst.SimpleString | cst.ConcatenatedString):
        value = resolved.evaluated_value
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        if isinstance(value, str):
            literal = resolved if isinstance(resolved, cst.SimpleString) else None
            return ScriptSource(value, literal, expr)
    return None


def _class_constant(ctx: FileContext, expr: cst.Attribute) -> cst.BaseExpression | None:
    """``self.SCRIPT`` / ``Class.SCRIPT`` bound to a literal in a class body of this file."""
    for scope in ctx.scopes:
        if scope.kind == "class":
            found = scope.strings.get(expr.attr.value)
            if found is not None:
                return found
    return None
