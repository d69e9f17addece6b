"""Rules whose findings depend on other modules of the linted tree (RL104, RL201, RL203, RL207)."""

from __future__ import annotations

from pathlib import Path

from harness import run_fixture, write_tree

ACQUIRE = """
import uuid
import redis

r = redis.Redis()


def acquire(job):
    return r.set(f"lock:{job}", uuid.uuid4().hex, nx=True, ex=30)
"""

RELEASE = """
import redis

r = redis.Redis()


def release(job):
    r.delete(f"lock:{job}")


def release_after_check(job, token):
    current = r.get(f"lock:{job}")
    if current == token:
        r.delete(f"lock:{job}")
"""


def lint(tmp_path: Path, files: dict[str, str], select: list[str]) -> set[tuple[str, int, str]]:
    findings = run_fixture(write_tree(tmp_path, files), {"select": select})
    return {(f.path, f.start.line, f.code) for f in findings}


def test_release_of_a_lock_taken_in_another_module(tmp_path: Path) -> None:
    found = lint(
        tmp_path,
        {"app/locks.py": ACQUIRE, "app/jobs.py": RELEASE},
        ["RL201", "RL203"],
    )
    assert found == {("app/jobs.py", 8, "RL203"), ("app/jobs.py", 14, "RL203")}


def test_without_the_acquire_the_delete_is_no_lock_release(tmp_path: Path) -> None:
    found = lint(tmp_path, {"app/jobs.py": RELEASE}, ["RL201", "RL203"])
    # the get-then-delete is then an ordinary read-then-delete race (RL201)
    assert found == {("app/jobs.py", 14, "RL201")}


def test_constant_token_of_a_key_deleted_in_another_module(tmp_path: Path) -> None:
    take = 'import redis\nr = redis.Redis()\n\ndef take(b):\n    r.set(f"busy:{b}", 1, nx=True, ex=60)\n'
    free = 'import redis\nr = redis.Redis()\n\ndef free(b):\n    r.delete(f"busy:{b}")\n'
    assert lint(tmp_path, {"take.py": take}, ["RL207"]) == set()
    assert lint(tmp_path, {"take.py": take, "free.py": free}, ["RL207"]) == {
        ("take.py", 5, "RL207")
    }


def test_window_counter_expired_by_another_module(tmp_path: Path) -> None:
    count = (
        "import time\nimport redis\nr = redis.Redis()\n\n"
        'def hit(u):\n    return r.incr(f"rl:{u}:{int(time.time() // 60)}")\n'
    )
    expire = (
        "import time\nimport redis\nr = redis.Redis()\n\n"
        'def touch(u):\n    r.expire(f"rl:{u}:{int(time.time() // 60)}", 60)\n'
    )
    assert lint(tmp_path, {"count.py": count}, ["RL104"]) == {("count.py", 6, "RL104")}
    assert lint(tmp_path, {"count.py": count, "expire.py": expire}, ["RL104"]) == set()


def test_deletes_in_test_code_are_not_lock_releases(tmp_path: Path) -> None:
    cleanup = 'import redis\nr = redis.Redis()\n\ndef test_cleanup():\n    r.delete("lock:x")\n'
    taken = (
        'import redis\nr = redis.Redis()\n\ndef take(t):\n    r.set("lock:x", t, nx=True, ex=5)\n'
    )
    found = lint(tmp_path, {"app.py": taken, "tests/test_app.py": cleanup}, ["RL203"])
    assert found == set()


DISPATCH = """
import uuid
import redis

r = redis.Redis()


def dispatch(payload):
    job_id = uuid.uuid4().hex
    r.set(f"job:{job_id}", payload)
    return job_id
"""


def test_a_job_family_nothing_deletes_is_reported(tmp_path: Path) -> None:
    files = {"app/dispatch.py": DISPATCH, "app/views.py": "def view():\n    return 1\n"}
    assert lint(tmp_path, files, ["RL101"]) == {("app/dispatch.py", 10, "RL101")}


def test_a_job_family_another_module_deletes_is_not(tmp_path: Path) -> None:
    worker = (
        "import redis\n\nr = redis.Redis()\n\n\ndef done(job_id):\n    r.delete(f'job:{job_id}')\n"
    )
    files = {"app/dispatch.py": DISPATCH, "app/worker.py": worker}
    assert lint(tmp_path, files, ["RL101"]) == set()


def test_a_job_family_another_module_scans_and_deletes_is_not(tmp_path: Path) -> None:
    janitor = (
        "import redis\n\nr = redis.Redis()\n\n\n"
        "def sweep():\n    for key in r.scan_iter(match='job:*'):\n        r.unlink(key)\n"
    )
    files = {"app/dispatch.py": DISPATCH, "app/janitor.py": janitor}
    assert lint(tmp_path, files, ["RL101"]) == set()


