"""Counters the fuzz tests keep, written to ``$REDISLINT_FIGURES`` at the end of a session.

``docs/reliability-figures.json`` is such a file from the last long campaign; the figures
block of ``docs/reliability.md`` is rendered from it (``python tests/reliability_doc.py``)
and ``tests/test_reliability_doc.py`` fails when the two disagree, or when the fuzz harness
changed after the campaign was recorded.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import sys
from collections import Counter
from importlib.metadata import version
from pathlib import Path

FUZZ_MODULE = Path(__file__).with_name("test_fuzz.py")
COUNTS: Counter[str] = Counter()
NOTES: dict[str, list[str]] = {}  # kind -> examples (kept short)


def count(name: str, amount: int = 1) -> None:
    COUNTS[name] += amount


def note(kind: str, example: str) -> None:
    examples = NOTES.setdefault(kind, [])
    if len(examples) < 5:
        examples.append(example[:600])


def harness_digest() -> str:
    return hashlib.sha256(FUZZ_MODULE.read_bytes()).hexdigest()[:16]


def write(path: Path) -> None:
    data = {
        "harness": harness_digest(),
        "budget_scale": float(os.environ.get("REDISLINT_FUZZ_SCALE", "1")),
        "python": platform.python_version(),
        "libcst": version("libcst"),
        "platform": sys.platform,
        "counts": dict(sorted(COUNTS.items())),
        "notes": dict(sorted(NOTES.items())),
    }
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
