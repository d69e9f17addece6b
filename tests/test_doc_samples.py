"""Every command sample in the docs still prints what the docs show."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import doc_samples  # noqa: E402

CASES = [
    (path, match["command"], match["output"])
    for path in doc_samples.DOCS
    for match in doc_samples.samples(path.read_text(encoding="utf-8"))
]


def test_every_output_format_has_a_sample() -> None:
    from redislint.report import FORMATS

    shown = {
        command.split("--format ", 1)[1].split()[0]
        for path, command, _ in CASES
        if path.name == "output-formats.md" and "--format " in command
    }
    assert shown == set(FORMATS)


@pytest.mark.parametrize(
    ("path", "command", "output"),
    CASES,
    ids=[f"{p.name}: {c}" for p, c, _ in CASES],
)
def test_sample_is_current(path: Path, command: str, output: str) -> None:
    assert doc_samples.run(command) == output, (
        f"stale sample in {path.name}; run python scripts/doc_samples.py"
    )
