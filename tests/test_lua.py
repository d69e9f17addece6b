"""The Lua 5.1 tokenizer, redis.call() sites, and where their keys come from."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from redislint.lua import LuaSyntaxError, redis_calls, tokenize
from redislint.lua_keys import Origin, keyed_calls


def kinds(src: str) -> list[tuple[str, str]]:
    return [(t.kind, t.text) for t in tokenize(src)]


@pytest.mark.parametrize(
    ("src", "value"),
    [
        ('"plain"', "plain"),
        ("'single'", "single"),
        (r'"a\"b"', 'a"b'),
        (r"'a\'b'", "a'b"),
        (r'"tab\tnew\nline"', "tab\tnew\nline"),
        (r'"\a\b\f\v\r"', "\a\b\f\v\r"),
        (r'"back\\slash"', "back\\slash"),
        (r'"\65\066\0677"', "AB" + "C7"),
        (r'"\x41"', "x41"),  # Lua 5.1 has no \x escape
        ('"line\\\ncontinued"', "line\ncontinued"),
        ('"line\\\r\ncontinued"', "line\ncontinued"),
        ('"it\'s"', "it's"),
        ("'say \"hi\"'", 'say "hi"'),
        ("[[long]]", "long"),
        ("[[\nskips the first newline]]", "skips the first newline"),
        ("[[\r\nand a CRLF]]", "and a CRLF"),
        ("[=[has ]] inside]=]", "has ]] inside"),
        ("[==[level ]=] two]==]", "level ]=] two"),
        ("[====[]====]", ""),
        ("[[redis.call('KEYS', '*')]]", "redis.call('KEYS', '*')"),
    ],
)
def test_strings(src: str, value: str) -> None:
    tokens = tokenize(src)
    assert [(t.kind, t.text) for t in tokens] == [("string", value)]
    assert (tokens[0].start, tokens[0].end) == (0, len(src))


@pytest.mark.parametrize(
    "src",
    ['"unterminated', "'no end\n'", "[[never closed", "[=[wrong level]]", "--[[ open comment"],
)
def test_unterminated(src: str) -> None:
    with pytest.raises(LuaSyntaxError):
        tokenize(src)


@pytest.mark.parametrize(
    ("src", "names"),
    [
        ("-- line comment redis.call('KEYS')\nx", ["x"]),
        ("--[[ long\ncomment ]] x", ["x"]),
        ("--[==[ long ]] still ]==] x", ["x"]),
        ("--[ not long\nx", ["x"]),
        ("--[=x\ny", ["y"]),
        ("x -- trailing", ["x"]),
        ("#!lua flags=no-writes,allow-stale\nx", ["x"]),
        ("#!lua name=lib 'odd\nx", ["x"]),
    ],
)
def test_comments(src: str, names: list[str]) -> None:
    assert [t.text for t in tokenize(src)] == names


@pytest.mark.parametrize(
    "number", ["3", "345", "0xff", "0XBEEF", "314.16e-2", "0.31416E1", "34e1", "3.", ".5", "1e+9"]
)
def test_numbers(number: str) -> None:
    assert kinds(f"x = {number}") == [("name", "x"), ("op", "="), ("number", number)]


def test_operators_and_names() -> None:
    assert kinds("a..b ~= c...") == [
        ("name", "a"),
        ("op", ".."),
        ("name", "b"),
        ("op", "~="),
        ("name", "c"),
        ("op", "..."),
    ]
    assert kinds("_x1 = t[ [[k]] ]") == [
        ("name", "_x1"),
        ("op", "="),
        ("name", "t"),
        ("op", "["),
        ("string", "k"),
        ("op", "]"),
    ]


@given(st.text(max_size=60))
@settings(max_examples=300, deadline=None)
def test_any_text_tokenizes_or_raises_cleanly(src: str) -> None:
    try:
        tokens = tokenize(src)
    except LuaSyntaxError:
        return
    for tok in tokens:
        assert 0 <= tok.start < tok.end <= len(src)


def test_redis_calls_ignore_comments_strings_and_other_objects() -> None:
    src = """
    -- redis.call('KEYS', '*')
    local s = "redis.call('KEYS')"
    local t = x.redis.call('GET', 'k')
    return redis.pcall('KEYS', ARGV[1])
    """
    calls = redis_calls(src)
    assert [c.command for c in calls] == ["keys"]
    assert src[calls[0].start : calls[0].end] == "redis.pcall('KEYS', ARGV[1])"


def origins(src: str, library: bool = False) -> list[tuple[str, list[str]]]:
    return [(c.command, [v.origin.value for v in c.args]) for c in keyed_calls(src, library)]


@pytest.mark.parametrize(
    ("src", "expected"),
    [
        ("return redis.call('GET', KEYS[1])", ["keys"]),
        ("local k = KEYS[1]\nreturn redis.call('GET', k)", ["keys"]),
        ("local a, b = KEYS[1], KEYS[2]\nreturn redis.call('GET', b)", ["keys"]),
        ("local a, b = unpack(KEYS)\nreturn redis.call('GET', b)", ["keys"]),
        ("for _, key in ipairs(KEYS) do redis.call('DEL', key) end", ["keys"]),
        ("for i, key in pairs(KEYS) do redis.call('DEL', key) end", ["keys"]),
        ("for i = 1, #KEYS do redis.call('DEL', KEYS[i]) end", ["keys"]),
        ("return redis.call('GET', 'config')", ["literal"]),
        ("local k = 'config'\nreturn redis.call('GET', k)", ["literal"]),
        ("return redis.call('GET', ARGV[1])", ["argv"]),
        ("return redis.call('GET', 'user:' .. ARGV[1])", ["argv"]),
        ("for _, k in ipairs(ARGV) do redis.call('DEL', k) end", ["argv"]),
        ("return redis.call('GET', KEYS[1] .. ':meta')", ["built"]),
        ("return redis.call('GET', string.format('%s:x', KEYS[1]))", ["built"]),
        ("return redis.call('GET', tostring(KEYS[1]))", ["keys"]),
        ("return redis.call('GET', (KEYS[1]))", ["keys"]),
        ("local k = redis.call('GET', KEYS[1])\nreturn redis.call('GET', k)", ["keys", "unknown"]),
        ("local function f(k) return redis.call('GET', k) end", ["unknown"]),
        ("local k = KEYS[1]\nk = 'other'\nreturn redis.call('GET', k)", ["unknown"]),
        ("local KEYS = {'x'}\nreturn redis.call('GET', KEYS[1])", ["unknown"]),
        ("if redis.call('EXISTS', KEYS[1]) == 1 then return 1 end", ["keys"]),
        ("return redis.call(ARGV[1], KEYS[1])", []),
    ],
)
def test_key_origins(src: str, expected: list[str]) -> None:
    assert [args[0] if args else "" for _, args in origins(src)] == expected


def test_all_arguments_and_spreads() -> None:
    src = "redis.call('MSET', KEYS[1], ARGV[1], 'k2', 2)\nredis.call('DEL', unpack(ARGV))"
    assert origins(src) == [
        ("mset", ["keys", "argv", "literal", "literal"]),
        ("del", ["argv"]),
    ]


def test_call_positions() -> None:
    src = "local x = 1\n  return redis.pcall(\n'GET', KEYS[1])  "
    (call,) = keyed_calls(src)
    assert src[call.call.start : call.call.end] == "redis.pcall(\n'GET', KEYS[1])"


LIBRARY = """#!lua name=mylib
local function helper(keys, args)
  return redis.call('GET', keys[1])
