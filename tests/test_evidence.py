"""Recognition by evidence (clients/evidence.py): receivers nothing resolves, on which the
same function, class or module calls Redis-only commands — in one file and across modules."""

from __future__ import annotations

from pathlib import Path

from harness import run_fixture


def lint(
    tmp_path: Path, files: dict[str, str], select: list[str]
) -> set[tuple[str, int, int, str, str]]:
    for name, body in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body)
    findings = run_fixture(tmp_path, {"select": select})
    return {(f.path, f.start.line, f.start.column, f.code, f.recognised) for f in findings}


PARAMETER = """\
import redis


def purge(conn, user):
    conn.hset(f"user:{user}", "state", "gone")
    for key in conn.keys("session:*"):
        conn.unlink(key)
"""


def test_a_parameter_with_a_redis_only_command_is_a_client(tmp_path: Path) -> None:
    found = lint(tmp_path, {"jobs.py": PARAMETER}, ["RL301"])
    assert found == {("jobs.py", 6, 16, "RL301", "evidence")}


def test_no_evidence_without_a_redis_import(tmp_path: Path) -> None:
    plain = PARAMETER.replace("import redis\n", "import json\n")
    assert lint(tmp_path, {"jobs.py": plain}, ["RL301"]) == set()


def test_shared_names_are_no_evidence(tmp_path: Path) -> None:
    # get/set/delete/keys/incr/expire(k) are what dicts, caches and memcache clients have too
    code = """\
import redis


def purge(store, user):
    store.set(f"user:{user}", "gone")
    store.incr("purged")
    store.expire("purged")
    for key in store.keys():
        store.delete(key)
"""
    assert lint(tmp_path, {"jobs.py": code}, ["RL301", "RL101"]) == set()


def test_a_receiver_known_to_be_something_else_is_never_a_client(tmp_path: Path) -> None:
    code = """\
import redis
from django.core.cache import cache


def purge():
    cache.expire("k", 60)
    cache.persist("k")
    return cache.keys("session:*")


def names(table: dict[str, int]):
    table.setdefault("k", 1)
    return table.keys()
"""
    assert lint(tmp_path, {"views.py": code}, ["RL301"]) == set()


def test_keyword_arguments_must_be_the_commands_own(tmp_path: Path) -> None:
    # a ``zadd`` with keywords redis-py's zadd has not is some other object's method
    code = """\
import redis


def index(board, user):
    board.zadd(user, weight=3)
    return board.keys("*")
"""
    assert lint(tmp_path, {"board.py": code}, ["RL301"]) == set()
    real = code.replace("weight=3", "nx=True")
    assert lint(tmp_path, {"board.py": real}, ["RL301"]) == {
        ("board.py", 6, 12, "RL301", "evidence")
    }


CLASS = """\
import redis


class Leaderboard:
    def __init__(self, connection):
        self.conn = connection

    def score(self, user, points):
        self.conn.zadd("board", {user: points})

    def reset(self):
        return self.conn.keys("board:*")
"""


def test_self_attribute_evidence_comes_from_any_method_of_the_class(tmp_path: Path) -> None:
    found = lint(tmp_path, {"board.py": CLASS}, ["RL301"])
    assert found == {("board.py", 12, 16, "RL301", "evidence")}


def test_self_attribute_evidence_stays_in_its_class(tmp_path: Path) -> None:
    other = (
        CLASS
        + """

class Catalog:
    def __init__(self, backend):
        self.conn = backend

    def names(self):
        return self.conn.keys("product:*")
"""
    )
    found = lint(tmp_path, {"board.py": other}, ["RL301"])
    assert found == {("board.py", 12, 16, "RL301", "evidence")}


def test_module_level_name_from_an_opaque_import(tmp_path: Path) -> None:
    code = """\
import redis
from flask import current_app


def remember(user):
    current_app.redis.sadd("online", user)


def everyone():
    return current_app.redis.keys("user:*")
"""
    found = lint(tmp_path, {"views.py": code}, ["RL301"])
    assert found == {("views.py", 10, 12, "RL301", "evidence")}


def test_evidence_one_import_away_from_a_redis_library(tmp_path: Path) -> None:
    files = {
        "app/__init__.py": "",
        "app/store.py": "import redis\n\n\ndef connect():\n    return redis.Redis()\n",
        "app/worker.py": (
            "from app.store import connect\n\n\n"
            "def drain(conn):\n"
            "    conn.lpush('done', 1)\n"
            "    return conn.keys('job:*')\n"
        ),
        # no Redis import here nor in anything it imports: no evidence
        "app/plain.py": (
            "import json\n\n\n"
            "def drain(conn):\n"
            "    conn.lpush('done', 1)\n"
            "    return conn.keys('job:*')\n"
        ),
    }
    found = lint(tmp_path, files, ["RL301"])
    assert found == {("app/worker.py", 6, 12, "RL301", "evidence")}


def test_a_pipeline_by_evidence_queues_its_commands(tmp_path: Path) -> None:
    code = """\
import redis


def store_all(pipe, items):
    for key, value in items:
        pipe.hset(key, "v", value)


def send_all(tx, items):
    for key, value in items:
        tx.hset(key, "v", value)
    tx.execute()


def write_all(conn, items):
    for key, value in items:
        conn.hset(key, "v", value)
"""
    found = lint(tmp_path, {"bulk.py": code}, ["RL802"])
    assert found == {("bulk.py", 17, 9, "RL802", "evidence")}


def test_resolved_clients_say_so(tmp_path: Path) -> None:
    code = "import redis\n\nr = redis.Redis()\n\n\ndef f():\n    return r.keys('*')\n"
    assert lint(tmp_path, {"a.py": code}, ["RL301"]) == {("a.py", 7, 12, "RL301", "resolved")}


BACKEND = """\
import redis


class Backend:
    def _delete_pattern(self, client, pattern):
        for key in client.scan_iter(match=pattern):
            client.unlink(key)

    def names(self, client):
        return client.keys("*")


class Table:
    def names(self, client):
        return client.keys()
"""


def test_a_parameter_evidence_in_one_method_holds_for_the_class(tmp_path: Path) -> None:
    # the same parameter name in another class (Table) stays unknown
    found = lint(tmp_path, {"backend.py": BACKEND}, ["RL301"])
    assert found == {("backend.py", 10, 16, "RL301", "evidence")}
