#!/usr/bin/env python3
"""Write docs/rules/RLxxx.md and docs/rules/README.md from the rule registry.

The rule classes are the source of truth; tests fail when these files are stale.
"""

from __future__ import annotations

from pathlib import Path

from redislint.rules import ALL_RULES
from redislint.rules.docs import index_page, rule_page

DOCS = Path(__file__).resolve().parent.parent / "docs" / "rules"


def main() -> None:
    DOCS.mkdir(parents=True, exist_ok=True)
    wanted = {f"{rule.code}.md": rule_page(rule) for rule in ALL_RULES}
    wanted["README.md"] = index_page(ALL_RULES)
    for stale in DOCS.glob("RL*.md"):
        if stale.name not in wanted:
            stale.unlink()
    for name, text in wanted.items():
        (DOCS / name).write_text(text, encoding="utf-8")
    print(f"wrote {len(wanted)} files to {DOCS}")


if __name__ == "__main__":
    main()
