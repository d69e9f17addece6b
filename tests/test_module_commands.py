"""The table of RedisJSON methods (``client.json().get``...) is generated from redis-py."""

from __future__ import annotations

import json
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import gen_module_commands  # noqa: E402

from redislint.clients import api  # noqa: E402
from redislint.clients.types import Kind  # noqa: E402
from redislint.commands import module_method_info, module_methods  # noqa: E402

COMMITTED = json.loads(gen_module_commands.OUT.read_text(encoding="utf-8"))


def test_the_table_is_what_the_generator_reads_from_redis_py() -> None:
    installed = version("redis")
    if installed != COMMITTED["redis_py_version"]:
        pytest.skip(
            f"redis-py {installed} is installed, the table maps {COMMITTED['redis_py_version']}"
        )
    table = gen_module_commands.table(gen_module_commands.redis_package())
    assert {k: v for k, v in COMMITTED.items() if k != "redis_py_version"} == table


def test_json_returns_a_json_object_whose_methods_are_commands() -> None:
    assert api.result(Kind.CLIENT, "json") is Kind.JSON
    get, put = module_method_info("json", "get"), module_method_info("json", "set")
    assert get is not None and put is not None
    assert (get.command.name, get.command.is_readonly, get.key_params) == (
        "json.get",
        True,
        ("name",),
    )
    assert (put.command.name, put.command.is_write) == ("json.set", True)
    forget, delete = module_method_info("json", "forget"), module_method_info("json", "delete")
    assert forget is not None and delete is not None and forget.command == delete.command
    assert "keys" not in module_methods("json")  # JSON objects have no KEYS
