"""The generated parts of docs/reliability.md: the bad-input table and the fuzz figures.

``python tests/reliability_doc.py`` rewrites them (from ``bad_inputs.CASES`` and
``docs/reliability-figures.json``); ``tests/test_reliability_doc.py`` fails when the
document differs from what this renders.

Record a new fuzz campaign (after changing tests/test_fuzz.py, or to refresh the figures):

    REDISLINT_FIGURES=docs/reliability-figures.json PYTHONPATH=src \\
        python -m pytest --run-slow tests/test_fuzz.py
    PYTHONPATH=src python tests/reliability_doc.py
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from bad_inputs import CASES

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "reliability.md"
FIGURES = ROOT / "docs" / "reliability-figures.json"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def cases_table() -> str:
    lines = ["| Case | Input | Expected |", "|---|---|---|"]
    for case in CASES:
        if case.expect:
            expected = "; ".join(
                f"{e.code} at {e.line}:{e.column}" + (f" ({e.message})" if e.message else "")
                for e in case.expect
            )
        elif case.skipped:
            expected = "skipped with a warning"
        else:
            expected = "no finding"
        slow = " (`--run-slow`)" if case.slow else ""
        lines.append(f"| `{case.id}`{slow} | {_cell(case.what)} | {_cell(expected)} |")
    return "\n".join(lines)


def figures_table(data: dict[str, Any]) -> str:
    counts = data["counts"]
    lines = [
        f"Recorded with budget scale {data['budget_scale']:g} on Python {data['python']}, "
        f"libcst {data['libcst']} ({data['platform']}), fuzz harness `{data['harness']}`.",
        "",
        "| Figure | Count |",
        "|---|---|",
    ]
    lines += [f"| {_cell(name)} | {value:,} |" for name, value in counts.items()]
    lines.append(
        f"| redislint failures (internal errors, dead workers) | {counts.get('failures', 0)} |"
    )
    if data.get("notes"):
        lines += ["", "Noted along the way (first examples of each kind):", ""]
        for kind, examples in data["notes"].items():
            lines.append(f"- {kind}: {len(examples)} example(s) kept in `{FIGURES.name}`")
    return "\n".join(lines)


def render_blocks(doc: str, figures: dict[str, Any]) -> str:
    for name, body in (("cases", cases_table()), ("figures", figures_table(figures))):
        pattern = re.compile(rf"(<!-- {name}:start -->\n).*?(<!-- {name}:end -->)", re.DOTALL)
        assert pattern.search(doc), f"docs/reliability.md lacks the {name} markers"
        doc = pattern.sub(lambda m, body=body: m.group(1) + body + "\n" + m.group(2), doc)
    return doc


def main() -> None:
    figures = json.loads(FIGURES.read_text(encoding="utf-8"))
    DOC.write_text(render_blocks(DOC.read_text(encoding="utf-8"), figures), encoding="utf-8")


if __name__ == "__main__":
    main()
