"""Every fixture file under tests/fixtures/rules yields exactly the findings it declares."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness import (
    FIXTURES,
    conf_cases,
    expectations,
    file_config,
    found_set,
    run_fixture,
    tomllib,
)
from redislint.rules import ALL_RULES

RULE_FIXTURES = sorted((FIXTURES / "rules").glob("*.py"))
CONF_FIXTURES = sorted((FIXTURES / "conf").glob("*.conf"))


@pytest.mark.parametrize("path", RULE_FIXTURES, ids=lambda p: p.stem)
def test_fixture(path: Path) -> None:
    config = file_config(path)
    config.setdefault("select", [path.stem.split("_")[0]])
    findings = run_fixture(path, config)
    expected = expectations([path], path.parent)
    found = found_set(findings)
    missing = sorted(expected.findings - found)
    unexpected = sorted(found - expected.findings)
    messages = {(f.path, f.start.line, f.code, f.start.column): f.message for f in findings}
    assert not missing and not unexpected, (
        f"missing: {missing}\nunexpected: {[(u, messages[u]) for u in unexpected]}"
    )


@pytest.mark.parametrize(
    "rule", [r for r in ALL_RULES if r.code not in ("RL000", "RL001")], ids=lambda r: r.code
)
def test_rule_has_ten_valid_and_ten_invalid_cases(rule: type) -> None:
    if rule.overrides("check_config"):  # type: ignore[attr-defined]
        # redis.conf rules: cases of tests/fixtures/conf (see harness.conf_cases)
        paths = [p for p in CONF_FIXTURES if p.stem.split("_")[0] == rule.code]
        assert paths, f"no conf fixture for {rule.code}"
        cases = [case for path in paths for case in conf_cases(path)]
        invalid = [e for case in cases for e in case.expected if e[2] == rule.code]
        valid = [case for case in cases if rule.code in case.ok]
        assert len(invalid) >= 10, f"{rule.code}: {len(invalid)} invalid cases"
        assert len(valid) >= 10, f"{rule.code}: {len(valid)} valid cases"
        return
    files = [p for p in RULE_FIXTURES if p.stem.split("_")[0] == rule.code]
    assert files, f"no fixture for {rule.code}"
    expected = expectations(files, FIXTURES / "rules")
    invalid = [f for f in expected.findings if f[2] == rule.code]
    valid = [k for k, codes in expected.ok_lines.items() if rule.code in codes]
    assert len(invalid) >= 10, f"{rule.code}: {len(invalid)} invalid cases"
    assert len(valid) >= 10, f"{rule.code}: {len(valid)} valid cases"


PROJECT_FIXTURES = sorted(p for p in (FIXTURES / "projects").iterdir() if p.is_dir())


@pytest.mark.parametrize("root", PROJECT_FIXTURES, ids=lambda p: p.name)
def test_project_fixture(root: Path) -> None:
    """A tree of modules, linted together: recognition across files."""
    files = sorted(root.rglob("*.py"))
    toml = root / "redislint.toml"
    config = tomllib.loads(toml.read_text()) if toml.exists() else {}
    findings = run_fixture(root, config)
    expected = expectations(files, root)
    found = found_set(findings)
    assert found == expected.findings, (
        f"missing: {sorted(expected.findings - found)}\nunexpected: {sorted(found - expected.findings)}"
    )
