"""The redis.conf parser: argument splitting, values, includes, and what it decides."""

from __future__ import annotations

from pathlib import Path

import pytest
from redis_server import ServerStartError, start_server

from redislint import redisconf
from redislint.redisconf import SplitError, split_args


@pytest.mark.parametrize(
    ("line", "args"),
    [
        ("maxmemory 2gb", ["maxmemory", "2gb"]),
        ("  save   900 1  ", ["save", "900", "1"]),
        ("maxmemory\t4gb", ["maxmemory", "4gb"]),
        ('requirepass "a b"', ["requirepass", "a b"]),
        ('requirepass ""', ["requirepass", ""]),
        ("requirepass ''", ["requirepass", ""]),
        (r'requirepass "a\x41b"', ["requirepass", "aAb"]),
        (r'requirepass "a\x4"', ["requirepass", "ax4"]),
        (r'requirepass "\n\r\t\b\a"', ["requirepass", "\n\r\t\b\a"]),
        (r'requirepass "a\qb\\c\"d"', ["requirepass", 'aqb\\c"d']),
        (r"requirepass 'it\'s'", ["requirepass", "it's"]),
        (r"requirepass 'a\nb'", ["requirepass", "a\\nb"]),
        ('requirepass a"b c"', ["requirepass", "ab c"]),
        ("maxmemory 2gb # comment", ["maxmemory", "2gb", "#", "comment"]),
        ("", []),
    ],
)
def test_split_args(line: str, args: list[str]) -> None:
    assert split_args(line) == args


@pytest.mark.parametrize(
    "line",
    ['requirepass "abc', "requirepass 'abc", 'requirepass "a"b', "requirepass 'a'b", '"'],
)
def test_split_args_refuses(line: str) -> None:
    with pytest.raises(SplitError):
        split_args(line)


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("0", 0),
        ("1", 1),
        ("1b", 1),
        ("1k", 1000),
        ("1kb", 1024),
        ("1K", 1000),
        ("1KB", 1024),
        ("2m", 2_000_000),
        ("2mb", 2 * 1024**2),
        ("2g", 2_000_000_000),
        ("2gb", 2 * 1024**3),
        ("2Gb", 2 * 1024**3),
        ("", 0),
        ("gb", 0),
    ],
)
def test_memory_units(text: str, size: int) -> None:
    assert redisconf.parse_memory(text) == size


@pytest.mark.parametrize(
    "text", ["-1", "+5", "1.5gb", "2tb", "1 gb", "0x10", "99999999999999999999gb"]
)
def test_memory_refused(text: str) -> None:
    assert redisconf.parse_memory(text) is None


def load(tmp_path: Path, files: dict[str, str], root: str = "redis.conf") -> redisconf.Conf:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return redisconf.load(tmp_path / root)


def test_later_directive_wins_names_are_case_insensitive(tmp_path: Path) -> None:
    conf = load(tmp_path, {"redis.conf": "maxmemory 1gb\nMAXMEMORY 2gb\n"})
    assert redisconf.memory_setting(conf, "maxmemory") == 2 * 1024**3
    assert [d.line for d in conf.every("maxmemory")] == [1, 2]


def test_comments_are_whole_lines(tmp_path: Path) -> None:
    conf = load(
        tmp_path, {"redis.conf": "# maxmemory 1gb\n   # indented comment\nmaxmemory 2gb # no\n"}
    )
    assert conf.last("maxmemory") is None
    assert [(e.line, e.name) for e in conf.errors] == [(3, "maxmemory")]


def test_save_points_accumulate_and_reset(tmp_path: Path) -> None:
    def points(text: str) -> tuple[tuple[int, int], ...]:
        return redisconf.effective_save(load(tmp_path, {"redis.conf": text})).points

    assert points("appendonly no\n") == redisconf.DEFAULT_SAVE
    assert points("save 900 1\nsave 300 10\n") == ((900, 1), (300, 10))
    assert points("save 900 1 300 10\n") == ((900, 1), (300, 10))
    assert points('save 900 1\nsave ""\n') == ()
    assert points('save ""\nsave 60 5\n') == ((60, 5),)
    assert points("save\n") == ()
    assert points("save 900 1\nsave\n") == ((900, 1),)


def test_include_is_read_in_place_relative_to_the_file(tmp_path: Path) -> None:
    conf = load(
        tmp_path,
        {
            "redis.conf": "maxmemory 1gb\ninclude conf/extra.conf\nappendonly yes\n",
            "conf/extra.conf": "maxmemory 2gb\nappendonly no\n",
        },
    )
    assert [(Path(d.path).name, d.name, d.value) for d in conf.directives] == [
        ("redis.conf", "maxmemory", "1gb"),
        ("redis.conf", "include", "conf/extra.conf"),
        ("extra.conf", "maxmemory", "2gb"),
        ("extra.conf", "appendonly", "no"),
        ("redis.conf", "appendonly", "yes"),
    ]
    assert conf.complete


