"""RL104 counter-without-expire: a fixed-window rate limiter whose windows never expire."""

import time

import redis

r = redis.Redis()
LIMIT = 100
WINDOW = 60


def allow_bad(user: str) -> bool:
    window = int(time.time()) // WINDOW
    # One key per user per minute, none of which ever expires.
    return r.incr(f"ratelimit:login:{user}:{window}") <= LIMIT


def allow_fixed(user: str) -> bool:
    window = int(time.time()) // WINDOW
    key = f"ratelimit:api:{user}:{window}"
    pipe = r.pipeline()
    pipe.incr(key)
    pipe.expire(key, WINDOW, nx=True)  # NX: Redis 7.0+; without it the TTL is simply renewed
    count, _ = pipe.execute()
    return count <= LIMIT
