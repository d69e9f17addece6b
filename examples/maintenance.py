"""RL302 flush-in-code, RL303 unbounded-collection-read (off by default: redislint --select ALL)."""

import redis

r = redis.Redis()


def reset_cache_bad() -> None:
    # Deletes every key of the database: sessions, queues and locks of every other feature.
    r.flushdb()


def reset_cache_fixed() -> None:
    for key in r.scan_iter(match="cache:*", count=1000):
        r.unlink(key)


def export_followers_bad(uid: int) -> list[bytes]:
    # O(N) in one reply: a celebrity's follower set stalls the server.
    return list(r.smembers(f"followers:{uid}"))


def export_followers_fixed(uid: int) -> list[bytes]:
    return list(r.sscan_iter(f"followers:{uid}", count=500))
