"""RL404 set-for-unique-count (off by default: redislint --select ALL), RL505 cluster-broadcast-publish."""

import redis
from redis.cluster import RedisCluster

r = redis.Redis()
rc = RedisCluster(host="redis-cluster", port=7000)


def track_visitor_bad(day: str, user_id: str) -> None:
    # The set stores every visitor only to count them: megabytes per day.
    r.sadd(f"visitors:{day}", user_id)


def unique_visitors_bad(day: str) -> int:
    return r.scard(f"visitors:{day}")


def track_visitor_fixed(day: str, user_id: str) -> None:
    r.pfadd(f"uniq-visitors:{day}", user_id)  # 12 KB per day, ~0.81% error


def unique_visitors_fixed(day: str) -> int:
    return r.pfcount(f"uniq-visitors:{day}")


def announce_price_bad(sku: str, price: float) -> None:
    # On a cluster, PUBLISH is forwarded to every node.
    rc.publish(f"prices:{sku}", price)


def announce_price_fixed(sku: str, price: float) -> None:
    rc.spublish(f"prices:{sku}", price)  # stays in the shard that owns the channel
