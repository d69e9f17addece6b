"""Lua scripts handed to Redis: where their source is, and how to point into it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from redislint.clients.sym import SConst
from redislint.diagnostics import RuleMeta
from redislint.semantic.context import FileContext
from redislint.semantic.literals import value_offsets
from redislint.semantic.model import Command

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
    "function_load": "code",  # a function library (FUNCTION LOAD), called with fcall()
}
# execute_command("EVAL", script, ...): the command and the index of the source argument.
_RAW_SCRIPT_INDEX = {"eval": 1, "eval_ro": 1, "script|load": 2, "function|load": 2}


@dataclass(frozen=True)
class ScriptSource:
    """The text of a script and, when it is written as literals, the literals themselves."""

    text: str
    literal: cst.SimpleString | None  # findings point inside it when set (one literal)
    expression: cst.BaseExpression  # what the call was given
    # (value offset, literal) of each literal the text is made of, when all are plain
    segments: tuple[tuple[int, cst.SimpleString], ...] = ()
    library: bool = False  # a function library: keys come from the callbacks' parameters
    # a script built at run time (an f-string...): the expression that builds it, where
    # findings go (no offsets inside it: its text is not the script's)
    built: cst.BaseExpression | None = None

    def inner(self, start: int, end: int) -> tuple[int, int] | None:
        """Value offsets for a finding inside the literal, when it can be pointed at."""
        if self.literal is None or value_offsets(self.literal) is None:
            return None
        return start, end

    def anchor(self, start: int, end: int) -> tuple[cst.SimpleString, tuple[int, int]] | None:
        """The literal holding text offsets ``start:end`` and the offsets within it.

        For implicitly concatenated literals (``"..." "..."``), the part where the range
        starts; the range is cut at that part's end.
        """
        for offset, part in reversed(self.segments):
            if offset <= start:
                value = part.evaluated_value
                length = len(value) if isinstance(value, str | bytes) else 0
                return part, (start - offset, min(end - offset, length))
        return None


def script_expression(cmd: Command) -> cst.BaseExpression | None:
    """The argument that holds the script's source, for commands that take Lua."""
    param = SCRIPT_PARAMS.get(cmd.method)
    if param is not None:
        return cmd.args.get(param)
    if cmd.method == "execute_command":
        index = _RAW_SCRIPT_INDEX.get(cmd.name)
        if index is not None:
            first = cmd.args.varargs[0] if cmd.args.varargs else None
            value = first.evaluated_value if isinstance(first, cst.SimpleString) else None
            if isinstance(value, str | bytes) and len(value.split()) > 1:
                index -= 1  # execute_command("SCRIPT LOAD", source)
            if len(cmd.args.varargs) > index:
                return cmd.args.varargs[index]
    return None


def is_library(cmd: Command) -> bool:
    return cmd.method == "function_load" or cmd.name == "function|load"


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
            return ScriptSource(value, literal, expr, _segments(resolved), is_library(cmd))
    if resolved is expr:
        text = _imported_constant(ctx, expr)
        if text is not None:  # findings go to the call: the literal is in another file
            return ScriptSource(text, None, expr, (), is_library(cmd))
    return None


# What a run-time part of a built script reads as: a Lua name (unknown where it stands
# alone) that keeps a quoted key name built around it a literal key name.
HOLE = "__python_value__"
_PERCENT = re.compile(r"%(?:\([^)]*\))?[-+ #0]*\d*(?:\.\d+)?[sdirfx]")
_BRACES = re.compile(r"\{[^{}]*\}")


def shown(text: str) -> str:
    """Text of a built script as a message shows it: run-time parts as ``{...}``."""
    return text.replace(HOLE, "{...}")


def script_text(cmd: Command, ctx: FileContext) -> ScriptSource | None:
    """The Lua source a command runs, constant (``script_source``) or built in Python
    with f-strings, ``%``, ``.format()`` or ``+``: then the literal parts, each run-time
    part read as ``HOLE``, and findings go to the call."""
    found = script_source(cmd, ctx)
    if found is not None:
        return found
    expr = script_expression(cmd)
    if expr is None:
        return None
    text = _template(expr, cmd, ctx, 0)
    if text is None or HOLE not in text or "redis." not in text:
        return None
    built = cmd.bindings.get(expr.value) if isinstance(expr, cst.Name) else expr
    return ScriptSource(text, None, expr, (), is_library(cmd), built)


