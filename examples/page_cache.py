"""RL402 large-value, RL403 json-blob-object (off by default: redislint --select ALL).

Whole HTTP bodies as single values, and objects kept as JSON strings.
"""

import json

import redis
import requests

r = redis.Redis()
MAX_CACHED_BODY = 256 * 1024


def cache_page_bad(url: str) -> bytes:
    body = requests.get(url, timeout=10).content
    # A 50 MB response becomes a 50 MB value: every read and write of it stalls Redis.
    r.set(f"page:{url}", body, ex=300)
    return body


def cache_page_fixed(url: str) -> bytes:
    body = requests.get(url, timeout=10).content
    if len(body) <= MAX_CACHED_BODY:
        r.set(f"page:{url}", body, ex=300)
    return body


def save_profile_bad(uid: int, name: str, email: str) -> None:
    # Updating one field means reading, parsing and rewriting the whole blob.
    r.set(f"profile:{uid}", json.dumps({"name": name, "email": email, "logins": 0}), ex=86400)


def save_profile_fixed(uid: int, name: str, email: str) -> None:
    with r.pipeline() as pipe:
        pipe.hset(f"profile:{uid}", mapping={"name": name, "email": email, "logins": 0})
        pipe.expire(f"profile:{uid}", 86400)
        pipe.execute()


def count_login_fixed(uid: int) -> None:
    r.hincrby(f"profile:{uid}", "logins", 1)
