"""Every case of the redis.conf fixtures under tests/fixtures/conf yields exactly the
findings it declares (see ``harness.conf_cases`` for the format)."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness import FIXTURES, ConfCase, conf_cases, run_fixture

CONF_FIXTURES = sorted((FIXTURES / "conf").glob("*.conf"))
CONF_CASES = [case for path in CONF_FIXTURES for case in conf_cases(path)]


def lint_case(case: ConfCase, directory: Path, select: list[str] | None = None) -> list:  # type: ignore[type-arg]
    case.write(directory)
    config = dict(case.config)
    if select is not None:
        config["select"] = select
    config.setdefault("select", [case.fixture.split("_")[0]])
    return run_fixture(directory, config)


@pytest.mark.parametrize("case", CONF_CASES, ids=lambda c: c.ident)
def test_conf_case(case: ConfCase, tmp_path: Path) -> None:
    findings = lint_case(case, tmp_path / "case")
    found = {(f.path, f.start.line, f.code) for f in findings}
    messages = {(f.path, f.start.line, f.code): f.message for f in findings}
    missing = sorted(case.expected - found)
    unexpected = sorted(found - case.expected)
    assert not missing and not unexpected, (
        f"missing: {missing}\nunexpected: {[(u, messages[u]) for u in unexpected]}"
    )
    assert all(f.start.column == 1 for f in findings)
    assert not {f.code for f in findings} & case.ok


def test_cases_have_unique_names() -> None:
    idents = [c.ident for c in CONF_CASES]
    assert len(idents) == len(set(idents))
