from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

# Fixture files are linted, never run (some are named like tests on purpose: RL302_test.py).
collect_ignore_glob = ["fixtures/*"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--slow",
        "--run-slow",
        action="store_true",
        dest="slow",
        help="also run the slow tests: the real-world corpus (downloaded), census, fuzz",
    )


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("slow"):
        os.environ.setdefault("REDISLINT_FUZZ_SCALE", "10")  # see budget.py


def pytest_sessionfinish(session: pytest.Session) -> None:
    target = os.environ.get("REDISLINT_FIGURES")
    if target:
        import figures

        figures.write(Path(target))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("slow"):
        return
    skip = pytest.mark.skip(reason="slow: run with --slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


from redis_server import redis_server  # noqa: E402, F401  (a fixture for every test module)
