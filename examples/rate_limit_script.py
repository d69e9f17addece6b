"""RL702 lua-undeclared-key: every key a script touches must come from KEYS."""

import redis

r = redis.Redis()

RATE_LIMIT_BAD = """
local count = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[1])
redis.call('INCR', 'ratelimit:calls:total')
return count
"""

RATE_LIMIT_FIXED = """
local count = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[1])
redis.call('INCR', KEYS[2])
return count
"""

rate_limit_bad = r.register_script(RATE_LIMIT_BAD)
rate_limit_fixed = r.register_script(RATE_LIMIT_FIXED)


def allow_bad(user: str) -> bool:
    return rate_limit_bad(keys=[f"ratelimit:{user}"], args=[60]) <= 100


def allow_fixed(user: str) -> bool:
    return rate_limit_fixed(keys=[f"ratelimit:{user}", "ratelimit:calls:total"], args=[60]) <= 100
