"""Helpers of several persistence rules: settings CONFIG SET changes from code, Redis URL
literals and the constructions they are passed to."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from redislint.semantic import urls
from redislint.semantic.arguments import config_set_pairs, literal
from redislint.semantic.context import FileContext
from redislint.semantic.model import Command, Construction, StringLiteral

if TYPE_CHECKING:
    import libcst as cst
else:
    from redislint._lazy import cst


def _settings_from_code(cmd: Command, ctx: FileContext) -> Iterator[tuple[str, str]]:
    """The (setting, literal value) pairs a CONFIG SET of application code changes."""
    if ctx.is_test:
        return
    for name, node in config_set_pairs(cmd):
        value = _value_text(node)
        if value is not None:
            yield name, value


def _value_text(node: cst.BaseExpression) -> str | None:
    """A literal CONFIG SET value as the server reads it (``0`` and ``"0"`` alike)."""
    value = literal(node)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, bool):
        return None
    if isinstance(value, int | str):
        return str(value)
    return None


def _redis_url(item: StringLiteral) -> tuple[str, urls.RedisUrl] | None:
    """The text and URL of a recorded literal, or None when it is not a Redis URL."""
    url_text = urls.literal_text(item.node)
    if url_text is None:
        return None
    url = urls.parse(url_text)
    return (url_text, url) if url is not None else None


def _construction_by_call(ctx: FileContext) -> dict[int, Construction]:
    return {id(c.node): c for scope in ctx.scopes for c in scope.constructions}
