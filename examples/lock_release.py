"""RL203 lock-release-without-token and RL207 lock-constant-token: hand-made locks."""

import uuid

import redis

r = redis.Redis()
RELEASE = r.register_script(
    """
    if redis.call('get', KEYS[1]) == ARGV[1] then
        return redis.call('del', KEYS[1])
    end
    return 0
    """
)


def rebuild_index_bad(index: str) -> None:
    # Every holder writes "1": nobody can tell whose lock it is.
    if not r.set(f"lock:index:{index}", 1, nx=True, ex=30):
        return
    try:
        rebuild(index)
    finally:
        # If the rebuild took longer than 30 s, another worker holds the lock now;
        # this DEL removes *its* lock and a third worker can start.
        r.delete(f"lock:index:{index}")


def rebuild_index_fixed(index: str) -> None:
    token = uuid.uuid4().hex
    if not r.set(f"lock:index:{index}", token, nx=True, ex=30):
        return
    try:
        rebuild(index)
    finally:
        # Deletes the key only if it still holds our token (on Redis 8.4+:
        # r.delex(key, ifeq=token)).
        RELEASE(keys=[f"lock:index:{index}"], args=[token])


def rebuild(index: str) -> None: ...
