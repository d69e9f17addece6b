"""RL805 unawaited-async-command: asyncio commands that are never sent."""

import redis.asyncio as aioredis

r = aioredis.Redis(host="localhost", socket_timeout=2)


async def remember_bad(key: str, value: str) -> bool:
    # Creates a coroutine and drops it: SET is never sent.
    r.set(key, value, ex=60)
    # A coroutine is always true: this returns True even for missing keys.
    if r.exists(key):
        return True
    return False


async def remember_fixed(key: str, value: str) -> bool:
    await r.set(key, value, ex=60)
    return bool(await r.exists(key))
