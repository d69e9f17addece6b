"""The table of redis-py methods that hand out Redis objects is generated from redis-py."""

from __future__ import annotations

import json
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import gen_api_returns  # noqa: E402

from redislint.clients import api  # noqa: E402
from redislint.clients.types import Kind  # noqa: E402

COMMITTED = json.loads(gen_api_returns.OUT.read_text(encoding="utf-8"))


def test_the_table_is_what_the_generator_reads_from_redis_py() -> None:
    installed = version("redis")
    if installed != COMMITTED["redis_py_version"]:
        pytest.skip(
            f"redis-py {installed} is installed, the table maps {COMMITTED['redis_py_version']}"
        )
    assert gen_api_returns.table(gen_api_returns.redis_package()) == COMMITTED["returns"]


@pytest.mark.parametrize(
    ("owner", "method", "kind"),
    [
        (Kind.CLIENT, "pipeline", Kind.PIPELINE),
        (Kind.CLIENT, "pubsub", Kind.PUBSUB),
        (Kind.CLIENT, "lock", Kind.LOCK),
        (Kind.CLIENT, "register_script", Kind.SCRIPT),
        (Kind.CLIENT, "get_redis_connection", Kind.CLIENT),
        (Kind.CLIENT, "client", Kind.CLIENT),
        (Kind.SENTINEL, "master_for", Kind.CLIENT),
        (Kind.SENTINEL, "slave_for", Kind.CLIENT),
    ],
)
def test_methods_that_hand_out_redis_objects(owner: Kind, method: str, kind: Kind) -> None:
    assert api.result(owner, method) is kind


@pytest.mark.parametrize("method", ["get", "set", "keys", "execute", "hgetall", "ping"])
def test_commands_hand_out_no_redis_object(method: str) -> None:
    assert api.result(Kind.CLIENT, method) is None
