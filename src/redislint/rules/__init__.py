"""The rule registry: every rule class, by code. One package per category, one file per rule."""

from __future__ import annotations

from redislint.rules import (
    atomicity,
    blocking,
    cluster,
    config_files,
    connections,
    engine_codes,
    expiration,
    memory,
    messaging,
    persistence,
)
from redislint.rules.base import Rule

_MODULES = (
    engine_codes,
    expiration,
    atomicity,
    blocking,
    memory,
    messaging,
    persistence,
    cluster,
    connections,
    config_files,
)


def _collect() -> tuple[type[Rule], ...]:
    """Every rule class a category defines (in the category's own files), once."""
    found: dict[str, type[Rule]] = {}
    for module in _MODULES:
        for value in vars(module).values():
            # type(), not isinstance(): the latter would load the lazily imported libcst
            if (
                issubclass(type(value), type)
                and issubclass(value, Rule)
                and (
                    value.__module__ == module.__name__
                    or value.__module__.startswith(module.__name__ + ".")
                )
            ):
                found[value.code] = value
    return tuple(found[code] for code in sorted(found))


ALL_RULES: tuple[type[Rule], ...] = _collect()
BY_CODE: dict[str, type[Rule]] = {r.code: r for r in ALL_RULES}
BY_NAME: dict[str, type[Rule]] = {r.name: r for r in ALL_RULES}
# Diagnostics produced by the engine, not by a rule's hooks.
ENGINE_CODES = frozenset({"RL000", "RL001"})


def lookup(code_or_name: str) -> type[Rule] | None:
    """A rule by code (any case) or name."""
    return BY_CODE.get(code_or_name.upper()) or BY_NAME.get(code_or_name.lower())
