"""The test fixture really starts and stops a server."""

from __future__ import annotations

import pytest
from redis_server import RedisServer


@pytest.mark.redis_server
def test_server_answers_and_stops(redis_server: RedisServer) -> None:
    client = redis_server.client()
    assert client.ping() is True
    assert client.info("server")["tcp_port"] == redis_server.port
    redis_server.stop()
    assert redis_server.process.poll() is not None
