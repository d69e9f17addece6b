"""RL204 lock-without-timeout and RL206 lock-acquire-unchecked: redis-py's Lock misused."""

import redis

r = redis.Redis()


def nightly_report_bad(day: str) -> None:
    # timeout=None (the default): if this process dies, the lock is held forever.
    lock = r.lock(f"lock:report:{day}", blocking_timeout=5)
    # acquire() returns False after 5 s of waiting; the report then runs without the lock.
    lock.acquire()
    try:
        build_report(day)
    finally:
        lock.release()


def nightly_report_fixed(day: str) -> None:
    # Raises LockError if the lock cannot be taken within 5 s; expires after 10 min.
    with r.lock(f"lock:report:{day}", timeout=600, blocking_timeout=5):
        build_report(day)


def build_report(day: str) -> None: ...
