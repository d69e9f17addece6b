"""The Redis behaviour that the expiry and lock rules' messages state, shown on a real server.

Each test names the rule whose message relies on the fact. They run against a
redis-server started on a free loopback port (tests/redis_server.py) and skip with a
message when there is none, or when the server is too old for the feature.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from redis_server import RedisServer

pytestmark = pytest.mark.redis_server

RELEASE = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
)


def version(client: Any) -> tuple[int, ...]:
    return tuple(int(p) for p in client.info("server")["redis_version"].split(".")[:2])


def requires(client: Any, needed: tuple[int, int]) -> None:
    if version(client) < needed:
        pytest.skip(f"needs Redis {needed[0]}.{needed[1]}+, the server is {version(client)}")


def wait_until_gone(client: Any, key: str, limit: float = 5.0) -> None:
    deadline = time.monotonic() + limit
    while client.exists(key):
        assert time.monotonic() < deadline, f"{key} did not expire"
        time.sleep(0.01)


def test_plain_set_drops_the_ttl_and_keepttl_keeps_it(redis_server: RedisServer) -> None:
    """RL103: SET without EX/KEEPTTL discards the TTL; KEEPTTL (6.0) keeps it."""
    r = redis_server.client()
    r.set("profile:1", "a", ex=600)
    assert 0 < r.ttl("profile:1") <= 600
    r.set("profile:1", "b")
    assert r.ttl("profile:1") == -1
    r.set("profile:2", "a", ex=600)
    r.set("profile:2", "b", keepttl=True)
    assert 0 < r.ttl("profile:2") <= 600
    assert r.get("profile:2") == b"b"


def test_getset_drops_the_ttl_and_set_get_keepttl_does_not(redis_server: RedisServer) -> None:
    """RL103: GETSET discards the TTL; SET ... GET KEEPTTL (6.2) returns the old value and keeps it."""
    r = redis_server.client()
    r.set("snapshot", "old", ex=600)
    assert r.getset("snapshot", "new") == b"old"
    assert r.ttl("snapshot") == -1
    requires(r, (6, 2))
    r.set("snapshot:2", "old", ex=600)
    assert r.set("snapshot:2", "new", get=True, keepttl=True) == b"old"
    assert 0 < r.ttl("snapshot:2") <= 600


def test_set_then_expire_leaves_a_window_without_ttl(redis_server: RedisServer) -> None:
    """RL102: SET and EXPIRE are two commands; in between the key has no TTL, and a
    client that dies after the SET leaves the key without one for good."""
    r = redis_server.client()
    r.set("session:1", "data")
    assert r.ttl("session:1") == -1  # observable between the two commands
    r.expire("session:1", 60)
    assert r.ttl("session:1") > 0

    # A non-transactional pipeline runs them as separate commands too.
    pipe = r.pipeline(transaction=False)
    pipe.set("session:2", "data")
    pipe.ttl("session:2")
    pipe.expire("session:2", 60)
    assert pipe.execute() == [True, -1, True]

    # The writer "crashes" after its SET: nothing ever gives the key a TTL.
    writer = redis_server.client()
    writer.set("session:3", "data")
    writer.close()
    assert r.ttl("session:3") == -1

    # SET with EX gives value and TTL in one command.
    r.set("session:4", "data", ex=60)
    assert r.get("session:4") == b"data" and 0 < r.ttl("session:4") <= 60


def test_absolute_expiry_in_set_needs_6_2(redis_server: RedisServer) -> None:
    """RL102: expireat()/pexpireat() merge into SET EXAT/PXAT, available from Redis 6.2."""
    r = redis_server.client()
    requires(r, (6, 2))
    deadline = int(time.time()) + 120
    r.set("report", "x", exat=deadline)
    assert 60 < r.ttl("report") <= 120
    r.set("report:ms", "x", pxat=deadline * 1000)
    assert 60_000 < r.pttl("report:ms") <= 120_000


def test_setnx_key_has_no_ttl_and_set_nx_ex_sets_both(redis_server: RedisServer) -> None:
    """RL202/RL207: a key written by SETNX has TTL -1; SET NX EX writes value and TTL at once."""
    r = redis_server.client()
    assert r.setnx("lock:a", "me") is True
    assert r.ttl("lock:a") == -1
    assert r.set("lock:b", "token-1", nx=True, ex=30) is True
    assert r.get("lock:b") == b"token-1" and 0 < r.ttl("lock:b") <= 30
    # A second SET NX fails and changes neither the value nor the TTL.
    assert r.set("lock:b", "token-2", nx=True, ex=300) is None
    assert r.get("lock:b") == b"token-1" and r.ttl("lock:b") <= 30


def test_counter_created_by_incr_has_no_ttl(redis_server: RedisServer) -> None:
    """RL104: INCR creates the key without a TTL; EXPIRE ... NX (7.0) sets one only once."""
    r = redis_server.client()
    assert r.incr("rate:user:1:28000000") == 1
    assert r.ttl("rate:user:1:28000000") == -1
    requires(r, (7, 0))
    r.expire("rate:user:1:28000000", 60, nx=True)
    first = r.ttl("rate:user:1:28000000")
    assert 0 < first <= 60
    r.incr("rate:user:1:28000000")
    assert r.expire("rate:user:1:28000000", 3600, nx=True) is False  # the TTL is not renewed
    assert r.ttl("rate:user:1:28000000") <= 60


def test_plain_del_deletes_another_holders_lock(redis_server: RedisServer) -> None:
    """RL203: a lock that expired while its holder worked is taken by another process;
    the first holder's plain DEL then deletes the new holder's lock. A compare-and-delete
    script deletes only its own."""
    first, second = redis_server.client(), redis_server.client()
    mine, theirs = uuid.uuid4().hex, uuid.uuid4().hex
    assert first.set("lock:job", mine, nx=True, px=50)
    wait_until_gone(first, "lock:job")  # the first holder is still "working"
    assert second.set("lock:job", theirs, nx=True, ex=30)

    release = first.register_script(RELEASE)
    assert release(keys=["lock:job"], args=[mine]) == 0
    assert second.get("lock:job") == theirs.encode()  # the safe release left it alone

    first.delete("lock:job")  # the plain release
    assert second.get("lock:job") is None  # the second holder lost its lock


def test_get_compare_delete_is_not_atomic(redis_server: RedisServer) -> None:
    """RL203: between GET (the token matches) and DEL the lock can change hands."""
    first, second = redis_server.client(), redis_server.client()
    mine = uuid.uuid4().hex
    first.set("lock:report", mine, nx=True, px=50)
    still_mine = first.get("lock:report") == mine.encode()
    wait_until_gone(first, "lock:report")  # expires after the check...
    second.set("lock:report", "other", nx=True, ex=30)  # ...and is taken
    if still_mine:
        first.delete("lock:report")
    assert second.get("lock:report") is None


def test_constant_token_makes_a_safe_release_impossible(redis_server: RedisServer) -> None:
    """RL207: when every holder writes "1", even compare-and-delete removes another's lock."""
    first, second = redis_server.client(), redis_server.client()
    first.set("lock:import", 1, nx=True, px=50)
    wait_until_gone(first, "lock:import")
    second.set("lock:import", 1, nx=True, ex=30)
    release = first.register_script(RELEASE)
    assert release(keys=["lock:import"], args=[1]) == 1
    assert second.get("lock:import") is None


