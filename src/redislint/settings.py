"""The settings rules read (``Settings``), below the rules and the code model.

Loading and validating them from ``redislint.toml`` or ``pyproject.toml`` is
``redislint.config``'s job, above the rules (as ruff keeps ``LinterSettings`` apart from its
workspace loader).
"""

from __future__ import annotations

from dataclasses import dataclass

from redislint.clients.names import DEFAULT_PATTERNS

DEFAULT_TEST_PATHS = (
    "tests/",
    "test/",
    "test_*.py",
    "*_test.py",
    "tests.py",
    "test.py",
    "conftest.py",
)


@dataclass(frozen=True)
class Settings:
    """The configuration rules see."""

    client_name_patterns: tuple[str, ...] = DEFAULT_PATTERNS
    persistent_key_patterns: tuple[str, ...] = ()
    test_paths: tuple[str, ...] = DEFAULT_TEST_PATHS
    cluster: bool = False
    # The cluster is reached through a proxy (Envoy, redis-cluster-proxy...) that follows
    # MOVED/ASK itself: plain clients are right, and the proxy splits MGET/MSET/DEL/...
    cluster_proxy: bool = False
    target_redis_version: tuple[int, ...] | None = None
