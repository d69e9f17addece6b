"""RL102 set-then-expire and RL103 ttl-reset-by-set: TTLs set late, or lost on update."""

import json

import redis

r = redis.Redis()
SESSION_TTL = 1800


def create_session_bad(session_id: str, user: dict) -> None:
    r.set(f"session:{session_id}", json.dumps(user))
    # A crash or timeout before this line leaves a session that never expires.
    r.expire(f"session:{session_id}", SESSION_TTL)


def create_session_fixed(session_id: str, user: dict) -> None:
    r.set(f"session:{session_id}", json.dumps(user), ex=SESSION_TTL)


def rename_user_bad(session_id: str, user: dict, name: str) -> None:
    r.set(f"session:{session_id}", json.dumps(user), ex=SESSION_TTL)
    user["name"] = name
    # This SET discards the TTL given two lines above: the session now lives forever.
    r.set(f"session:{session_id}", json.dumps(user))


def rename_user_fixed(session_id: str, user: dict, name: str) -> None:
    r.set(f"session:{session_id}", json.dumps(user), ex=SESSION_TTL)
    user["name"] = name
    r.set(f"session:{session_id}", json.dumps(user), keepttl=True)  # Redis 6.0+


def rotate_csrf_token_bad(session_id: str, token: str) -> bytes | None:
    # GETSET is deprecated and drops the key's TTL.
    return r.getset(f"csrf:{session_id}", token)


def rotate_csrf_token_fixed(session_id: str, token: str) -> bytes | None:
    return r.set(f"csrf:{session_id}", token, get=True, keepttl=True)  # Redis 6.2+
