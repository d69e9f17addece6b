"""RL801 client-per-call, RL802 command-in-loop, RL803 pipeline-not-executed,
RL807 client-without-timeout (off by default), RL808 logical-database (off by default)."""

import os

import redis

# One client for the whole process: it keeps a pool of open connections.
r = redis.Redis(host="localhost", socket_timeout=2, socket_connect_timeout=2)


def profile_bad(uid: str) -> dict:
    # A new client, pool and TCP connection for every call, thrown away at the end.
    client = redis.Redis(host="localhost", socket_timeout=2)
    return client.hgetall(f"user:{uid}")


def profile_fixed(uid: str) -> dict:
    return r.hgetall(f"user:{uid}")


def mark_seen_bad(uids: list[str]) -> None:
    # One network round trip per user.
    for uid in uids:
        r.set(f"seen:{uid}", 1, ex=3600)


def mark_seen_fixed(uids: list[str]) -> None:
    with r.pipeline(transaction=False) as pipe:
        for uid in uids:
            pipe.set(f"seen:{uid}", 1, ex=3600)
        pipe.execute()


def names_bad(uids: list[str]) -> list:
    return [r.get(f"name:{uid}") for uid in uids]


def names_fixed(uids: list[str]) -> list:
    return r.mget([f"name:{uid}" for uid in uids])


def count_hit_bad(page: str) -> None:
    pipe = r.pipeline()
    pipe.incr(f"hits:{page}")
    pipe.expire(f"hits:{page}", 86400)
    # Forgot pipe.execute(): nothing was ever sent.


def count_hit_fixed(page: str) -> None:
    pipe = r.pipeline()
    pipe.incr(f"hits:{page}")
    pipe.expire(f"hits:{page}", 86400)
    pipe.execute()


# Waits forever for a reply when the server stalls.
reports_bad = redis.Redis(host="localhost", db=2)  # and a numbered database
reports_fixed = redis.Redis(host="localhost", socket_timeout=5)  # keys under "report:"

# The URL comes from the environment; its timeout too.
from_env = redis.from_url(os.environ.get("REDIS_URL", "redis://localhost:6379/0"), socket_timeout=2)
