"""The Redis behaviour that the RL3xx/RL4xx/RL5xx messages state, shown on a real server.

Each test starts a fresh ``redis-server`` on a free loopback port (``tests/redis_server.py``)
and checks one claim a rule's message or documentation makes:

- RL302: FLUSHDB empties the selected database, FLUSHALL every database.
- RL401: XADD without MAXLEN grows without bound; ``MAXLEN ~ N`` keeps the stream near N;
  acknowledging entries does not remove them.
- RL402/RL403: a hash updates single fields in place; HEXPIRE needs Redis 7.4.
- RL404: SCARD and PFCOUNT agree within ~1% while the set uses far more memory.
- RL502: a popped item is gone if its consumer dies; LMOVE keeps it in a processing list.
- RL503: an XREADGROUP entry that is not XACKed stays in XPENDING, is delivered again
  (XREADGROUP with ID 0, XAUTOCLAIM) and leaves the pending list only with XACK.
- RL504: non-blocking reads return at once on empty data; blocking ones wait on the server.
- RL505 / RL501: PUBLISH without subscribers returns 0 and the message is gone; in a cluster
  PUBLISH reaches subscribers on every node while SPUBLISH (Redis 7.0+) stays in its shard.
"""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
import redis
from redis_server import REDIS_SERVER, RedisServer, free_port, start_server

pytestmark = pytest.mark.redis_server


def version(client: Any) -> tuple[int, ...]:
    text = client.info("server")["redis_version"]
    return tuple(int(p) for p in text.split(".")[:2])


# -- RL302 -------------------------------------------------------------------------------


def test_flushdb_empties_the_database_and_flushall_every_database(
    redis_server: RedisServer,
) -> None:
    db0, db1 = redis_server.client(db=0), redis_server.client(db=1)
    db0.mset({f"k{i}": i for i in range(100)})
    db1.set("other-app", 1)
    assert db0.flushdb() is True
    assert db0.dbsize() == 0
    assert db1.dbsize() == 1  # FLUSHDB: the selected database only
    db0.set("again", 1)
    assert db0.flushall() is True
    assert db0.dbsize() == 0 and db1.dbsize() == 0  # FLUSHALL: every database


# -- RL401 -------------------------------------------------------------------------------


def test_xadd_without_maxlen_grows_and_maxlen_approx_stays_bounded(
    redis_server: RedisServer,
) -> None:
    r = redis_server.client()
    with r.pipeline(transaction=False) as pipe:
        for i in range(5000):
            pipe.xadd("unbounded", {"i": i})
            pipe.xadd("capped", {"i": i}, maxlen=100, approximate=True)
            pipe.xadd("exact", {"i": i}, maxlen=100, approximate=False)
        pipe.execute()
    assert r.xlen("unbounded") == 5000  # every entry kept
    capped = r.xlen("capped")
    # MAXLEN ~ trims whole radix-tree nodes (stream-node-max-entries, 100 by default):
    # at least N entries stay, and never much more than N
    assert 100 <= capped <= 100 + 100, capped
    assert r.xlen("exact") == 100
    assert r.memory_usage("unbounded") > 10 * r.memory_usage("capped")


def test_acknowledged_entries_stay_in_the_stream(redis_server: RedisServer) -> None:
    r = redis_server.client()
    r.xgroup_create("s", "g", id="0", mkstream=True)
    ids = [r.xadd("s", {"i": i}) for i in range(10)]
    r.xreadgroup("g", "c", {"s": ">"})
    assert r.xack("s", "g", *ids) == 10
    assert r.xpending("s", "g")["pending"] == 0
    assert r.xlen("s") == 10  # XACK does not delete: only trimming does


def test_minid_trims_by_age(redis_server: RedisServer) -> None:
    r = redis_server.client()
    if version(r) < (6, 2):
        pytest.skip("MINID needs Redis 6.2")
    for i in range(1, 11):
        r.xadd("s", {"i": i}, id=f"{i}-0")
    r.xadd("s", {"i": 11}, id="11-0", minid="8-0", approximate=False)
    assert [e[0] for e in r.xrange("s")] == [b"8-0", b"9-0", b"10-0", b"11-0"]


# -- RL402 / RL403 ---------------------------------------------------------------------------


def test_hash_fields_update_in_place_and_hexpire_needs_7_4(redis_server: RedisServer) -> None:
    r = redis_server.client()
    r.hset("user:1", mapping={"name": "ada", "visits": 0})
    assert r.hincrby("user:1", "visits", 5) == 5
    assert r.hmget("user:1", ["name", "visits"]) == [b"ada", b"5"]
    if version(r) >= (7, 4):
        assert r.execute_command("HEXPIRE", "user:1", 60, "FIELDS", 1, "visits") == [1]
    else:
        with pytest.raises(redis.ResponseError, match="unknown command"):
            r.execute_command("HEXPIRE", "user:1", 60, "FIELDS", 1, "visits")