def test_redis_py_lock_without_timeout_never_expires(redis_server: RedisServer) -> None:
    """RL204: redis-py's Lock defaults to timeout=None: the key has no TTL."""
    r = redis_server.client()
    lock = r.lock("lock:nightly")
    assert lock.acquire(blocking=False)
    assert r.ttl("lock:nightly") == -1
    timed = r.lock("lock:hourly", timeout=30)
    assert timed.acquire(blocking=False)
    assert 0 < r.ttl("lock:hourly") <= 30


def test_non_blocking_acquire_returns_false(redis_server: RedisServer) -> None:
    """RL206: acquire(blocking=False) / with blocking_timeout returns False when held."""
    holder, other = redis_server.client(), redis_server.client()
    assert holder.lock("lock:sync", timeout=30).acquire(blocking=False)
    assert other.lock("lock:sync", timeout=30).acquire(blocking=False) is False
    assert other.lock("lock:sync", timeout=30).acquire(blocking_timeout=0.05) is False
    import redis

    limited = other.lock("lock:sync", timeout=30, blocking_timeout=0.05)
    with pytest.raises(redis.exceptions.LockError), limited:  # `with lock:` raises instead
        pass


def test_watch_conflict_raises_watch_error(redis_server: RedisServer) -> None:
    """RL205: when a watched key changes before EXEC, execute() raises WatchError;
    client.transaction() retries the callback instead."""
    import redis

    r, other = redis_server.client(), redis_server.client()
    r.set("balance", 100)
    with r.pipeline() as pipe:
        pipe.watch("balance")
        balance = int(pipe.get("balance"))
        other.set("balance", 50)  # a concurrent update
        pipe.multi()
        pipe.set("balance", balance - 10)
        with pytest.raises(redis.WatchError):
            pipe.execute()
    assert r.get("balance") == b"50"

    calls = []

    def withdraw(pipe: Any) -> None:
        current = int(pipe.get("balance"))
        if not calls:
            other.set("balance", 40)  # conflict on the first attempt only
        calls.append(current)
        pipe.multi()
        pipe.set("balance", current - 10)

    r.transaction(withdraw, "balance")
    assert calls == [50, 40] and r.get("balance") == b"30"


def test_delex_ifeq_releases_only_the_own_lock(redis_server: RedisServer) -> None:
    """RL203: DELEX key IFEQ token (Redis 8.4) is the one-command safe release."""
    r = redis_server.client()
    requires(r, (8, 4))
    r.set("lock:x", "theirs", nx=True, ex=30)
    assert r.delex("lock:x", ifeq="mine") == 0
    assert r.delex("lock:x", ifeq="theirs") == 1


def test_a_key_that_expired_after_the_check_comes_back_without_a_ttl(
    redis_server: RedisServer,
) -> None:
    """RL201 (check-then-write): SET ... KEEPTTL and INCR on a key that expired after
    EXISTS said it was there create it again with no TTL; the suggested
    ``SET XX KEEPTTL`` then ``SET NX EX`` pair does not."""
    r = redis_server.client()
    for key in ("kept", "counter", "safe"):
        r.set(key, "1", px=50)
    assert r.exists("kept") and r.exists("counter")
    for key in ("kept", "counter", "safe"):
        wait_until_gone(r, key)
    r.set("kept", "2", keepttl=True)
    r.incr("counter")
    assert r.ttl("kept") == -1 and r.ttl("counter") == -1
    assert r.get("counter") == b"1"
    assert r.set("safe", "2", xx=True, keepttl=True) is None
    assert r.set("safe", "2", nx=True, ex=60)
    assert 0 < r.ttl("safe") <= 60