def test_glob_include_in_sorted_order_skipping_dot_files(tmp_path: Path) -> None:
    conf = load(
        tmp_path,
        {
            "redis.conf": "include conf.d/*.conf\ninclude empty.d/*.conf\n",
            "conf.d/b.conf": "maxmemory 2gb\n",
            "conf.d/a.conf": "maxmemory 1gb\n",
            "conf.d/.hidden.conf": "maxmemory 9gb\n",
        },
    )
    assert [d.value for d in conf.every("maxmemory")] == ["1gb", "2gb"]
    assert conf.complete  # a glob that matches nothing is skipped, as Redis does


def test_missing_include_makes_the_file_incomplete(tmp_path: Path) -> None:
    conf = load(tmp_path, {"redis.conf": "include /nonexistent/redislint/common.conf\n"})
    assert not conf.complete
    assert not conf.errors
    assert not conf.absent("maxmemory")


def test_include_cycle_is_an_error(tmp_path: Path) -> None:
    conf = load(
        tmp_path, {"redis.conf": "include other.conf\n", "other.conf": "include redis.conf\n"}
    )
    assert [e.message for e in conf.errors] == [
        f"include cycle: {tmp_path / 'redis.conf'} includes itself"
    ]


def test_whole_file_errors(tmp_path: Path) -> None:
    conf = load(
        tmp_path,
        {"redis.conf": "user app on >a\nuser app on >b\naclfile /etc/redis/users.acl\n"},
    )
    assert [(e.line, e.name) for e in conf.errors] == [(2, "user"), (3, "aclfile")]


def test_unreadable_file(tmp_path: Path) -> None:
    conf = redisconf.load(tmp_path / "missing.conf")
    assert [e.message for e in conf.errors] == ["cannot read the file: no such file or directory"]


def test_default_user(tmp_path: Path) -> None:
    def user(text: str) -> redisconf.DefaultUser | None:
        return redisconf.default_user(load(tmp_path, {"redis.conf": text}))

    built_in = user("port 6379\n")
    assert built_in is not None and built_in.anonymous
    with_password = user("requirepass s3cret\n")
    assert with_password is not None and not with_password.anonymous
    reset = user("requirepass s3cret\nuser default on nopass ~* +@all\n")
    assert reset is not None and reset.anonymous
    nothing = user("user default on nopass\n")  # a user line starts from "reset": -@all
    assert nothing is not None and not nothing.anonymous
    assert user("aclfile /etc/redis/users.acl\n") is None
    limited = user("user default on nopass ~* +@all -@dangerous +keys\n")
    assert limited is not None
    assert limited.allows("keys", frozenset({"@dangerous", "@read"}))
    assert not limited.allows("flushall", frozenset({"@dangerous", "@write"}))
    assert limited.allows("get", frozenset({"@read"}))


# Quoting, checked against redis-server itself: what CONFIG GET requirepass returns, or
# whether the server refuses the line.
QUOTED = [
    (r'requirepass "a\x41b"', "aAb"),
    (r'requirepass "tab\there"', "tab\there"),
    (r'requirepass "a\qb"', "aqb"),
    (r"requirepass 'it\'s'", "it's"),
    (r"requirepass 'a\nb'", "a\\nb"),
    ('requirepass a"b c"', "ab c"),
    ('requirepass ""', ""),
    ('requirepass "x"y', None),
    ('requirepass "unterminated', None),
    ("requirepass 'a'b", None),
    ("requirepass a b", None),
]


@pytest.mark.redis_server
@pytest.mark.parametrize(("line", "expected"), QUOTED)
def test_quoting_agrees_with_redis_server(line: str, expected: str | None, tmp_path: Path) -> None:
    path = tmp_path / "redis.conf"
    path.write_text(line + "\n")
    conf = redisconf.load(path)
    parsed = None if conf.errors else conf.last("requirepass")
    try:
        server = start_server(tmp_path / "data", config_file=path)
    except ServerStartError:
        assert expected is None and parsed is None, "redis-server refused the line"
        return
    try:
        assert parsed is not None, f"redislint refused a line redis-server accepts: {conf.errors}"
        assert parsed.value == expected
        client = server.client(password=expected) if expected else server.client()
        value = client.config_get("requirepass")["requirepass"]
        assert (value.decode() if isinstance(value, bytes) else value) == expected
    finally:
        server.stop()
