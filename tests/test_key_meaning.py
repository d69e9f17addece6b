"""Engine helpers: what a key says about its use, and which values are constant."""

from __future__ import annotations

import libcst as cst
import pytest

from redislint.keys.meaning import names_lock, time_window
from redislint.keys.shape import shape_of
from redislint.semantic.arguments import constant, is_literal


def window(code: str, **bound: str) -> str | None:
    node = cst.parse_expression(code)
    names = {k: cst.parse_expression(v) for k, v in bound.items()}
    return time_window(node, shape_of(node), names.get)


@pytest.mark.parametrize(
    ("code", "bound", "reason"),
    [
        ('f"rl:{int(time.time() // 60)}"', {}, "time.time()"),
        ('f"v:{date.today()}"', {}, "date.today()"),
        ('f"v:{datetime.datetime.now():%H}"', {}, "datetime.datetime.now()"),
        ('"v:%s" % stamp', {"stamp": 'now.strftime("%Y%m%d")'}, "formatted date"),
        ('f"hits:{w}"', {"w": "int(time.time()) // WINDOW"}, "time.time()"),
        ('f"s:{ts // 3600}"', {}, "// 3600"),
        ('f"s:{ts // self.window_seconds}"', {}, "// self.window_seconds"),
        ('f"ratelimit:{ip}"', {}, "'ratelimit'"),
        ('"throttle:global"', {}, "'throttle'"),
        ('f"hits:{minute}"', {}, "minute"),
        ('f"m:{now.hour}"', {}, "now.hour"),
    ],
)
def test_time_windows(code: str, bound: dict[str, str], reason: str) -> None:
    found = window(code, **bound)
    assert found is not None and reason in found


@pytest.mark.parametrize(
    "code",
    [
        '"page:views"',
        'f"user:{uid}:score"',
        'f"shard:{uid // 1000}"',
        'f"user:{uid}:active_days"',
        'f"obj:{obj.time()}"',
        'f"plan:{uid}:limits"',
        "key",
    ],
)
def test_not_time_windows(code: str) -> None:
    assert window(code) is None


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ('f"lock:{job}"', True),
        ('"leader"', True),
        ("lock_key", True),
        ("self.mutex_name", True),
        ('f"{prefix}:semaphore"', True),
        ('f"cache:{key}"', False),
        ('"blocklist"', False),
        ("name", False),
    ],
)
def test_lock_names(code: str, expected: bool) -> None:
    assert names_lock(shape_of(cst.parse_expression(code))) is expected


@pytest.mark.parametrize(
    ("code", "bound", "value"),
    [
        ("1", {}, 1),
        ('"locked"', {}, "locked"),
        ('b"1"', {}, b"1"),
        ("True", {}, True),
        ('f"x"', {}, "x"),
        ("str(1)", {}, 1),
        ('"x".encode()', {}, "x"),
        ("TOKEN", {"TOKEN": '"held"'}, "held"),
        ("a", {"a": "b", "b": "7"}, 7),
    ],
)
def test_constants(code: str, bound: dict[str, str], value: object) -> None:
    names = {k: cst.parse_expression(v) for k, v in bound.items()}
    assert constant(cst.parse_expression(code), names.get) == value


@pytest.mark.parametrize(
    "code",
    ["uuid.uuid4().hex", "token", "self.token", 'f"{host}:{pid}"', "secrets.token_hex(16)"],
)
def test_not_constants(code: str) -> None:
    assert not is_literal(constant(cst.parse_expression(code), {}.get))
