"""Fixes: golden before/after files, idempotence, layout and comments kept, CLI options.

``tests/fixtures/fixes/NAME.py`` is linted with its ``# config:`` lines and fixed with
``--fix``; the result must equal ``NAME.fixed.py``, and with ``--fix --unsafe-fixes``
``NAME.unsafe.py``. Set ``REDISLINT_UPDATE_GOLDEN=1`` to rewrite the expected files
(the tests then fail, so a rewrite is always looked at).
"""

from __future__ import annotations

import ast
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from redislint.cli import main
from redislint.diagnostics import Edit, Fix, Position
from redislint.engine.fixes import apply, fix_text, parses, unified_diff

FIXES = Path(__file__).parent / "fixtures" / "fixes"
CASES = sorted(p for p in FIXES.glob("*.py") if p.name.count(".") == 1)
MODES = {"fixed": ["--fix"], "unsafe": ["--fix", "--unsafe-fixes"]}


def invoke(cwd: Path, *args: str, input: str | None = None) -> tuple[int, str, str]:
    old = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, ["--no-cache", *args], input=input)
    finally:
        os.chdir(old)
    return result.exit_code, result.stdout, result.stderr


def project_for(case: Path, tmp_path: Path) -> Path:
    """``case`` copied into ``tmp_path`` with its ``# config:`` lines as redislint.toml."""
    config = "\n".join(
        line.split(":", 1)[1].strip()
        for line in case.read_text(encoding="utf-8").splitlines()
        if line.startswith("# config:")
    )
    (tmp_path / "redislint.toml").write_text(config + "\n", encoding="utf-8")
    target = tmp_path / case.name
    target.write_text(case.read_text(encoding="utf-8"), encoding="utf-8")
    return target


def test_every_fixable_rule_has_golden_files() -> None:
    names = {p.stem.split("_")[0] for p in CASES}
    assert {"RL001", "RL102", "RL103", "RL202", "RL301", "RL805"} <= names
    for case in CASES:
        for mode in MODES:
            assert case.with_name(f"{case.stem}.{mode}.py").exists(), (case.name, mode)


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_golden(case: Path, mode: str, tmp_path: Path) -> None:
    target = project_for(case, tmp_path)
    invoke(tmp_path, *MODES[mode], target.name)
    got = target.read_text(encoding="utf-8")
    golden = case.with_name(f"{case.stem}.{mode}.py")
    if os.environ.get("REDISLINT_UPDATE_GOLDEN"):
        golden.write_text(got, encoding="utf-8")
        pytest.fail(f"rewrote {golden.name}: review the diff")
    assert got == golden.read_text(encoding="utf-8")
    assert parses(got)


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_fixing_twice_changes_nothing(case: Path, mode: str, tmp_path: Path) -> None:
    target = project_for(case, tmp_path)
    invoke(tmp_path, *MODES[mode], target.name)
    once = target.read_text(encoding="utf-8")
    invoke(tmp_path, *MODES[mode], target.name)
    assert target.read_text(encoding="utf-8") == once
    code, diff, _ = invoke(tmp_path, "--diff", *MODES[mode][1:], target.name)
    assert (code, diff) == (0, "")


def test_goldens_differ_from_their_inputs() -> None:
    """Every case has something fixed, and unsafe mode fixes at least as much."""
    for case in CASES:
        before = case.read_text(encoding="utf-8")
        safe = case.with_name(f"{case.stem}.fixed.py").read_text(encoding="utf-8")
        unsafe = case.with_name(f"{case.stem}.unsafe.py").read_text(encoding="utf-8")
        if case.stem.endswith("_old") and case.stem.startswith("RL103"):
            assert before == safe == unsafe  # keepttl needs Redis 6.0: no fix
            continue
        assert unsafe != before, case.name


# -- layout, comments, encodings ------------------------------------------------------

LAYOUT = """import redis

r = redis.Redis()


def f(sid, payload):
\tif sid:
\t\tr.set(  # write it
\t\t\tf"session:{sid}" ,   payload   # the value
\t\t)
\t\t# then the TTL
\t\tr.expire(f"session:{sid}" , 60)  # a minute
\t\tfor k in r.keys( "s:*" ) :  # odd spacing
\t\t\tr.delete( k )
"""


