"""RL701 cross-slot and RL703 hot-hash-tag: keys and hash slots on Redis Cluster."""

from redis.cluster import RedisCluster

rc = RedisCluster(host="redis-cluster", port=6379)


def load_profile_bad(uid: int) -> list:
    # The two keys hash to different slots: MGET fails with CROSSSLOT.
    return rc.mget(f"user:{uid}:name", f"user:{uid}:email")


def load_profile_fixed(uid: int) -> list:
    # "{user:42}" is the hash tag of both keys: one slot, one node.
    return rc.mget(f"{{user:{uid}}}:name", f"{{user:{uid}}}:email")


def rotate_report_bad() -> None:
    rc.rename("report:today", "report:yesterday")


def rotate_report_fixed() -> None:
    rc.rename("{report}:today", "{report}:yesterday")


def cache_page_bad(page_id: int, html: str) -> None:
    # Every cached page has the tag "cache": all of them live on one shard.
    rc.set(f"{{cache}}:page:{page_id}", html, ex=300)


def cache_page_fixed(page_id: int, html: str) -> None:
    rc.set(f"cache:page:{page_id}", html, ex=300)
