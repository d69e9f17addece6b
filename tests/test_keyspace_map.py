"""``redislint keys``: the keyspace map of a fixture project across modules."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from harness import redislint, write_tree

KEYS = '''
PREFIX = "shop"


def cart_key(cart_id):
    """A key helper: its template is the key's template wherever it is called."""
    return f"{PREFIX}:cart:{cart_id}"
'''

CART = """
import redis

from app.keys import cart_key

r = redis.Redis()


def add(cart_id, sku):
    r.hincrby(cart_key(cart_id), sku, 1)
    r.expire(cart_key(cart_id), 3600)


def items(cart_id):
    return r.hgetall(cart_key(cart_id))


def remember_view(user_id, page):
    r.set(f"view:{user_id}", page)
"""

LEGACY = """
import redis

from app.keys import cart_key

r = redis.Redis()


def cache_total(cart_id, total):
    r.set(cart_key(cart_id), total, ex=60)


def count_signup():
    r.incr("stats:signups")


def forget(key):
    r.delete(key)


def announce(sku):
    r.publish(f"prices:{sku}", "changed")


def everything():
    return r.keys("*")
"""


def _project(tmp_path: Path) -> Path:
    files = {"app/__init__.py": "", "app/keys.py": KEYS, "app/cart.py": CART}
    return write_tree(tmp_path, {**files, "app/legacy.py": LEGACY})


def _keys(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return redislint(cwd, "keys", *args)


def _places(entries: list[dict[str, object]]) -> list[tuple[object, ...]]:
    return [(e["path"], e["line"], e["column"], e["command"], e["function"]) for e in entries]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return _project(tmp_path)


def test_the_map_of_a_project_across_modules(project: Path) -> None:
    proc = _keys(project, "--format", "json", "app")
    assert proc.returncode == 0, proc.stderr
    rows = {row["template"]: row for row in json.loads(proc.stdout)["templates"]}
    # the channel of publish() is not a key; delete(key) is the caller's key
    assert sorted(rows) == ["shop:cart:{cart_id}", "stats:signups", "view:{user_id}"]

    cart = rows["shop:cart:{cart_id}"]
    assert cart["type"] == "conflict: hash, string"
    assert cart["commands"] == ["expire", "hgetall", "hincrby", "set"]
    assert cart["ttl"] == "always"  # hincrby is expired in its function, set has ex=
    assert _places(cart["ttl_set_at"]) == [
        ("app/cart.py", 11, 5, "expire", "add"),
        ("app/legacy.py", 10, 5, "set", "cache_total"),
    ]
    assert _places(cart["uses"]) == [
        ("app/cart.py", 10, 5, "hincrby", "add"),
        ("app/cart.py", 11, 5, "expire", "add"),
        ("app/cart.py", 15, 12, "hgetall", "items"),
        ("app/legacy.py", 10, 5, "set", "cache_total"),
    ]
    assert sorted(cart["types"]) == ["hash", "string"]
    assert cart["hash_tag"] is None

    assert rows["view:{user_id}"]["ttl"] == "never"
    assert rows["view:{user_id}"]["type"] == "string"
    assert rows["stats:signups"]["ttl"] == "never"
    assert _places(rows["stats:signups"]["uses"]) == [
        ("app/legacy.py", 14, 5, "incrby", "count_signup")  # what incr() sends
    ]


def test_multi_key_commands_say_whether_they_stay_in_one_slot(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text(
        "import redis\n\nr = redis.Redis()\n\n\n"
        "def names(uid):\n"
        "    return r.mget(f'{{user:{uid}}}:name', f'{{user:{uid}}}:email')\n\n\n"
        "def spread(uid):\n"
        "    return r.mget(f'name:{uid}', f'email:{uid}')\n"
    )
    proc = _keys(tmp_path, "--format", "json", "m.py")
    rows = {row["template"]: row for row in json.loads(proc.stdout)["templates"]}
    assert rows["{user:{uid}}:name"]["multi_key_slots"] == "one slot"
    assert rows["{user:{uid}}:email"]["multi_key_slots"] == "one slot"
    assert rows["name:{uid}"]["multi_key_slots"] == "cross-slot"
    assert rows["email:{uid}"]["multi_key_slots"] == "cross-slot"


def test_a_read_only_template_has_no_ttl_status(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text(
        "import redis\n\nr = redis.Redis()\n\n\n"
        "def load(uid):\n    return r.hgetall(f'{{user:{uid}}}:profile')\n"
    )
    proc = _keys(tmp_path, "--format", "json", "m.py")
    (row,) = json.loads(proc.stdout)["templates"]
    assert row["template"] == "{user:{uid}}:profile"
    assert row["ttl"] == "unknown"
    assert row["hash_tag"] == "{user:{uid}}"
    assert row["type"] == "hash"


def test_markdown_and_table(project: Path) -> None:
    markdown = _keys(project, "--format", "markdown", "app").stdout
    lines = markdown.splitlines()
    assert lines[0] == ("| key template | type | commands | TTL | hash tag | multi-key | used at |")
    assert lines[4] == ("| `view:{user_id}` | string | set | never |  |  | app/cart.py:19 set |")
    assert lines[-1] == "3 key templates, 2 written without any TTL, 1 used as more than one type"
    table = _keys(project, "app").stdout
    assert "shop:cart:{cart_id}" in table and "conflict: hash, string" in table


def test_the_html_page_stands_alone(project: Path) -> None:
    out = project / "keyspace.html"
    proc = _keys(project, "--format", "html", "--output", str(out), "app")
    assert proc.returncode == 0, proc.stderr
    page = out.read_text()
    assert page.startswith("<!DOCTYPE html>")
    assert "<code>shop:cart:{cart_id}</code>" in page
    assert 'id="filter"' in page
    # nothing fetched from the network: no external scripts, styles, fonts or images
    for needle in ("http://", "https://", "src=", "<link"):
        assert needle not in page


def test_template_text_is_escaped_in_html(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text("import redis\n\nr = redis.Redis()\nr.set('<b>x</b>', 1)\n")
    page = _keys(tmp_path, "--format", "html", "m.py").stdout
    assert "&lt;b&gt;x&lt;/b&gt;" in page and "<b>x</b>" not in page


def test_check_is_the_default_command(project: Path) -> None:
    bare = redislint(project, "--no-cache", "app")
    named = redislint(project, "check", "--no-cache", "app")
    assert bare.returncode == named.returncode == 1
    assert bare.stdout == named.stdout
    assert "app/legacy.py:26:12: RL301" in bare.stdout


def test_a_constant_imported_from_a_module_without_redis(tmp_path: Path) -> None:
    orders = (
        "import redis\n\nfrom app.config import ORDER_PREFIX\n\nr = redis.Redis()\n\n\n"
        "def save(oid, data):\n    r.hset(f'{ORDER_PREFIX}:{oid}', mapping=data)\n"
    )
    config = 'ORDER_PREFIX = "shop:order"\n'
    files = {"app/__init__.py": "", "app/config.py": config, "app/orders.py": orders}
    write_tree(tmp_path, files)
    proc = _keys(tmp_path, "--format", "json", "app")
    (row,) = json.loads(proc.stdout)["templates"]
    assert row["template"] == "shop:order:{oid}"