def _template(node: cst.BaseExpression, cmd: Command, ctx: FileContext, depth: int) -> str | None:
    """The text of a string expression, each part known only at run time as ``HOLE``;
    None when no part of it is a string literal."""
    if depth > 6:
        return None
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        return value if isinstance(value, str) else None
    if isinstance(node, cst.ConcatenatedString):
        left, right = (_template(n, cmd, ctx, depth + 1) for n in (node.left, node.right))
        return None if left is None and right is None else (left or HOLE) + (right or HOLE)
    if isinstance(node, cst.FormattedString):
        out = []
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                out.append(part.value.replace("{{", "{").replace("}}", "}"))
            else:
                out.append(HOLE)
        return "".join(out)
    if isinstance(node, cst.BinaryOperation):
        if isinstance(node.operator, cst.Modulo):
            left = _template(node.left, cmd, ctx, depth + 1)
            return _PERCENT.sub(HOLE, left).replace("%%", "%") if left is not None else None
        if isinstance(node.operator, cst.Add):
            left = _template(node.left, cmd, ctx, depth + 1)
            right = _template(node.right, cmd, ctx, depth + 1)
            if left is None and right is None:
                return None
            return (left if left is not None else HOLE) + (right if right is not None else HOLE)
        return None
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
        if node.func.attr.value == "format":
            base = _template(node.func.value, cmd, ctx, depth + 1)
            if base is None:
                return None
            return (
                _BRACES.sub(HOLE, base.replace("{{", "\x00").replace("}}", "\x01"))
                .replace("\x00", "{")
                .replace("\x01", "}")
            )
        return None
    if isinstance(node, cst.Name):
        bound = cmd.bindings.get(node.value) if cmd.scope.versions.get(node.value) else None
        if bound is None:
            bound = ctx.module_constant(node.value)
        if bound is not None and bound is not node:
            return _template(bound, cmd, ctx, depth + 1)
    return None


def _imported_constant(ctx: FileContext, expr: cst.BaseExpression) -> str | None:
    """A string constant of another module of the tree: ``from app.lua import SCRIPT``
    then ``SCRIPT``, or ``import app.lua as lua`` then ``lua.SCRIPT``."""
    facts = ctx.project.by_path.get(ctx.path)
    if facts is None:
        return None
    if isinstance(expr, cst.Name):
        if expr.value not in facts.imports or ctx.scopes[0].versions.get(expr.value):
            return None
        module, _, name = facts.imports[expr.value].rpartition(".")
    elif isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name):
        module, name = facts.imports.get(expr.value.value, ""), expr.attr.value
    else:
        return None
    target = ctx.project.find_module(module, ctx.path) if module else None
    if target is None or target.path == ctx.path:
        return None
    values = target.bindings.get(name, [])
    if len(values) != 1 or not isinstance(values[0], SConst):
        return None
    value = values[0].value
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value if isinstance(value, str) else None


def _segments(
    node: cst.SimpleString | cst.ConcatenatedString,
) -> tuple[tuple[int, cst.SimpleString], ...]:
    """The plain literals of a (concatenated) string with their offsets in its value."""
    parts: list[cst.SimpleString] = []
    todo: list[cst.BaseExpression] = [node]
    while todo:
        current = todo.pop()
        if isinstance(current, cst.ConcatenatedString):
            todo.extend((current.right, current.left))
        elif isinstance(current, cst.SimpleString) and value_offsets(current) is not None:
            parts.append(current)
        else:
            return ()
    out: list[tuple[int, cst.SimpleString]] = []
    offset = 0
    for part in parts:
        out.append((offset, part))
        value = part.evaluated_value
        offset += len(value) if isinstance(value, str | bytes) else 0
    return tuple(out)


