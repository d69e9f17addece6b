"""Rules judged beyond one function: across a module (RL404) and across the tree (RL401, RL503)."""

from __future__ import annotations

from pathlib import Path

from harness import run_fixture

HEADER = "import redis\n\nr = redis.Redis()\n\n\n"


def lint(tmp_path: Path, files: dict[str, str], code: str) -> set[tuple[str, int]]:
    for name, body in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(HEADER + body)
    findings = run_fixture(tmp_path, {"select": [code]})
    assert all(f.code == code for f in findings)
    return {(f.path, f.start.line) for f in findings}


CONSUMER = 'def consume(c):\n    return r.xreadgroup("g", c, {"orders": ">"}, block=100)\n'
GENERIC_CONSUMER = 'def consume(s, c):\n    return r.xreadgroup("g", c, {s: ">"}, block=100)\n'


def test_xreadgroup_acked_in_another_module(tmp_path: Path) -> None:
    acker = 'def ack(i):\n    r.xack("orders", "g", i)\n'
    assert lint(tmp_path, {"app/consumer.py": CONSUMER, "app/acks.py": acker}, "RL503") == set()


def test_xreadgroup_never_acked(tmp_path: Path) -> None:
    other = 'def ack(i):\n    r.xack("payments", "g", i)\n'
    found = lint(tmp_path, {"app/consumer.py": CONSUMER, "app/acks.py": other}, "RL503")
    assert found == {("app/consumer.py", 7)}


def test_stream_key_unknown_needs_any_xack(tmp_path: Path) -> None:
    assert lint(tmp_path, {"worker.py": GENERIC_CONSUMER}, "RL503") == {("worker.py", 7)}
    other = 'def ack(i):\n    r.xack("payments", "g", i)\n'
    assert lint(tmp_path, {"worker.py": GENERIC_CONSUMER, "acks.py": other}, "RL503") == set()


PRODUCER = 'def emit(e):\n    r.xadd("events", e)\n'


def test_stream_trimmed_by_a_job_in_another_module(tmp_path: Path) -> None:
    janitor = 'def trim():\n    r.xtrim("events", maxlen=10_000, approximate=True)\n'
    assert lint(tmp_path, {"producer.py": PRODUCER, "jobs/trim.py": janitor}, "RL401") == set()


def test_stream_trimmed_elsewhere_must_be_the_same_key(tmp_path: Path) -> None:
    janitor = 'def trim():\n    r.xtrim("audit", maxlen=10)\n    r.expire("events", 60)\n'
    found = lint(tmp_path, {"producer.py": PRODUCER, "jobs/trim.py": janitor}, "RL401")
    assert found == {("producer.py", 7)}


def test_entries_deleted_by_a_generic_consumer(tmp_path: Path) -> None:
    consumer = "def done(stream, entry_id):\n    r.xdel(stream, entry_id)\n"
    found = lint(tmp_path, {"producer.py": PRODUCER, "consumer.py": consumer}, "RL401")
    assert found == set()


COUNTER = (
    'def visit(day, uid):\n    r.sadd(f"visitors:{day}", uid)\n\n\n'
    'def count(day):\n    return r.scard(f"visitors:{day}")\n'
)


def test_set_only_counted(tmp_path: Path) -> None:
    assert lint(tmp_path, {"stats.py": COUNTER}, "RL404") == {("stats.py", 7)}


def test_set_members_read_in_another_module(tmp_path: Path) -> None:
    reader = 'def who(day):\n    return r.smembers(f"visitors:{day}")\n'
    assert lint(tmp_path, {"stats.py": COUNTER, "report.py": reader}, "RL404") == set()


def test_set_counted_in_another_module_only(tmp_path: Path) -> None:
    """RL404 is judged per module: a module that adds but never counts says nothing."""
    adder = 'def visit(day, uid):\n    r.sadd(f"visitors:{day}", uid)\n'
    counter = 'def count(day):\n    return r.scard(f"visitors:{day}")\n'
    assert lint(tmp_path, {"track.py": adder, "count.py": counter}, "RL404") == set()
