"""Rule documentation pages, generated from each rule's metadata and docstring."""

from __future__ import annotations

from redislint.rules.base import DOC_SECTIONS, Rule


def rule_page(rule: type[Rule]) -> str:
    """The Markdown page of a rule (``docs/rules/RLxxx.md`` and ``--explain``)."""
    default = (
        "on" if rule.default_enabled else "off (enable with `--extend-select " + rule.code + "`)"
    )
    header = [
        f"# {rule.code} {rule.name}",
        "",
        f"**Severity:** {rule.severity.value} · **Default:** {default}",
        "",
        rule.summary + ".",
        "",
        "",
    ]
    return "\n".join(header) + rule.doc() + "\n"


def missing_sections(rule: type[Rule]) -> list[str]:
    """Sections of the required layout a rule's docstring lacks."""
    doc = rule.doc()
    return [s for s in DOC_SECTIONS if f"## {s}" not in doc]


def index_page(rules: tuple[type[Rule], ...]) -> str:
    lines = [
        "# Rules",
        "",
        "| Code | Name | Severity | Default | Summary |",
        "|---|---|---|---|---|",
    ]
    for rule in rules:
        lines.append(
            f"| [{rule.code}]({rule.code}.md) | {rule.name} | {rule.severity.value} | "
            f"{'on' if rule.default_enabled else 'off'} | {rule.summary} |"
        )
    return "\n".join(lines) + "\n"