def report_in_script(
    ctx: FileContext,
    rule: RuleMeta,
    cmd: Command,
    source: ScriptSource,
    span: tuple[int, int],
    message: str,
) -> None:
    """Report at the Lua code inside the Python literal, else at the call running it."""
    message = shown(message)
    found = source.anchor(*span)
    if found is not None:
        ctx.report(rule, found[0], message, inner=found[1])
    else:
        ctx.report(rule, source.built or cmd.node, message)


def _class_constant(ctx: FileContext, expr: cst.Attribute) -> cst.BaseExpression | None:
    """``self.SCRIPT`` / ``Class.SCRIPT`` bound to a literal in a class body of this file."""
    for scope in ctx.scopes:
        if scope.kind == "class":
            found = scope.strings.get(expr.attr.value)
            if found is not None:
                return found
    return None


def script_build(cmd: Command, ctx: FileContext) -> str | None:
    """How the Lua source a command takes is built at run time: ``"an f-string"``,
    ``"%-formatting"``, ``".format()"``, ``".replace()"`` or ``"concatenation"`` with a
    part that is not a constant; None for a constant (or unknown) source.

    Only code that runs repeatedly counts: a script built in a function body (inline, or
    through a local name bound in it), or in a loop. A module-level ``SCRIPT = f"..."``
    is built once at import time.
    """
    expr = script_expression(cmd)
    if expr is None:
        return None
    if isinstance(expr, cst.Name) and expr.value in cmd.bindings:
        expr = cmd.bindings[expr.value]
    elif isinstance(expr, cst.Name):
        return None  # a parameter, a global or a module constant: not built here
    if cmd.scope.kind in ("module", "class") and not cmd.loops:
        return None
    return _dynamic(expr, cmd, ctx)


def _dynamic(node: cst.BaseExpression, cmd: Command, ctx: FileContext) -> str | None:
    if isinstance(node, cst.FormattedString):
        holes = [p.expression for p in node.parts if isinstance(p, cst.FormattedStringExpression)]
        return "an f-string" if any(not _constant(h, cmd, ctx) for h in holes) else None
    if isinstance(node, cst.ConcatenatedString):
        return _dynamic(node.left, cmd, ctx) or _dynamic(node.right, cmd, ctx)
    if isinstance(node, cst.BinaryOperation):
        if isinstance(node.operator, cst.Modulo) and _stringy(node.left):
            return None if _constant(node.right, cmd, ctx) else "%-formatting"
        if (
            isinstance(node.operator, cst.Add)
            and (_stringy(node.left) or _stringy(node.right))
            and not (_constant(node.left, cmd, ctx) and _constant(node.right, cmd, ctx))
        ):
            return "concatenation"
        return None
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
        method = node.func.attr.value
        if (
            method in ("format", "replace")
            and _stringy(node.func.value)
            and not all(_constant(a.value, cmd, ctx) for a in node.args)
        ):
            return f".{method}()"
    return None


def _stringy(node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.SimpleString | cst.ConcatenatedString | cst.FormattedString):
        return True
    if isinstance(node, cst.BinaryOperation):
        return _stringy(node.left) or _stringy(node.right)
    return isinstance(node, cst.Name) and node.value.isupper()  # SCRIPT_TEMPLATE + ...


def _constant(node: cst.BaseExpression, cmd: Command, ctx: FileContext) -> bool:
    """A literal, or a module-level name bound to one (and not rebound in the scope)."""
    if isinstance(node, cst.SimpleString | cst.Integer | cst.Float):
        return True
    if isinstance(node, cst.ConcatenatedString):
        return _constant(node.left, cmd, ctx) and _constant(node.right, cmd, ctx)
    if isinstance(node, cst.BinaryOperation):
        return _constant(node.left, cmd, ctx) and _constant(node.right, cmd, ctx)
    if isinstance(node, cst.Name):
        if cmd.scope.versions.get(node.value):
            bound = cmd.bindings.get(node.value)
            return bound is not None and isinstance(bound, cst.SimpleString)
        constant = ctx.scopes[0].exprs.get(node.value)
        return isinstance(constant, cst.SimpleString | cst.ConcatenatedString | cst.Integer)
    return False
