"""RL202 setnx-without-expiry: a lock taken without a TTL outlives a crashed holder."""

import uuid

import redis

r = redis.Redis()


def run_exclusively_bad(job: str) -> bool:
    if not r.setnx(f"lock:{job}", 1):
        return False
    # If the process dies here, the lock is never released and the job never runs again.
    r.expire(f"lock:{job}", 60)
    return True


def run_exclusively_fixed(job: str) -> bool:
    token = uuid.uuid4().hex
    return bool(r.set(f"lock:{job}", token, nx=True, ex=60))


def run_with_redis_py_lock(job: str) -> None:
    with r.lock(f"lock:{job}", timeout=60, blocking_timeout=5):
        ...
