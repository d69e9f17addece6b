"""RL201 get-then-set: read-modify-write across two commands loses updates."""

import redis

r = redis.Redis()


def count_view_bad(page: str) -> int:
    views = r.get(f"views:{page}")
    new = int(views or 0) + 1
    # Two requests that read the same value both write value + 1: one view is lost.
    r.set(f"views:{page}", new)
    return new


def count_view_fixed(page: str) -> int:
    return r.incr(f"views:{page}")


def init_quota_bad(user: str) -> None:
    if not r.exists(f"quota:{user}"):
        r.set(f"quota:{user}", 100, ex=86400)


def init_quota_fixed(user: str) -> None:
    r.set(f"quota:{user}", 100, nx=True, ex=86400)


def apply_discount_fixed(cart: str, percent: int) -> None:
    def update(pipe: redis.client.Pipeline) -> None:
        total = float(pipe.get(f"cart:{cart}:total") or 0)
        pipe.multi()
        pipe.set(f"cart:{cart}:total", total * (100 - percent) / 100, ex=3600)

    r.transaction(update, f"cart:{cart}:total")
