"""Hash slots: ours against a real server's CLUSTER KEYSLOT; tags of key templates."""

from __future__ import annotations

import random
from pathlib import Path

import libcst as cst
import pytest
from redis_server import start_cluster_node

from redislint.keys.shape import Hole, shape_of
from redislint.keys.slots import (
    SlotKind,
    SlotRelation,
    TagKind,
    hash_tag,
    key_slot,
    slot_relation,
    slot_view,
    template_tag,
)

EDGE_CASES: list[str | bytes] = [
    "",
    "{",
    "}",
    "{}",
    "}{",
    "{{}}",
    "{{a}}",
    "{a}{b}",
    "a{}{b}",
    "a{b}}",
    "{}a{b}",
    "foo{}{bar}",
    "foo{{bar}}zap",
    "foo{bar}{zap}",
    "{user1000}.following",
    "{user1000}.followers",
    "user:{1}",
    "{ü}",
    "ключ{тег}",
    "🔑{🏷}",
    "emoji🔑",
    "a" * 1000 + "{tag}",
    b"\xff\xfe{\x00}",
    b"\x00{\xff\xff}\x00",
    b"{\x80}",
    b"\xc3\x28",
    "{\n}",
    " {} ",
]

BRACEY = "{}{}{}ab:1 é🔑\x00"


def random_keys(count: int, seed: int = 7) -> list[str | bytes]:
    rng = random.Random(seed)
    keys: list[str | bytes] = []
    for i in range(count):
        size = rng.randint(0, 24)
        choice = i % 4
        if choice == 0:
            keys.append(bytes(rng.randrange(256) for _ in range(size)))
        elif choice == 1:
            keys.append("".join(rng.choice(BRACEY) for _ in range(size)))
        elif choice == 2:
            keys.append("".join(chr(rng.randrange(32, 0x2FFF)) for _ in range(size)))
        else:
            tag = "".join(rng.choice("abc{}:") for _ in range(rng.randint(0, 5)))
            keys.append(f"{rng.choice(['', 'user:', 'x{}'])}{{{tag}}}:{rng.randrange(10**6)}")
    return keys


def test_documented_examples() -> None:
    # https://redis.io/docs/latest/operate/oss_and_stack/reference/cluster-spec/#hash-tags
    assert hash_tag("{user1000}.following") == b"user1000"
    assert hash_tag("foo{}{bar}") is None
    assert hash_tag("foo{{bar}}zap") == b"{bar"
    assert hash_tag("foo{bar}{zap}") == b"bar"
    assert key_slot("{user1000}.following") == key_slot("{user1000}.followers")
    assert key_slot("123456789") == 0x31C3 % 16384  # the CRC16/XMODEM check value
    assert key_slot("foo") == 12182  # redis-cli: CLUSTER KEYSLOT foo
    assert key_slot(b"foo") == key_slot("foo")
    assert 0 <= key_slot(b"\xff" * 100) < 16384


@pytest.mark.redis_server
def test_slots_match_cluster_keyslot(tmp_path: Path) -> None:
    server = start_cluster_node(tmp_path / "node")
    try:
        client = server.client()
        keys = EDGE_CASES + random_keys(10_000)
        pipe = client.pipeline(transaction=False)
        for key in keys:
            pipe.execute_command("CLUSTER", "KEYSLOT", key)
        slots = pipe.execute()
        assert len(slots) == len(keys) >= 10_000
        mismatches = [
            (k, s, key_slot(k)) for k, s in zip(keys, slots, strict=True) if s != key_slot(k)
        ]
        assert not mismatches, mismatches[:5]
        client.close()
    finally:
        server.stop()
    assert server.process.poll() is not None


def shape(src: str):  # type: ignore[no-untyped-def]
    return shape_of(cst.parse_expression(src))


@pytest.mark.parametrize(
    ("src", "kind", "tag"),
    [
        ('"user:1"', TagKind.NONE, None),
        ('f"user:{uid}"', TagKind.NONE, None),
        ('f"{{cache}}:{item}"', TagKind.CONSTANT, "cache"),
        ('"{global}:x"', TagKind.CONSTANT, "global"),
        ('f"{{user:{uid}}}:cart"', TagKind.TEMPLATE, None),
        ('"{" + uid + "}:x"', TagKind.TEMPLATE, None),
        ('"{%s}:x" % uid', TagKind.TEMPLATE, None),
        ('"{{{}}}:x".format(uid)', TagKind.TEMPLATE, None),
        ('f"a{{}}{{{b}}}"', TagKind.EMPTY, None),
        ('f"{{}}:{uid}"', TagKind.EMPTY, None),
        ('f"{prefix}:{{a}}"', TagKind.UNKNOWN, None),
        ("key", TagKind.UNKNOWN, None),
        ('f"x{{{uid}"', TagKind.NONE, None),
        ('f"app:{{{{a}}}}:{n}"', TagKind.CONSTANT, "{a"),
        ('f"q:{n}:{{shard}}"', TagKind.CONSTANT, "shard"),
    ],
)
def test_template_tags(src: str, kind: TagKind, tag: str | None) -> None:
    found = template_tag(shape(src))
    assert found.kind is kind
    assert found.text == tag


def test_template_tag_parts() -> None:
    found = template_tag(shape('f"{{user:{uid}}}:cart"'))
    assert found.parts == ("user:", Hole("uid"))
    assert found.display() == "{user:{uid}}"


def test_constant_tag_is_an_exact_slot() -> None:
    view = slot_view(shape('f"{{cache}}:{item}"'))
    assert view.kind is SlotKind.EXACT
    assert view.slot == key_slot("cache") == key_slot("{cache}:anything")


@pytest.mark.parametrize(
    ("a", "b", "relation"),
    [
        ('"{user:1}:a"', '"{user:1}:b"', SlotRelation.SAME),
        ('"a"', '"b"', SlotRelation.DIFFERENT),
        ('"{a}x"', '"a"', SlotRelation.SAME),
        ('f"{{u:{uid}}}:a"', 'f"{{u:{uid}}}:b"', SlotRelation.SAME),
        ('f"{{u:{uid}}}:a"', 'f"{{u:{other}}}:b"', SlotRelation.UNPROVEN),
        ('f"user:{uid}:a"', 'f"user:{uid}:b"', SlotRelation.UNPROVEN),
        ('f"user:{uid}"', 'f"user:{uid}"', SlotRelation.SAME),
        ('f"{{cache}}:{a}"', '"{cache}:x"', SlotRelation.SAME),
        ('f"{{cache}}:{a}"', '"x"', SlotRelation.DIFFERENT),
        ('f"{{u:{uuid4()}}}:a"', 'f"{{u:{uuid4()}}}:b"', SlotRelation.UNPROVEN),
        ("key", '"x"', SlotRelation.UNKNOWN),
        ('f"{ns}:a"', 'f"{ns}:b"', SlotRelation.UNKNOWN),
    ],
)
def test_slot_relations(a: str, b: str, relation: SlotRelation) -> None:
    assert slot_relation(slot_view(shape(a)), slot_view(shape(b))) is relation


def test_bytes_literals_keep_their_bytes() -> None:
    view = slot_view(shape("b'\\xff\\xfe{t}x'"))
    assert view.kind is SlotKind.EXACT
    assert view.slot == key_slot(b"\xff\xfe{t}x") == key_slot("t")
    assert slot_view(shape("b'\\xffa'")).slot == key_slot(b"\xffa")
