"""What redis-py's own methods hand out: ``pipeline()`` a pipeline, ``master_for()`` and
``get_redis_connection()`` a client, ``lock()`` a lock...

The table (``data/api_returns.json``) is generated from redis-py's source by
``scripts/gen_api_returns.py``, not typed by hand.
"""

from __future__ import annotations

import functools
import json
from importlib import resources

from redislint.clients.types import Kind


@functools.cache
def _table() -> dict[Kind, dict[str, Kind]]:
    text = resources.files("redislint.data").joinpath("api_returns.json").read_text("utf-8")
    data = json.loads(text)["returns"]
    return {
        Kind(owner): {method: Kind(result) for method, result in methods.items()}
        for owner, methods in data.items()
    }


def result(owner: Kind, method: str) -> Kind | None:
    """The kind of Redis object ``method`` of an ``owner`` returns; None if not one."""
    return _table().get(owner, {}).get(method)
