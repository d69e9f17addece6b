"""Any message, path or source text yields valid output in every format, parsed back here.

Property tests build findings with arbitrary text (control characters, ``::`` and ``%``
for GitHub commands, XML specials and characters XML cannot hold, line separators,
bidirectional controls) and parse each format back as its consumer would. Real lints of
files whose names and contents hold such text go through the same checks.

The terminal formats (``concise``, ``full``) show control characters as Python escapes
(``\\x1b``, ``\\n``, ``\\u202e``): one header line per finding, nothing a terminal acts on.
"""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import jsonschema
import pytest
from budget import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tooling import sarif_schema_path

from redislint.cli import render
from redislint.config import Config, enabled_codes
from redislint.diagnostics import Finding, Position
from redislint.engine.runner import Runner, RunResult
from redislint.report import FORMATS, ReportContext, get_reporter
from redislint.report.base import printable
from redislint.report.junit import clean
from redislint.rules import BY_CODE

NASTY = [
    "::",
    "::error::",
    "%",
    "%25",
    "%0A",
    ",",
    "=",
    "\r\n",
    "\r",
    "\n",
    "<tag>",
    "&amp;",
    '"',
    "'",
    "]]>",
    "\x00",
    "\x1b[2J",
    "\x07",
    "\x7f",
    "\x85",
    "\u2028",
    "\u202e",
    "\ufffe",
    "\uffff",
    "\t",
    "\f",
    "é",
    "日本",
    "🎉",
]
# Any Unicode scalar value (no lone surrogates: the engine never makes findings with them,
# see test_undecodable_names_are_valid_unicode_everywhere).
CHARS = st.characters(codec="utf-8")
TEXT = st.lists(st.one_of(st.sampled_from(NASTY), st.text(CHARS, max_size=6)), max_size=8).map(
    "".join
)
CODES = sorted(BY_CODE)
# What a terminal acts on (printable() escapes these): nothing of it may reach the screen.
TERMINAL_CONTROL = re.compile(
    "[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)


@st.composite
def findings(draw: st.DrawFn) -> list[Finding]:
    out = []
    for _ in range(draw(st.integers(0, 4))):
        code = draw(st.sampled_from(CODES))
        rule = BY_CODE[code]
        line = draw(st.integers(1, 10**6))
        column = draw(st.integers(1, 10**6))
        end_line = draw(st.integers(line, line + 3))
        end_column = draw(st.integers(column if end_line == line else 1, 10**6))
        out.append(
            Finding(
                path=draw(TEXT.filter(bool)),
                code=code,
                name=rule.name,
                severity=rule.severity,
                message=draw(TEXT),
                start=Position(line, column),
                end=Position(end_line, end_column),
            )
        )
    return out


def render_all(result: RunResult, sources: dict[str, str]) -> dict[str, str]:
    out = {}
    for fmt in FORMATS:
        context = ReportContext(codes=frozenset(BY_CODE), sources=dict(sources))
        text = get_reporter(fmt)(result, context)
        text.encode("utf-8")  # valid Unicode: every format is written as UTF-8
        out[fmt] = text
    return out


# -- parsing each format back ---------------------------------------------------------------


def check_json(text: str, found: list[Finding]) -> None:
    items = json.loads(text)
    assert [(i["path"], i["message"], i["code"]) for i in items] == [
        (f.path, f.message, f.code) for f in found
    ]


def check_json_lines(text: str, found: list[Finding]) -> None:
    lines = text.splitlines()  # even a reader that splits on U+2028 gets one object per line
    assert len(lines) == len(found)
    assert [json.loads(line)["message"] for line in lines] == [f.message for f in found]


_schema: dict[str, Any] | None = None


def check_sarif(text: str, found: list[Finding], validate: bool) -> None:
    global _schema
    log = json.loads(text)
    assert log["version"] == "2.1.0"
    results = log["runs"][0]["results"]
    assert len(results) == len(found)
    for result, finding in zip(results, found, strict=True):
        assert result["ruleId"] == finding.code
        assert result["message"]["text"].startswith(finding.message.strip())
        location = result["locations"][0]["physicalLocation"]["artifactLocation"]
        if "uriBaseId" in location:
            assert unquote(location["uri"]) == finding.path.replace("\\", "/")
    if validate:
        if _schema is None:
            _schema = json.loads(sarif_schema_path().read_text(encoding="utf-8"))
        jsonschema.validate(log, _schema)


def unescape_github(text: str, prop: bool) -> str:
    """What the Actions runner does to a command's data or property value (%25 last)."""
    pairs = [("%0D", "\r"), ("%0A", "\n")]
    if prop:
        pairs += [("%3A", ":"), ("%2C", ",")]
    for escaped, char in [*pairs, ("%25", "%")]:
        text = text.replace(escaped, char)
    return text


COMMAND = re.compile(r"^::(?P<kind>error|warning|notice) (?P<props>.*?)::(?P<data>.*)$")


def check_github(text: str, found: list[Finding]) -> None:
    lines = text.split("\n")
    assert lines[-1] == ""
    commands, rest = lines[: len(found)], lines[len(found) : -1]
    assert all(not line.startswith("::") for line in rest)
    for line, finding in zip(commands, found, strict=True):
        assert "\r" not in line
        match = COMMAND.match(line)
        assert match, line
        props = dict(p.split("=", 1) for p in match["props"].split(","))
        assert unescape_github(props["file"], prop=True) == finding.path
        assert unescape_github(props["title"], prop=True) == f"{finding.code} {finding.name}"
        assert int(props["line"]) == finding.start.line
        assert unescape_github(match["data"], prop=False) == finding.message


def check_gitlab(text: str, found: list[Finding]) -> None:
    issues = json.loads(text)
    assert [i["location"]["path"] for i in issues] == [f.path for f in found]
    assert all(f.message in i["description"] for i, f in zip(issues, found, strict=True))


def check_junit(text: str, found: list[Finding]) -> None:
    root = ET.fromstring(text.encode("utf-8"))
    cases = root.findall("./testsuite/testcase")
    assert len(cases) == max(len(found), 1)
    for case, finding in zip(cases[: len(found)], found, strict=True):
        (outcome,) = list(case)
        assert outcome.get("message") == clean(f"{finding.code} {finding.message}")
        assert case.get("file") == clean(finding.path)


def check_concise(text: str, found: list[Finding]) -> None:
    lines = text.split("\n")
    fixable = any(f.fix is not None for f in found)  # a "[*] n fixable" hint follows the summary
    assert lines[-1] == "" and len(lines) == len(found) + 2 + fixable  # findings, summary, end
    assert not fixable or lines[-2].startswith("[*] ")
    for line, finding in zip(lines[: len(found)], found, strict=True):
        assert TERMINAL_CONTROL.search(line) is None
        assert line == (
            f"{printable(finding.path)}:{finding.start.line}:{finding.start.column}: "
            f"{finding.code} {printable(finding.message)}"
        )


def check_full(text: str, found: list[Finding]) -> None:
    assert TERMINAL_CONTROL.search(text.replace("\n", "")) is None
    lines = text.split("\n")
    for finding in found:
        header = (
            f"{printable(finding.path)}:{finding.start.line}:{finding.start.column}: "
            f"{finding.code} {finding.name}: {printable(finding.message)}"
        )
        assert header in lines


def check_everything(rendered: dict[str, str], found: list[Finding], validate: bool) -> None:
    check_json(rendered["json"], found)
    check_json_lines(rendered["json-lines"], found)
    check_sarif(rendered["sarif"], found, validate)
    check_github(rendered["github"], found)
    check_gitlab(rendered["gitlab"], found)
    check_junit(rendered["junit"], found)
    check_concise(rendered["concise"], found)
    check_full(rendered["full"], found)
    assert set(rendered) == set(FORMATS), "a new format needs a parse-back check here"


@settings(
    max_examples=examples(40),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
    database=None,
)
@given(found=findings(), source=TEXT, validate=st.integers(0, 9))
def test_arbitrary_findings_give_valid_output_in_every_format(
    found: list[Finding], source: str, validate: int
) -> None:
    found.sort(key=Finding.sort_key)
    sources = {f.path: source for f in found}  # quoted by full and in fingerprints
    rendered = render_all(RunResult(findings=found, files_checked=len(found)), sources)
    check_everything(rendered, found, validate=validate == 0)  # the schema check is slow


# -- real lints ------------------------------------------------------------------------------

NAME_CHARS = st.characters(codec="utf-8", exclude_characters="/\x00")
NAMES = st.lists(
    st.one_of(
        st.sampled_from([n for n in NASTY if "\x00" not in n]), st.text(NAME_CHARS, max_size=4)
    ),
    min_size=1,
    max_size=5,
).map(lambda parts: "".join(parts)[:40] + ".py")


@settings(
    max_examples=examples(20),
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)
@given(name=NAMES, key=TEXT, comment=TEXT)
def test_real_lints_of_odd_files_give_valid_output(
    name: str, key: str, comment: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    directory = tmp_path_factory.mktemp("odd")
    if name in (".py", "..py") or len(os.fsencode(name)) > 250:
        name = "plain.py"
    source = (
        f"import redis\nr = redis.Redis()\n# {comment}\nr.keys({key!r} + '*')\nr.set({key!r}, 1)\n"
    )
    (directory / name).write_bytes(source.encode("utf-8", "surrogatepass"))
    config = Config(root=directory)
    runner = Runner(config, enabled_codes(config), cwd=directory, jobs=1)
    result = runner.run([directory])
    assert result.files_checked == 1
    assert result.findings, "a finding or an RL000, never nothing"
    assert all(f.path == result.findings[0].path for f in result.findings)
    rendered = {
        fmt: render(result, fmt, enabled_codes(config), color=False, quiet=False, statistics=False)
        for fmt in FORMATS
    }
    old = Path.cwd()
    os.chdir(directory)  # reporters read the source again relative to the current directory
    try:
        check_everything(rendered, result.findings, validate=False)
    finally:
        os.chdir(old)


def test_undecodable_names_are_valid_unicode_everywhere(tmp_path: Path) -> None:
    name = os.fsdecode(b"bad\xff\xfename.py")
    (tmp_path / name).write_text("import redis\nr = redis.Redis()\nr.keys('*')\n")
    config = Config(root=tmp_path)
    result = Runner(config, enabled_codes(config), cwd=tmp_path, jobs=1).run([tmp_path])
    assert [f.path for f in result.findings] == ["bad\\xff\\xfename.py"]
    rendered = {
        fmt: render(result, fmt, frozenset(BY_CODE), color=False, quiet=False, statistics=False)
        for fmt in FORMATS
    }
    check_everything(rendered, result.findings, validate=True)
