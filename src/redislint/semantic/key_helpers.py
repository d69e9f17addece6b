"""Key helpers: functions that only build a key (``def user_key(uid): return f"user:{uid}"``).

The module index keeps the template such a function returns; at a call of it, the key
shape is that template with the call's arguments in place of the parameters, so
``r.set(user_key(uid), v)`` here and ``r.expire(keys.user_key(u), 60)`` in another module
are one key template, ``user:{...}``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING

from redislint.clients.types import TreeFunction, Value
from redislint.keys.shape import called_name
from redislint.semantic.index import FunctionFacts
from redislint.semantic.project import Project

if TYPE_CHECKING:
    import libcst as cst
else:
    from redislint._lazy import cst


@functools.lru_cache(maxsize=4096)
def _free_names(template: cst.BaseExpression) -> frozenset[str]:
    """The bare names a template reads (``CACHE_PREFIX``, ``uid``; not ``self.prefix``)."""
    found: set[str] = set()
    todo: list[cst.CSTNode] = [template]
    while todo:
        node = todo.pop()
        if isinstance(node, cst.Name):
            found.add(node.value)
        elif isinstance(node, cst.Attribute):
            todo.append(node.value)
        else:
            todo.extend(node.children)
    return frozenset(found)


@functools.lru_cache(maxsize=4096)
def _template(text: str) -> cst.BaseExpression | None:
    try:
        return cst.parse_expression(text)
    except cst.ParserSyntaxError:  # pragma: no cover - the index wrote it with ast.unparse
        return None


def _helper_template(
    func: FunctionFacts, call: cst.Call, constant: Callable[[str], str | None]
) -> tuple[cst.BaseExpression, dict[str, cst.BaseExpression]] | None:
    """The template ``func`` returns and what each of its names stands for: the argument
    ``call`` passes for a parameter, the value of a string constant of its module
    (``constant``); None when ``func`` is not a key helper or the arguments do not match."""
    if func.key_template is None:
        return None
    template = _template(func.key_template)
    if template is None:
        return None
    args: dict[str, cst.BaseExpression] = {}
    for name in _free_names(template) - set(func.params):
        value = constant(name)
        if value is not None:
            args[name] = cst.SimpleString(repr(value))
    params = list(func.params)
    if func.self_name is not None and isinstance(call.func, cst.Attribute) and params:
        params = params[1:]  # ``self.key(x)``: bound, ``self`` is not passed
    for i, arg in enumerate(call.args):
        if arg.star:
            return None
        if arg.keyword is not None:
            args[arg.keyword.value] = arg.value
        elif i < len(params):
            args[params[i]] = arg.value
        else:
            return None
    return template, args


def helper_call(
    project: Project, resolve: Callable[[cst.BaseExpression], Value], call: cst.Call
) -> tuple[cst.BaseExpression, dict[str, cst.BaseExpression]] | None:
    """``call`` as a call of a key helper of the tree (``resolve`` says what it calls):
    the helper's template and what its names stand for; None for any other call."""
    name = called_name(call)
    if name is None or not project.may_be_key_helper(name):
        return None  # the common case, decided before resolving anything
    callee = resolve(call.func)
    if not isinstance(callee, TreeFunction):
        return None
    func = project.function(callee.module, callee.qualname)
    source = project.by_path.get(callee.module)
    if func is None or source is None or not source.shapes_keys(name):
        return None
    module = callee.module
    return _helper_template(func, call, lambda constant: project.module_constant(module, constant))