def test_deleting_another_family_or_the_callers_key_does_not_count(tmp_path: Path) -> None:
    other = (
        "import redis\n\nr = redis.Redis()\n\n\n"
        "def done(run_id):\n    r.delete(f'run:{run_id}')\n\n\n"
        "def forget(key):\n    r.delete(key)\n\n\n"
        "def sweep():\n    for key in r.scan_iter(match='runs:*'):\n        r.unlink(key)\n"
    )
    files = {"app/dispatch.py": DISPATCH, "app/other.py": other}
    assert lint(tmp_path, files, ["RL101"]) == {("app/dispatch.py", 10, "RL101")}


def test_a_channel_constant_imported_from_config(tmp_path: Path) -> None:
    files = {
        "app/__init__.py": "",
        "app/config.py": 'redis_topic = "task_queue"\nSTATUS = "status_updates"\n',
        "app/producer.py": (
            "import redis\n\nfrom app.config import STATUS, redis_topic\n\nr = redis.Redis()\n\n\n"
            "def send(payload):\n    r.publish(redis_topic, payload)\n\n\n"
            "def tell(payload):\n    r.publish(STATUS, payload)\n"
        ),
    }
    assert lint(tmp_path, files, ["RL501"]) == {("app/producer.py", 9, "RL501")}


KEY_HELPERS = """
CACHE_PREFIX = "defender"


def blocked_ip_key(ip):
    \"\"\"The key that marks an IP address as blocked.\"\"\"
    return "{0}:blocked:ip:{1}".format(CACHE_PREFIX, ip)


def attempts_key(ip):
    return f"{CACHE_PREFIX}:attempts:{ip}"
"""

BLOCK = """
import redis

from app import keys

r = redis.Redis()


def block(ip, cooloff):
    r.set(keys.blocked_ip_key(ip), "blocked", cooloff)
"""


def test_a_key_helper_of_another_module_is_its_template(tmp_path: Path) -> None:
    """A helper that only builds a key stands for its template at every call: the plain
    set() of a key another module writes with a TTL is the inconsistent write."""
    tests = (
        "import redis\n\nfrom app.keys import blocked_ip_key\n\nr = redis.Redis()\n\n\n"
        "def seed(ip):\n    key = blocked_ip_key(ip)\n    r.set(key, 'blocked')\n"
    )
    files = {"app/keys.py": KEY_HELPERS, "app/block.py": BLOCK, "app/seed.py": tests}
    assert lint(tmp_path, files, ["RL101"]) == {("app/seed.py", 10, "RL101")}
    # one address of the family is only maybe the key the other module expires
    tests = tests.replace("def seed(ip):", "def seed():").replace("(ip)", "('8.8.8.8')")
    files["app/seed.py"] = tests
    assert lint(tmp_path, files, ["RL101"]) == set()


def test_another_helpers_key_is_another_key(tmp_path: Path) -> None:
    seed = (
        "import redis\n\nfrom app.keys import attempts_key\n\nr = redis.Redis()\n\n\n"
        "def seed():\n    r.set(attempts_key('8.8.8.8'), 0)\n"
    )
    files = {"app/keys.py": KEY_HELPERS, "app/block.py": BLOCK, "app/seed.py": seed}
    assert lint(tmp_path, files, ["RL101"]) == set()


PROFILE = """
import redis

r = redis.Redis()


def save(uid, name):
    r.hset(f"user:{uid}", "name", name)


def name(uid):
    return r.hget(f"user:{uid}", "name")
"""


def test_a_key_used_as_another_type_in_another_module(tmp_path: Path) -> None:
    cache = (
        "import json\n\nimport redis\n\nr = redis.Redis()\n\n\n"
        "def cache(uid, user):\n    r.set(f'user:{uid}', json.dumps(user), ex=60)\n"
    )
    files = {"app/profile.py": PROFILE, "app/cache.py": cache}
    findings = run_fixture(write_tree(tmp_path, files), {"select": ["RL405"]})
    assert [(f.path, f.start.line, f.start.column, f.code) for f in findings] == [
        ("app/cache.py", 9, 5, "RL405")
    ]
    assert "as a hash at app/profile.py:8 (hset)" in findings[0].message


def test_the_same_type_in_every_module_is_no_conflict(tmp_path: Path) -> None:
    cache = (
        "import redis\n\nr = redis.Redis()\n\n\n"
        "def cache(uid, user):\n    r.hset(f'user:{uid}', mapping=user)\n"
        "    r.expire(f'user:{uid}', 60)\n"
    )
    files = {"app/profile.py": PROFILE, "app/cache.py": cache}
    assert lint(tmp_path, files, ["RL405"]) == set()


def test_a_suppressed_use_is_not_reported(tmp_path: Path) -> None:
    cache = (
        "import json\n\nimport redis\n\nr = redis.Redis()\n\n\n"
        "def cache(uid, user):\n    r.set(f'user:{uid}', json.dumps(user))  # noqa: RL405\n"
    )
    files = {"app/profile.py": PROFILE, "app/cache.py": cache}
    assert lint(tmp_path, files, ["RL405"]) == set()
    # nor is the comment an unused suppression: RL405 is decided after the file's lint
    assert lint(tmp_path, files, ["RL405", "RL001"]) == set()
