"""RL101 set-without-ttl: cache entries and sessions must expire."""

import json

import redis

r = redis.Redis(host="localhost", port=6379)
SESSION_TTL = 3600


def save_session_bad(session_id: str, data: dict) -> None:
    # Sessions of users who never come back stay in memory forever.
    r.set(f"session:{session_id}", json.dumps(data))


def save_session_fixed(session_id: str, data: dict) -> None:
    r.set(f"session:{session_id}", json.dumps(data), ex=SESSION_TTL)


def cache_prices_bad(prices: dict[str, float]) -> None:
    # MSET cannot carry a TTL.
    r.mset({f"price:{sku}": price for sku, price in prices.items()})


def cache_prices_fixed(prices: dict[str, float]) -> None:
    with r.pipeline() as pipe:
        for sku, price in prices.items():
            pipe.set(f"price:{sku}", price, ex=300)
        pipe.execute()
