"""Binding a call's arguments to the parameters of the redis-py method it calls."""

from __future__ import annotations

from typing import TYPE_CHECKING

from redislint.clients.types import Kind
from redislint.commands import client_method_params
from redislint.semantic.model import BoundArgs

if TYPE_CHECKING:
    import libcst as cst


def client_params(kind: Kind, method: str) -> tuple[tuple[str, str], ...] | None:
    """Parameters of a non-command method of a Redis object (``lock()``, ``acquire()``...)."""
    if kind is Kind.PIPELINE:
        return client_method_params("pipeline", method) or client_method_params("client", method)
    return client_method_params(kind.value, method)


_ANY_ARGS = (("args", "var_positional"), ("options", "var_keyword"))


def bind_args(node: cst.Call, params: tuple[tuple[str, str], ...] | None) -> BoundArgs:
    """Bind a call's arguments to a redis-py method's parameters (any args when unknown)."""
    bound = BoundArgs()
    if params is None:
        params = _ANY_ARGS
    positional_params = [p for p, k in params if k in ("positional_or_keyword", "positional_only")]
    var_positional = next((p for p, k in params if k == "var_positional"), None)
    names = {p for p, _ in params}
    index = 0
    for arg in node.args:
        if arg.keyword is not None:
            name = arg.keyword.value
            if name in names:
                bound.params[name] = arg.value
            else:
                bound.extra_keywords[name] = arg.value
            continue
        if arg.star:
            bound.unpacked = True
            continue
        bound.positional.append(arg.value)
        if bound.unpacked:
            continue
        if index < len(positional_params):
            bound.params[positional_params[index]] = arg.value
        elif var_positional is not None:
            bound.varargs.append(arg.value)
        index += 1
    return bound
