"""RL301 keys-command: KEYS blocks every client while it walks the keyspace."""

import redis

r = redis.Redis()

PURGE_SCRIPT = """
for _, key in ipairs(redis.call('KEYS', ARGV[1])) do
    redis.call('DEL', key)
end
"""


def purge_sessions_bad() -> None:
    for key in r.keys("session:*"):
        r.delete(key)


def purge_sessions_fixed() -> None:
    for key in r.scan_iter(match="session:*", count=1000):
        r.unlink(key)


def purge_with_lua_bad(pattern: str) -> None:
    r.eval(PURGE_SCRIPT, 0, pattern)
