"""RL804 eval-per-call and RL806 dynamic-lua-script: Lua scripts sent as text every time."""

import redis

r = redis.Redis(host="localhost", socket_timeout=2)

RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('del', KEYS[1])
end
return 0
"""


def release_bad(key: str, token: str) -> int:
    # The whole script body travels with every call.
    return r.eval(RELEASE, 1, key, token)


release_script = r.register_script(RELEASE)


def release_fixed(key: str, token: str) -> int:
    # EVALSHA; the script is reloaded automatically if the server lost it.
    return release_script(keys=[key], args=[token])


def trim_bad(key: str, limit: int) -> None:
    # Every limit is a new script in the server's script cache, which never shrinks.
    r.eval(f"return redis.call('LTRIM', KEYS[1], 0, {limit} - 1)", 1, key)


trim_script = r.register_script("return redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[1]) - 1)")


def trim_fixed(key: str, limit: int) -> None:
    trim_script(keys=[key], args=[limit])