def test_a_value_is_stored_whole_whatever_its_size(redis_server: RedisServer) -> None:
    """Redis has no practical per-value cap (512 MB): the value's size is the writer's choice."""
    r = redis_server.client()
    blob = b"x" * (8 * 1024 * 1024)
    r.set("blob", blob)
    assert r.strlen("blob") == len(blob)
    assert r.memory_usage("blob") >= len(blob)
    assert r.config_get("proto-max-bulk-len")["proto-max-bulk-len"] == str(512 * 1024 * 1024)


# -- RL404 -------------------------------------------------------------------------------


def test_scard_and_pfcount_agree_while_the_set_uses_far_more_memory(
    redis_server: RedisServer,
) -> None:
    r = redis_server.client()
    members = [f"user:{i}" for i in range(100_000)]
    with r.pipeline(transaction=False) as pipe:
        for start in range(0, len(members), 5000):
            chunk = members[start : start + 5000]
            pipe.sadd("visitors:set", *chunk)
            pipe.pfadd("visitors:hll", *chunk)
        pipe.execute()
    exact = r.scard("visitors:set")
    estimate = r.pfcount("visitors:hll")
    assert exact == 100_000
    assert abs(estimate - exact) / exact < 0.01  # standard error 0.81%
    set_bytes = r.memory_usage("visitors:set")
    hll_bytes = r.memory_usage("visitors:hll")
    # 12 KB of registers (dense representation) plus string and allocator overhead
    assert hll_bytes <= 16 * 1024
    assert set_bytes > 100 * hll_bytes


# -- RL502 -------------------------------------------------------------------------------


def test_popped_item_is_gone_if_the_consumer_dies(redis_server: RedisServer) -> None:
    r = redis_server.client()
    r.lpush("jobs", "job-1")
    consumer = redis_server.client()
    assert consumer.rpop("jobs") == b"job-1"
    consumer.close()  # the worker dies before finishing the job
    assert r.llen("jobs") == 0
    assert r.dbsize() == 0  # nothing in Redis remembers the job


def test_lmove_keeps_the_item_in_a_processing_list(redis_server: RedisServer) -> None:
    r = redis_server.client()
    if version(r) < (6, 2):
        pytest.skip("LMOVE needs Redis 6.2")
    r.lpush("jobs", "job-1")
    consumer = redis_server.client()
    assert consumer.lmove("jobs", "jobs:processing", "RIGHT", "LEFT") == b"job-1"
    consumer.close()  # the worker dies: the job is still there to be retried
    assert r.lrange("jobs:processing", 0, -1) == [b"job-1"]
    assert r.lrem("jobs:processing", 1, "job-1") == 1  # what a finished worker does


def test_brpoplpush_is_the_reliable_move_before_6_2(redis_server: RedisServer) -> None:
    r = redis_server.client()
    r.lpush("jobs", "job-1")
    assert r.brpoplpush("jobs", "jobs:processing", timeout=1) == b"job-1"
    assert r.lrange("jobs:processing", 0, -1) == [b"job-1"]


# -- RL503 -------------------------------------------------------------------------------


def test_unacked_entry_stays_pending_and_is_redelivered(redis_server: RedisServer) -> None:
    r = redis_server.client()
    r.xgroup_create("orders", "workers", id="0", mkstream=True)
    entry = r.xadd("orders", {"order": "42"})
    [[_, delivered]] = r.xreadgroup("workers", "alice", {"orders": ">"})
    assert [e[0] for e in delivered] == [entry]
    # alice dies without XACK: the entry stays in the pending entries list
    pending = r.xpending("orders", "workers")
    assert pending["pending"] == 1 and pending["consumers"] == [{"name": b"alice", "pending": 1}]
    assert r.xreadgroup("workers", "bob", {"orders": ">"}) == []  # not delivered to others
    # delivered again: to alice from her history (ID 0), to bob by claiming it
    [[_, again]] = r.xreadgroup("workers", "alice", {"orders": "0"})
    assert [e[0] for e in again] == [entry]
    if version(r) >= (6, 2):
        claimed = r.xautoclaim("orders", "workers", "bob", min_idle_time=0)
        assert [e[0] for e in claimed[1]] == [entry]
    # only XACK takes it out of the pending list
    assert r.xack("orders", "workers", entry) == 1
    assert r.xpending("orders", "workers")["pending"] == 0


def test_pending_list_grows_with_every_unacked_entry(redis_server: RedisServer) -> None:
    r = redis_server.client()
    r.xgroup_create("events", "g", id="0", mkstream=True)
    for i in range(500):
        r.xadd("events", {"i": i})
    while r.xreadgroup("g", "c", {"events": ">"}, count=100):
        pass
    assert r.xpending("events", "g")["pending"] == 500