def test_layout_and_comments_are_kept(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(LAYOUT, encoding="utf-8")
    invoke(tmp_path, "--fix", "--select", "RL102,RL301", "app.py")
    assert (tmp_path / "app.py").read_text(encoding="utf-8") == (
        """import redis

r = redis.Redis()


def f(sid, payload):
\tif sid:
\t\tr.set(  # write it
\t\t\tf"session:{sid}" ,   payload, ex=60   # the value
\t\t)  # a minute
\t\t# then the TTL
\t\tfor k in r.scan_iter( "s:*" ) :  # odd spacing
\t\t\tr.delete( k )
"""
    )


def test_crlf_bom_and_coding_cookie_are_kept(tmp_path: Path) -> None:
    body = 'import redis\r\nr = redis.Redis()\r\nfor k in r.keys("é*"):\r\n    r.delete(k)\r\n'
    (tmp_path / "crlf.py").write_bytes(b"\xef\xbb\xbf" + body.encode("utf-8"))
    latin = "# -*- coding: latin-1 -*-\n" + body.replace("\r\n", "\n")
    (tmp_path / "latin.py").write_bytes(latin.encode("latin-1"))
    code, _, _ = invoke(tmp_path, "--fix", "--select", "RL301", "crlf.py", "latin.py")
    assert code == 0
    fixed = body.replace("r.keys(", "r.scan_iter(")
    assert (tmp_path / "crlf.py").read_bytes() == b"\xef\xbb\xbf" + fixed.encode("utf-8")
    expected = latin.replace("r.keys(", "r.scan_iter(").encode("latin-1")
    assert (tmp_path / "latin.py").read_bytes() == expected


def test_a_file_without_final_newline(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(
        "import redis\nr = redis.Redis()\nr.set('session:a', 1)\nr.expire('session:a', 5)"
    )
    invoke(tmp_path, "--fix", "a.py")
    assert (tmp_path / "a.py").read_text() == (
        "import redis\nr = redis.Redis()\nr.set('session:a', 1, ex=5)\n"
    )


# -- the command line -------------------------------------------------------------------

BAD = """import redis

r = redis.Redis()


def purge():
    for k in r.keys("tmp:*"):
        r.delete(k)
    return r.keys("x*")
"""


def test_diff_prints_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text(BAD)
    code, out, err = invoke(tmp_path, "--diff", "bad.py")
    assert code == 1
    assert (tmp_path / "bad.py").read_text() == BAD
    assert out.startswith("--- a/bad.py\n+++ b/bad.py\n")
    assert '-    for k in r.keys("tmp:*"):\n+    for k in r.scan_iter("tmp:*"):\n' in out
    assert "list(" not in out  # unsafe fixes only with --unsafe-fixes
    assert err.strip() == "Would fix 1 problem."
    code, out, _ = invoke(tmp_path, "--diff", "--unsafe-fixes", "bad.py")
    assert '+    return list(r.scan_iter("x*"))\n' in out


def test_fix_reports_what_is_left_and_show_fixes_lists_the_fixes(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text(BAD)
    code, out, _ = invoke(
        tmp_path, "--fix", "--show-fixes", "--format", "concise", "--select", "RL301", "bad.py"
    )
    assert code == 1
    lines = out.splitlines()
    assert lines[:3] == ["Fixed 1 problem:", "- bad.py:", "     1  RL301 keys-command"]
    assert lines[-3].startswith("bad.py:9:12: RL301")
    assert lines[-2] == "Found 1 problem in 1 file (1 file checked, 1 fixed)"
    assert lines[-1] == "[*] 1 fixable with --fix --unsafe-fixes"
    code, out, _ = invoke(
        tmp_path, "--fix", "--unsafe-fixes", "--format", "concise", "--select", "RL301", "bad.py"
    )
    assert code == 0
    assert out.strip() == "All checks passed (1 file checked, 1 fixed)"


def test_fix_in_machine_formats_lists_fixes_on_stderr(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text(BAD)
    code, out, err = invoke(
        tmp_path, "--fix", "--show-fixes", "--format", "json", "--select", "RL301", "bad.py"
    )
    assert code == 1
    assert [f["code"] for f in json.loads(out)] == ["RL301"]
    assert err.startswith("Fixed 1 problem:")


def test_fix_from_standard_input(tmp_path: Path) -> None:
    code, out, err = invoke(
        tmp_path, "--fix", "--format", "concise", "--stdin-filename", "app.py", input=BAD
    )
    assert code == 1
    assert out == BAD.replace('r.keys("tmp:*")', 'r.scan_iter("tmp:*")')
    assert "app.py:9:12: RL301" in err
    code, out, _ = invoke(tmp_path, "--diff", "--unsafe-fixes", "-", input=BAD)
    assert code == 1
    assert out.startswith("--- a/-\n+++ b/-\n")


def test_add_noqa_cannot_be_combined_with_fix(tmp_path: Path) -> None:
    code, _, err = invoke(tmp_path, "--fix", "--add-noqa", ".")
    assert code == 2
    assert "--add-noqa cannot be combined" in err


# -- the fix loop ---------------------------------------------------------------------


def _fix(line: int, start: int, end: int, content: str, safe: bool = True) -> Fix:
    return Fix("test", (Edit(Position(line, start), Position(line, end), content),), safe)


def test_overlapping_fixes_wait_for_the_next_round() -> None:
    text = "abcdef\n"
    new, applied = apply(text, [_fix(1, 2, 4, "X"), _fix(1, 3, 5, "Y"), _fix(1, 6, 6, "Z")])
    assert (new, applied) == ("aXdeZf\n", [0, 2])


def test_fixes_that_break_the_file_are_dropped() -> None:
    from redislint.diagnostics import Finding, Severity

    def finding(fix: Fix) -> Finding:
        return Finding(
            "a.py",
            "RL301",
            "keys-command",
            Severity.ERROR,
            "m",
            Position(1, 1),
            Position(1, 2),
            fix=fix,
        )

    text = "x = 1\ny = 2\n"
    rounds: list[str] = []

    def lint(new: str) -> list[Finding]:
        rounds.append(new)
        return []

    good, bad = _fix(1, 5, 6, "3"), _fix(2, 1, 2, "(")
    outcome = fix_text(text, lint, unsafe=False, findings=[finding(bad), finding(good)])
    assert outcome.text == "x = 3\ny = 2\n"
    assert [f.fix for f in outcome.fixed] == [good]
    assert ast.parse(outcome.text)


def test_fix_loop_is_bounded() -> None:
    """Fixes that undo each other stop when a text comes back."""
    from redislint.diagnostics import Finding, Severity

    def lint(text: str) -> list[Finding]:
        target = "1" if "= 2" in text else "2"
        fix = _fix(1, 5, 6, target)
        return [
            Finding(
                "a.py", "RL301", "k", Severity.ERROR, "m", Position(1, 1), Position(1, 2), fix=fix
            )
        ]

    outcome = fix_text("x = 1\n", lint, unsafe=False)
    assert outcome.text == "x = 2\n"


def test_unified_diff_marks_a_missing_final_newline() -> None:
    assert unified_diff("a.py", "x = 1", "x = 2").endswith(
        "-x = 1\n\\ No newline at end of file\n+x = 2\n\\ No newline at end of file\n"
    )


# -- edits -----------------------------------------------------------------------------


def test_edits_are_narrowed_to_whole_words() -> None:
    from redislint.semantic.edits import _narrow

    old, new = "setnx(k, 1)", "set(k, 1, nx=True)"
    first, end = _narrow(old, new)
    assert old[first:end] == "setnx(k, 1"
    assert _narrow("a\r\nb", "a\r\nc\r\nb") == (3, 3)


def test_offsets_round_trip_over_every_line_break() -> None:
    from redislint.semantic.edits import Offsets

    text = "ab\r\ncd\ref\ngh"
    offsets = Offsets(text)
    for index in range(len(text) + 1):
        if text[index - 1 : index + 1] == "\r\n":
            continue  # between CR and LF is not a position
        assert offsets.offset(offsets.position(index)) == index
    assert offsets.position(text.index("e")) == Position(3, 1)
    assert offsets.offset(Position(9, 1)) == len(text)
