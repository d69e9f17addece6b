"""RL701 against a real three-master Redis Cluster on loopback ports.

The test starts three cluster-enabled redis-server processes, assigns the 16384 slots
(CLUSTER ADDSLOTS, CLUSTER MEET), and runs code samples: the one RL701 flags really fails
with redis-py's ``RedisCluster`` (and the server itself answers CROSSSLOT), the fixed one
with hash tags passes RL701 and works. Everything is stopped afterwards, and checked.
"""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from redis_server import RedisServer, start_cluster_node

from harness import redislint, run_fixture
from redislint.keys.slots import SLOTS, key_slot

redis = pytest.importorskip("redis")
from redis.cluster import RedisCluster  # noqa: E402
from redis.exceptions import RedisClusterException, ResponseError  # noqa: E402

pytestmark = pytest.mark.redis_server

BAD = """
from redis.cluster import RedisCluster


def load_profile(rc: RedisCluster, uid: int):
    rc.mset({f"user:{uid}:name": "Ada", f"user:{uid}:email": "ada@example.com"})
    return rc.mget(f"user:{uid}:name", f"user:{uid}:email")


def rename_account(rc: RedisCluster, uid: int):
    with rc.pipeline(transaction=True) as pipe:
        pipe.set(f"account:{uid}", "active")
        pipe.set(f"audit:{uid}", "renamed")
        return pipe.execute()
"""

FIXED = """
from redis.cluster import RedisCluster


def load_profile(rc: RedisCluster, uid: int):
    rc.mset({f"{{user:{uid}}}:name": "Ada", f"{{user:{uid}}}:email": "ada@example.com"})
    return rc.mget(f"{{user:{uid}}}:name", f"{{user:{uid}}}:email")


def rename_account(rc: RedisCluster, uid: int):
    with rc.pipeline(transaction=True) as pipe:
        pipe.set(f"{{account:{uid}}}", "active")
        pipe.set(f"{{account:{uid}}}:audit", "renamed")
        return pipe.execute()
"""

UID = 42


def wait_until(condition: object, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.1)
    raise TimeoutError("the cluster did not converge")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[RedisServer]]:
    root = tmp_path_factory.mktemp("cluster")
    nodes: list[RedisServer] = []
    try:
        for i in range(3):
            nodes.append(start_cluster_node(root / f"node{i}"))
        clients = [n.client(decode_responses=True) for n in nodes]
        share = SLOTS // 3
        for i, client in enumerate(clients):
            first = i * share
            last = SLOTS - 1 if i == 2 else first + share - 1
            client.execute_command("CLUSTER ADDSLOTS", *range(first, last + 1))
        for client in clients:  # every node meets every other: no waiting for gossip
            for node in nodes:
                client.execute_command("CLUSTER MEET", "127.0.0.1", node.port)

        def converged() -> bool:
            for client in clients:
                info = client.execute_command("CLUSTER INFO")  # parsed into a dict
                if info["cluster_state"] != "ok" or int(info["cluster_known_nodes"]) != 3:
                    return False
            return True

        wait_until(converged)
        for client in clients:
            client.close()
        yield nodes
    finally:
        for node in nodes:
            node.stop()
        for node in nodes:  # nothing is left behind: processes reaped, ports free
            assert node.process.poll() is not None
            with pytest.raises(ProcessLookupError):
                os.kill(node.process.pid, 0)
            with pytest.raises(OSError):
                socket.create_connection(("127.0.0.1", node.port), timeout=1).close()


def load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def lint(path: Path) -> list[tuple[int, str]]:
    return [(f.start.line, f.code) for f in run_fixture(path, {"select": ["RL7"]})]


def test_cluster_has_three_masters(cluster: list[RedisServer]) -> None:
    rc = RedisCluster(host="127.0.0.1", port=cluster[0].port)
    try:
        assert len(rc.get_primaries()) == 3
        assert {rc.keyslot(k) for k in ("a", "{user:1}x", "\xff")} == {
            key_slot(k) for k in ("a", "{user:1}x", "\xff")
        }
    finally:
        rc.close()


def test_flagged_sample_fails_and_fixed_sample_works(
    cluster: list[RedisServer], tmp_path: Path
) -> None:
    name, email = f"user:{UID}:name", f"user:{UID}:email"
    assert key_slot(name) != key_slot(email)  # the sample really spans slots

    bad = tmp_path / "bad_sample.py"
    bad.write_text(BAD, encoding="utf-8")
    assert lint(bad) == [(6, "RL701"), (7, "RL701"), (13, "RL701")]

    fixed = tmp_path / "fixed_sample.py"
    fixed.write_text(FIXED, encoding="utf-8")
    assert lint(fixed) == []

    rc = RedisCluster(host="127.0.0.1", port=cluster[0].port, decode_responses=True)
    try:
        sample = load(bad)
        with pytest.raises(RedisClusterException, match="same key slot"):
            sample.load_profile(rc, UID)
        transactions = hasattr(redis.exceptions, "CrossSlotTransactionError")  # redis-py 6+
        if transactions:
            with pytest.raises(RedisClusterException, match="same slot"):
                sample.rename_account(rc, UID)

        # The server agrees: a node asked directly answers "CROSSSLOT Keys in request
        # don't hash to the same slot" (redis-py drops the error code).
        node = cluster[0].client()
        try:
            with pytest.raises(ResponseError, match="don't hash to the same slot"):
                node.mget(name, email)
        finally:
            node.close()

        working = load(fixed)
        assert working.load_profile(rc, UID) == ["Ada", "ada@example.com"]
        if transactions:
            assert len(working.rename_account(rc, UID)) == 2
            assert rc.get(f"{{account:{UID}}}:audit") == "renamed"
    finally:
        rc.close()


def test_keys_server_samples_every_primary(cluster: list[RedisServer], tmp_path: Path) -> None:
    """``redislint keys --server`` on one node's URL samples the keys of all three primaries."""
    from redis.cluster import RedisCluster

    client = RedisCluster(host="127.0.0.1", port=cluster[0].port)
    try:
        for i in range(300):
            client.set(f"sample:{i}", "x")  # spread over the three nodes' slots
        per_node = [n.client().dbsize() for n in cluster]
        assert all(count > 0 for count in per_node) and sum(per_node) >= 300
        (tmp_path / "app.py").write_text(
            "import redis\n\n\ndef put(r: redis.Redis, i: int) -> None:\n"
            "    r.set(f'sample:{i}', 'x', ex=60)\n"
        )
        url = f"redis://127.0.0.1:{cluster[1].port}/0"
        proc = redislint(tmp_path, "keys", "--format", "json", "--server", url, "app.py")
        assert proc.returncode == 0, proc.stderr
        data = json.loads(proc.stdout)
        assert data["server"]["keys"] == sum(per_node)
        assert data["server"]["sampled"] == sum(per_node)
        (row,) = data["templates"]
        assert row["server"]["estimated_keys"] >= 300
    finally:
        for i in range(300):
            client.delete(f"sample:{i}")
        client.close()
