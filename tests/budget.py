"""Budgets of the fuzz and property tests: small by default, larger with ``--run-slow``.

``REDISLINT_FUZZ_SCALE`` multiplies every budget (examples and seconds); ``--run-slow``
sets it to 10 unless it is set already. ``REDISLINT_FUZZ_SEED`` picks the random seed of
the mutation fuzzer (default: a fixed seed, so a default run is reproducible).
"""

from __future__ import annotations

import os


def scale() -> float:
    return float(os.environ.get("REDISLINT_FUZZ_SCALE", "1"))


def examples(count: int) -> int:
    """A number of examples, scaled."""
    return max(1, round(count * scale()))


def seconds(budget: float) -> float:
    """A time budget in seconds, scaled."""
    return budget * scale()


def seed() -> int:
    return int(os.environ.get("REDISLINT_FUZZ_SEED", "20240601"))