def test_noack_reads_leave_nothing_pending(redis_server: RedisServer) -> None:
    r = redis_server.client()
    r.xgroup_create("metrics", "g", id="0", mkstream=True)
    r.xadd("metrics", {"v": 1})
    r.xreadgroup("g", "c", {"metrics": ">"}, noack=True)
    assert r.xpending("metrics", "g")["pending"] == 0


# -- RL504 -------------------------------------------------------------------------------


def test_non_blocking_reads_return_at_once_blocking_reads_wait(
    redis_server: RedisServer,
) -> None:
    r = redis_server.client()
    r.xgroup_create("s", "g", id="0", mkstream=True)
    p = r.pubsub()
    p.subscribe("ch")
    p.get_message(timeout=1.0)  # the subscribe confirmation

    def elapsed(call: Any) -> tuple[Any, float]:
        start = time.monotonic()
        result = call()
        return result, time.monotonic() - start

    for call in (
        lambda: r.rpop("empty"),
        lambda: r.lpop("empty"),
        lambda: r.xread({"s": "$"}),
        lambda: r.xreadgroup("g", "c", {"s": ">"}),
        p.get_message,
    ):
        result, seconds = elapsed(call)
        assert not result and seconds < 0.4  # returns immediately: a loop around it spins
    for call in (
        lambda: r.brpop("empty", timeout=0.8),
        lambda: r.xreadgroup("g", "c", {"s": ">"}, block=800),
        lambda: p.get_message(timeout=0.8),
    ):
        result, seconds = elapsed(call)
        assert not result and seconds >= 0.7  # waits on the server (or socket) instead


# -- RL501 / RL505 -----------------------------------------------------------------------


def test_publish_without_subscribers_is_lost(redis_server: RedisServer) -> None:
    r = redis_server.client()
    assert r.publish("jobs", "job-1") == 0  # nobody listening: delivered to no one
    p = r.pubsub()
    p.subscribe("jobs")
    assert p.get_message(timeout=1.0)["type"] == "subscribe"
    assert p.get_message(timeout=0.3) is None  # a late subscriber never sees it
    assert r.publish("jobs", "job-2") == 1
    assert p.get_message(timeout=1.0)["data"] == b"job-2"


def _server_version() -> tuple[int, ...]:
    if REDIS_SERVER is None:
        pytest.skip("no redis-server")
    out = subprocess.run([REDIS_SERVER, "--version"], capture_output=True, text=True).stdout
    found = re.search(r"v=(\d+)\.(\d+)", out)
    return (int(found.group(1)), int(found.group(2))) if found else (0, 0)


def _wait(predicate: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("cluster did not converge")


def test_cluster_publish_reaches_every_node_spublish_stays_in_its_shard(
    tmp_path: Path,
) -> None:
    if _server_version() < (7, 0):
        pytest.skip("sharded Pub/Sub and cluster-port need Redis 7.0")
    nodes: list[RedisServer] = []
    try:
        for name in ("a", "b"):
            nodes.append(
                start_server(
                    tmp_path / name,
                    [
                        "--cluster-enabled", "yes",
                        "--cluster-config-file", f"nodes-{name}.conf",
                        "--cluster-port", str(free_port()),
                        "--save", "", "--appendonly", "no",
                    ],
                )
            )  # fmt: skip
        a, b = (n.client() for n in nodes)
        a.execute_command("CLUSTER ADDSLOTSRANGE", 0, 8191)
        b.execute_command("CLUSTER ADDSLOTSRANGE", 8192, 16383)
        bus_b = int(b.config_get("cluster-port")["cluster-port"])
        a.execute_command("CLUSTER MEET", "127.0.0.1", nodes[1].port, bus_b)
        _wait(
            lambda: all(c.execute_command("CLUSTER INFO")["cluster_state"] == "ok" for c in (a, b))
        )
        slot = a.execute_command("CLUSTER KEYSLOT", "news")
        owner, other = (a, b) if slot < 8192 else (b, a)

        # classic Pub/Sub: a subscriber on the other node receives what is published here
        listener = other.pubsub()
        listener.subscribe("news")
        assert listener.get_message(timeout=1.0)["type"] == "subscribe"
        owner.publish("news", "broadcast")
        message = listener.get_message(timeout=2.0)
        assert message is not None and message["data"] == b"broadcast"

        # sharded Pub/Sub: the channel lives on the shard that owns its slot
        with pytest.raises(redis.exceptions.MovedError):  # a MOVED redirect
            other.execute_command("SPUBLISH", "news", "x")
        shard_listener = owner.pubsub()
        shard_listener.ssubscribe("news")
        confirmation = shard_listener.get_sharded_message(timeout=1.0)
        assert confirmation is not None and confirmation["type"] == "ssubscribe"
        assert owner.execute_command("SPUBLISH", "news", "sharded") == 1
        message = shard_listener.get_sharded_message(timeout=2.0)
        assert message is not None and message["data"] == b"sharded"
        assert listener.get_message(timeout=0.5) is None  # never crossed to the other node
    finally:
        for node in nodes:
            node.stop()