end
local function setter(k, a)
  redis.call('SET', 'config:' .. a[1], a[2])
  return redis.call('SET', k[1], a[1])
end
local function unrelated(keys, args)
  return redis.call('GET', args)
end
redis.register_function('helper', helper)
redis.register_function{function_name='setter', callback=setter, flags={'no-writes'}}
redis.register_function('inline', function(keys, args)
  return redis.call('INCR', 'counter')
end)
redis.register_function{
  function_name = 'tbl',
  callback = function(ks, as) return redis.call('DEL', ks[1], as[1]) end,
}
"""


def test_function_library_callbacks() -> None:
    assert origins(LIBRARY, library=True) == [
        ("get", ["keys"]),
        ("set", ["argv", "argv"]),
        ("set", ["keys", "argv"]),
        ("get", ["unknown"]),
        ("incr", ["literal"]),
        ("del", ["keys", "argv"]),
    ]


def test_keys_and_argv_are_plain_names_in_a_library() -> None:
    src = "redis.register_function('f', function(a, b) return redis.call('GET', KEYS[1]) end)"
    assert origins(src, library=True) == [("get", ["unknown"])]


def test_origin_values() -> None:
    (call,) = keyed_calls("local k = 'a' .. 'b'\nreturn redis.call('GET', k)")
    assert call.args[0].origin is Origin.LITERAL
    assert call.args[0].text == "ab"
