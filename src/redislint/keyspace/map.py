"""The keyspace map: every key template the code uses, with its type, TTL and owners.

Built from the ``KeyUse`` records of a lint run (``engine/keyspace.py``): one row per key
template (the same template in any file is one row), in the order of the templates.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from redislint.engine.keyspace import KeyUse
from redislint.keys.shape import KeyShape
from redislint.keys.slots import TagKind, template_tag

# TTL status of a template: every write that creates the key gives it a TTL (itself or an
# expire in the same function), some do, none do, or nothing writes it here.
ALWAYS, SOME, NEVER, UNKNOWN = "always", "some paths", "never", "unknown"


@dataclass(frozen=True)
class Place:
    """Where the code touches a key template."""

    path: str
    line: int
    column: int
    command: str
    function: str

    def location(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass
class TemplateRow:
    """One key template of the map."""

    template: str
    shape: KeyShape
    types: dict[str, list[Place]] = field(default_factory=dict)
    commands: list[str] = field(default_factory=list)
    ttl: str = UNKNOWN
    ttl_places: list[Place] = field(default_factory=list)
    hash_tag: str = ""
    places: list[Place] = field(default_factory=list)

    @property
    def type(self) -> str:
        """The Redis type the commands say the key holds (``"conflict: hash, string"``
        when they disagree, ``"unknown"`` when only type-neutral commands touch it)."""
        if not self.types:
            return "unknown"
        if len(self.types) == 1:
            return next(iter(self.types))
        return "conflict: " + ", ".join(sorted(self.types))


def _hash_tag(shape: KeyShape) -> str:
    tag = template_tag(shape)
    if tag.kind is TagKind.NONE:
        return ""
    if tag.kind is TagKind.UNKNOWN:
        return "?"
    return tag.display()


def _ttl_status(uses: list[KeyUse]) -> str:
    created = [u for u in uses if u.creates]
    expiring = [u for u in uses if u.ttl]
    if not created:
        return UNKNOWN
    covered = [
        u
        for u in created
        if u.ttl or any(t.path == u.path and t.function == u.function for t in expiring)
    ]
    if len(covered) == len(created):
        return ALWAYS
    return SOME if covered or expiring else NEVER


def build_map(uses: Iterable[KeyUse]) -> list[TemplateRow]:
    """The rows of the map, one per key template, sorted by template."""
    by_template: dict[KeyShape, list[KeyUse]] = {}
    for use in uses:
        by_template.setdefault(use.template, []).append(use)
    rows: list[TemplateRow] = []
    for shape, found in by_template.items():
        found.sort(key=lambda u: (u.path, u.line, u.column, u.command))
        row = TemplateRow(template=shape.display(), shape=shape, hash_tag=_hash_tag(shape))
        for use in found:
            place = Place(use.path, use.line, use.column, use.command, use.function)
            if place not in row.places:
                row.places.append(place)
            if use.type is not None:
                row.types.setdefault(use.type, []).append(place)
            if use.ttl:
                row.ttl_places.append(place)
        row.commands = sorted({u.command for u in found})
        row.ttl = _ttl_status(found)
        rows.append(row)
    rows.sort(key=lambda r: r.template)
    return rows
