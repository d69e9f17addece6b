"""Redis Cluster hash slots: hash tags, ``CLUSTER KEYSLOT``, and the tags of key templates.

A key's slot is CRC16/XMODEM of its hash tag (the text between the first ``{`` and the
first ``}`` after it, when that text is not empty) or of the whole key, modulo 16384.
``binascii.crc_hqx(data, 0)`` is exactly that CRC (polynomial 0x1021, initial value 0).
Keys are bytes on the wire; ``str`` keys are encoded as redis-py encodes them (UTF-8).
"""

from __future__ import annotations

import binascii
import enum
from dataclasses import dataclass

from redislint.keys.shape import Hole, KeyShape, Part, Relation, compare

SLOTS = 16384


def encode_key(key: str | bytes) -> bytes:
    """The bytes redis-py sends for ``key``.

    ``str`` keys are UTF-8; lone surrogates from ``surrogateescape`` (how the key shapes
    keep undecodable bytes literals) turn back into their bytes.
    """
    if isinstance(key, bytes):
        return key
    return key.encode("utf-8", "surrogateescape")


def hash_tag(key: str | bytes) -> bytes | None:
    """The hash tag Redis hashes instead of the whole key, or None (exactly as Redis)."""
    data = encode_key(key)
    start = data.find(b"{")
    if start < 0:
        return None
    end = data.find(b"}", start + 1)
    if end < 0 or end == start + 1:
        return None
    return data[start + 1 : end]


def key_slot(key: str | bytes) -> int:
    """``CLUSTER KEYSLOT key``."""
    tag = hash_tag(key)
    return binascii.crc_hqx(tag if tag is not None else encode_key(key), 0) % SLOTS


class TagKind(enum.Enum):
    """What the hash tag of a key template is."""

    NONE = "none"  # no ``{`` (or no ``}`` after it): the whole key is hashed
    EMPTY = "empty"  # the first ``{`` is closed at once (``{}``): no tag, the whole key is hashed
    CONSTANT = "constant"  # literal text: every key of the template is in one slot
    TEMPLATE = "template"  # the tag contains a part computed at run time
    UNKNOWN = "unknown"  # the key starts with a computed part, which may hold the tag


@dataclass(frozen=True)
class TemplateTag:
    """The hash tag of a key template, as far as its literal text decides it."""

    kind: TagKind
    parts: tuple[Part, ...] = ()  # the tag's content (CONSTANT and TEMPLATE)

    @property
    def text(self) -> str | None:
        """The tag when it is constant."""
        if self.kind is TagKind.CONSTANT:
            return "".join(p for p in self.parts if isinstance(p, str))
        return None

    def display(self) -> str:
        return "{" + KeyShape(self.parts).display() + "}"


def template_tag(shape: KeyShape) -> TemplateTag:
    """The hash tag of a key template (literal parts and computed holes).

    Computed parts are assumed not to contain braces, except a part the key starts with
    (a namespace prefix such as ``f"{prefix}:..."`` may carry the application's tag), which
    makes the tag unknown unless the key is a literal.
    """
    parts = shape.parts
    if parts and isinstance(parts[0], Hole):
        return TemplateTag(TagKind.UNKNOWN)
    content: list[Part] | None = None  # collecting after the first "{"
    for part in parts:
        if isinstance(part, Hole):
            if content is not None:
                content.append(part)
            continue
        text = part
        if content is None:
            start = text.find("{")
            if start < 0:
                continue
            content = []
            text = text[start + 1 :]
        end = text.find("}")
        if end < 0:
            content.append(text)
            continue
        content.append(text[:end])
        tag = KeyShape(tuple(p for p in content if p != "")).parts
        if not tag:
            return TemplateTag(TagKind.EMPTY)
        if all(isinstance(p, str) for p in tag):
            return TemplateTag(TagKind.CONSTANT, ("".join(str(p) for p in tag),))
        return TemplateTag(TagKind.TEMPLATE, _merged(tag))
    return TemplateTag(TagKind.NONE)


def _merged(parts: tuple[Part, ...]) -> tuple[Part, ...]:
    out: list[Part] = []
    for part in parts:
        if isinstance(part, str) and out and isinstance(out[-1], str):
            out[-1] += part
        else:
            out.append(part)
    return tuple(out)


class SlotKind(enum.Enum):
    EXACT = "exact"  # the slot is known: a literal key, or a template with a constant tag
    TAG = "tag"  # all keys with this tag template share a slot
    WHOLE = "whole"  # no tag: the whole (templated) key is hashed
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class SlotView:
    """What can be known statically about the slot of one key argument."""

    kind: SlotKind
    shape: KeyShape
    slot: int | None = None  # EXACT
    tag: TemplateTag | None = None


def slot_view(shape: KeyShape) -> SlotView:
    literal = shape.literal
    if literal is not None:
        try:
            return SlotView(SlotKind.EXACT, shape, slot=key_slot(literal))
        except UnicodeEncodeError:  # a lone surrogate: redis-py could not send it either
            return SlotView(SlotKind.UNKNOWN, shape)
    tag = template_tag(shape)
    if tag.kind is TagKind.CONSTANT:
        text = tag.text
        assert text is not None
        try:
            return SlotView(SlotKind.EXACT, shape, slot=key_slot(text), tag=tag)
        except UnicodeEncodeError:
            return SlotView(SlotKind.UNKNOWN, shape)
    if tag.kind is TagKind.TEMPLATE:
        return SlotView(SlotKind.TAG, shape, tag=tag)
    if tag.kind in (TagKind.NONE, TagKind.EMPTY):
        return SlotView(SlotKind.WHOLE, shape, tag=tag)
    return SlotView(SlotKind.UNKNOWN, shape)


class SlotRelation(enum.Enum):
    SAME = "same"  # certainly one slot
    DIFFERENT = "different"  # certainly two slots (both slots are known)
    UNPROVEN = "unproven"  # templates that share no hash tag: almost always two slots
    UNKNOWN = "unknown"  # nothing can be said


def slot_relation(a: SlotView, b: SlotView) -> SlotRelation:
    """Whether two keys are in one hash slot."""
    if SlotKind.UNKNOWN in (a.kind, b.kind):
        return SlotRelation.UNKNOWN
    if a.kind is SlotKind.EXACT and b.kind is SlotKind.EXACT:
        return SlotRelation.SAME if a.slot == b.slot else SlotRelation.DIFFERENT
    if compare(a.shape, b.shape) is Relation.SAME:
        return SlotRelation.SAME  # one key, twice
    if a.kind is SlotKind.TAG and b.kind is SlotKind.TAG:
        assert a.tag is not None and b.tag is not None
        if compare(KeyShape(a.tag.parts), KeyShape(b.tag.parts)) is Relation.SAME:
            return SlotRelation.SAME
    return SlotRelation.UNPROVEN
