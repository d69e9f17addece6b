"""Property tests: applying fixes never yields code that does not parse.

Two sources of code: the rule fixtures and examples (any subset of their fixes, applied
together), and small programs hypothesis builds from Redis snippets in varied layouts
(fixed to a fixed point, which must parse and be stable). The default budget is small;
``--run-slow`` runs many more examples.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness import FIXTURES, file_config, run_fixture
from redislint.config import enabled_codes, parse_config
from redislint.diagnostics import Finding
from redislint.engine.fixes import apply, fix_text, parses
from redislint.engine.runner import Runner

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((FIXTURES / "rules").glob("*.py")) + sorted((ROOT / "examples").glob("*.py"))


@functools.cache
def fixable(path: Path) -> tuple[str, tuple[Finding, ...]]:
    """The text of a fixture and its findings that carry a fix."""
    config = file_config(path) if path.parent.name == "rules" else {}
    config.setdefault("select", ["ALL"])
    findings = run_fixture(path, config)
    return path.read_text(encoding="utf-8"), tuple(
        f for f in findings if f.fix is not None and f.path == path.name
    )


WITH_FIXES = [p for p in SOURCES if fixable(p)[1]]


def test_the_corpus_has_fixes() -> None:
    assert len(WITH_FIXES) >= 6
    assert {f.code for p in WITH_FIXES for f in fixable(p)[1]} >= {"RL102", "RL202", "RL301"}


@st.composite
def subsets(draw: st.DrawFn) -> tuple[str, list[Finding]]:
    path = draw(st.sampled_from(WITH_FIXES))
    text, findings = fixable(path)
    chosen = draw(st.lists(st.sampled_from(findings), unique_by=id, max_size=len(findings)))
    return text, chosen


def check_subset(case: tuple[str, list[Finding]]) -> None:
    text, chosen = case
    new, _applied = apply(text, [f.fix for f in chosen if f.fix is not None])
    assert parses(new), new


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(subsets())
def test_any_subset_of_fixes_parses(case: tuple[str, list[Finding]]) -> None:
    check_subset(case)


@pytest.mark.slow
@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(subsets())
def test_any_subset_of_fixes_parses_long(case: tuple[str, list[Finding]]) -> None:
    check_subset(case)


@pytest.mark.parametrize("path", WITH_FIXES, ids=[p.name for p in WITH_FIXES])
def test_fixing_a_fixture_completely(path: Path) -> None:
    text, _ = fixable(path)
    config = parse_config({"select": ["ALL"]}, None)
    config.root = path.parent
    runner = Runner(config, enabled_codes(config), cwd=path.parent)

    def lint(new: str) -> list[Finding]:
        return runner.run_stdin(new.encode("utf-8"), path.name).findings

    once = fix_text(text, lint, unsafe=True)
    assert parses(once.text)
    assert once.fixed
    again = fix_text(once.text, lint, unsafe=True)
    assert again.text == once.text


# -- generated programs --------------------------------------------------------------

KEYS = ["'a'", "'b'", 'f"c:{uid}"']


@st.composite
def call(draw: st.DrawFn, text: str) -> str:
    """A call, sometimes spread over lines with a trailing comma or a comment."""
    name, _, args = text.partition("(")
    args = args.rstrip(")")
    if not args:
        return text
    layout = draw(st.sampled_from(["flat", "lines", "comment"]))
    if layout == "flat":
        return f"{name}({args})"
    parts = [a.strip() for a in args.split(",")]
    if layout == "lines":
        inner = "".join(f"\n{{i}}    {p}," for p in parts)
        return f"{name}({inner}\n{{i}})"
    return f"{name}(  # call\n{{i}}    " + ", ".join(parts) + "  # args\n{i})"


@st.composite
def statement(draw: st.DrawFn, depth: int) -> list[str]:
    key = draw(st.sampled_from(KEYS))
    ttl = draw(st.sampled_from(["60", "TTL", "ttl", "60 * 60"]))
    simple = draw(
        st.sampled_from(
            [
                f"r.set({key}, v)",
                f"r.expire({key}, {ttl})",
                f"r.pexpire({key}, {ttl})",
                f"r.setnx({key}, v)",
                f"r.set({key}, v, nx=True)",
                f"r.set({key}, v, ex=5)",
                f"x = r.keys({key})",
                f"ok = r.setnx({key}, v)",
                "ttl = compute()",
                "log()",
                "# a comment",
                "pass",
            ]
        )
    )
    comment = draw(st.sampled_from(["", "  # why"]))
    if draw(st.integers(0, 3)) == 0:  # a pair that RL102 or RL202 merges
        first = draw(st.sampled_from([f"r.set({key}, v)", f"r.setnx({key}, v)"]))
        expire = draw(st.sampled_from(["expire", "pexpire", "expireat"]))
        return [*draw(call(first)).split("\n"), f"r.{expire}({key}, {ttl}){comment}"]
    if depth > 0 and draw(st.booleans()):
        head = draw(
            st.sampled_from(
                [f"for k in r.keys({key}):", f"if r.setnx({key}, v):", f"if not r.setnx({key}, v):"]
            )
        )
        body = draw(st.lists(statement(depth - 1), min_size=1, max_size=3))
        if head.startswith("if not"):
            body.append(["return"])
        return [head + comment] + ["    " + line for part in body for line in part]
    if simple.startswith("#") or simple == "pass":
        return [simple]
    rendered = draw(call(simple)) if "(" in simple else simple
    return (rendered + comment).split("\n")


@st.composite
def programs(draw: st.DrawFn) -> str:
    body = draw(st.lists(statement(2), min_size=1, max_size=8))
    lines = ["    " + line for part in body for line in part]
    text = "\n".join(lines).replace("{i}", "    ")
    return (
        "import redis\n\nr = redis.Redis()\nTTL = 30\n\n\n"
        f"def f(uid, v, ttl):\n{text}\n\n\ndef log():\n    pass\n\n\ndef compute():\n    return 1\n"
    )


@functools.cache
def program_runner() -> Runner:
    config = parse_config({"select": ["ALL"], "target-redis-version": "7.2"}, None)
    return Runner(config, enabled_codes(config), cwd=ROOT)


def check_program(text: str) -> None:
    if not parses(text):
        return  # the generator may build a block it cannot close; nothing to fix there
    runner = program_runner()

    def lint(new: str) -> list[Finding]:
        return runner.run_stdin(new.encode("utf-8"), "app.py").findings

    once = fix_text(text, lint, unsafe=True)
    assert parses(once.text), once.text
    again = fix_text(once.text, lint, unsafe=True)
    assert again.text == once.text, (text, once.text)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs())
def test_fixing_generated_programs(text: str) -> None:
    check_program(text)


@pytest.mark.slow
@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs())
def test_fixing_generated_programs_long(text: str) -> None:
    check_program(text)
