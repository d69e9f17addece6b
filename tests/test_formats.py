"""The machine-readable formats: json, json-lines, github, gitlab, junit."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from redislint.cli import FORMAT_CHOICES, main
from redislint.diagnostics import Edit, Finding, Fix, Position, Severity
from redislint.engine.runner import RunResult
from redislint.report import FORMATS, ReportContext, get_reporter
from redislint.report.github import escape_data, escape_property
from redislint.rules import BY_CODE

BAD = """import redis

r = redis.Redis()


def cache(uid, payload):
    r.set(f"user:{uid}", payload)
    return r.keys("*")
"""
FIX = Fix("Give the key a TTL", (Edit(Position(7, 33), Position(7, 33), ", ex=3600"),), False)
ODD = 'odd: 100% <sure> & "quoted"\r\nsecond line, with\x1b escape\x00 and \u2028 too'


def make(code: str, *, path: str = "app.py", message: str | None = None, **kw: object) -> Finding:
    rule = BY_CODE[code]
    fields: dict[str, object] = {
        "path": path,
        "code": code,
        "name": rule.name,
        "severity": rule.severity,
        "message": message or rule.summary,
        "start": Position(7, 5),
        "end": Position(7, 33),
    }
    fields.update(kw)
    return Finding(**fields)  # type: ignore[arg-type]


def render(fmt: str, *findings: Finding, checked: int = 1) -> str:
    result = RunResult(findings=list(findings), files_checked=checked)
    context = ReportContext(codes=frozenset(BY_CODE), sources={"app.py": BAD})
    return get_reporter(fmt)(result, context)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "bad.py").write_text(BAD)
    (tmp_path / "good.py").write_text("import redis\nredis.Redis().get('k')\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout


def test_every_registered_format_is_a_cli_choice() -> None:
    assert list(FORMATS) == FORMAT_CHOICES
    assert {"json", "json-lines", "sarif", "github", "gitlab", "junit"} <= set(FORMATS)


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_every_format_runs_with_and_without_findings(project: Path, fmt: str) -> None:
    code, out = cli("--format", fmt, "bad.py")
    assert code == 1
    assert "RL101" in out and "RL301" in out
    code, clean = cli("--format", fmt, "good.py")
    assert code == 0
    if fmt == "sarif":  # the rule descriptions are there, the results are not
        assert json.loads(clean)["runs"][0]["results"] == []
    else:
        assert "without a TTL" not in clean


def test_json_objects(project: Path) -> None:
    _, out = cli("--format", "json", "bad.py")
    items = json.loads(out)
    assert [i["code"] for i in items] == ["RL101", "RL301"]
    first = items[0]
    assert list(first) == [
        "code",
        "name",
        "severity",
        "message",
        "path",
        "start",
        "end",
        "fix",
        "url",
        "fingerprint",
        "recognised",
    ]
    assert first["recognised"] == "resolved"
    assert first["name"] == "set-without-ttl"
    assert first["severity"] == BY_CODE["RL101"].severity.value
    assert first["path"] == "bad.py"
    assert first["start"] == {"line": 7, "column": 5}
    assert first["end"] == {"line": 7, "column": 34}
    assert first["fix"] is None
    assert first["url"] == BY_CODE["RL101"].doc_url()
    assert cli("--format", "json", "good.py")[1] == "[]\n"


def test_json_lines_hold_the_json_objects(project: Path) -> None:
    _, array = cli("--format", "json", "bad.py")
    _, lines = cli("--format", "json-lines", "bad.py")
    assert [json.loads(line) for line in lines.splitlines()] == json.loads(array)
    assert cli("--format", "json-lines", "good.py")[1] == ""


def test_json_fix() -> None:
    (item,) = json.loads(render("json", make("RL101", fix=FIX)))
    assert item["fix"] == {
        "message": "Give the key a TTL",
        "safe": False,
        "edits": [
            {
                "start": {"line": 7, "column": 33},
                "end": {"line": 7, "column": 33},
                "content": ", ex=3600",
            }
        ],
    }
    (line,) = render("json-lines", make("RL101", fix=FIX)).splitlines()
    assert json.loads(line)["fix"] == item["fix"]


def test_json_keeps_odd_text_intact() -> None:
    (item,) = json.loads(render("json", make("RL301", message=ODD, path="dir, x/ü.py")))
    assert item["message"] == ODD
    assert item["path"] == "dir, x/ü.py"
    (line,) = render("json-lines", make("RL301", message=ODD)).split("\n")[:-1]
    assert json.loads(line)["message"] == ODD


def test_github_commands(project: Path) -> None:
    _, out = cli("--format", "github", "bad.py")
    lines = out.splitlines()
    level = {"error": "error", "warning": "warning", "info": "notice"}
    assert lines[0].startswith(
        f"::{level[BY_CODE['RL101'].severity.value]} file=bad.py,line=7,col=5,endLine=7,"
        "endColumn=34,title=RL101 set-without-ttl::set() writes 'user:{uid}' without a TTL"
    )
    assert lines[1].startswith("::error file=bad.py,line=8,col=12,endLine=8,endColumn=23,")
    assert lines[-1] == "Found 2 problems in 1 file (1 file checked)"
    _, quiet = cli("--format", "github", "-q", "bad.py")
    assert quiet.splitlines() == lines[:-1]


def test_github_severities() -> None:
    findings = [make("RL301", severity=s) for s in Severity]
    out = render("github", *findings)
    assert [line.split(" ", 1)[0] for line in out.splitlines()[:3]] == [
        "::error",
        "::warning",
        "::notice",
    ]


def test_github_escaping() -> None:
    assert escape_data("100%\r\nnext") == "100%25%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    line = render("github", make("RL301", message=ODD, path="dir,x/a:b.py")).split("\n")[0]
    assert "\r" not in line and "\n" not in line
    assert line.startswith("::error file=dir%2Cx/a%3Ab.py,line=7,")
    properties, message = line[len("::error ") :].split("::", 1)
    assert message == (
        'odd: 100%25 <sure> & "quoted"%0D%0Asecond line, with\x1b escape\x00 and \u2028 too'
    )
    # GitHub splits properties at ',' and key from value at the first '=': every value survives.
    values = dict(p.split("=", 1) for p in properties.split(","))
    assert values["file"] == "dir%2Cx/a%3Ab.py"
    assert values["title"] == "RL301 keys-command"


def test_gitlab_code_quality(project: Path) -> None:
    _, out = cli("--format", "gitlab", "bad.py")
    issues = json.loads(out)
    assert [i["check_name"] for i in issues] == ["RL101 set-without-ttl", "RL301 keys-command"]
    for issue in issues:
        assert set(issue) == {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["severity"] in ("info", "minor", "major", "critical", "blocker")
        assert issue["location"]["path"] == "bad.py"
    assert issues[0]["location"]["lines"]["begin"] == 7
    assert issues[1]["location"]["lines"] == {"begin": 8, "end": 8}
    assert issues[0]["description"].startswith("RL101 set() writes")
    assert len({i["fingerprint"] for i in issues}) == 2
    assert cli("--format", "gitlab", "good.py")[1] == "[]\n"


def test_gitlab_fingerprints_are_the_json_fingerprints(project: Path) -> None:
    gitlab = json.loads(cli("--format", "gitlab", "bad.py")[1])
    plain = json.loads(cli("--format", "json", "bad.py")[1])
    assert [i["fingerprint"] for i in gitlab] == [i["fingerprint"] for i in plain]


def test_junit_is_valid_xml(project: Path) -> None:
    _, out = cli("--format", "junit", "bad.py")
    assert out.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    root = ET.fromstring(out.encode("utf-8"))
    (suite,) = root.findall("testsuite")
    assert suite.get("tests") == "2" and suite.get("failures") == "2"
    assert suite.get("errors") == "0"
    cases = suite.findall("testcase")
    assert [c.find("failure").get("type") for c in cases] == ["RL101", "RL301"]  # type: ignore[union-attr]
    assert cases[0].get("classname") == "bad.py"
    assert cases[0].get("line") == "7"


def test_junit_escapes_everything() -> None:
    out = render("junit", make("RL301", message=ODD, path='a&b<"c">.py'))
    root = ET.fromstring(out.encode("utf-8"))
    case = root.find("testsuite/testcase")
    assert case is not None
    assert case.get("classname") == 'a&b<"c">.py'
    failure = case.find("failure")
    assert failure is not None
    message = failure.get("message") or ""
    assert '100% <sure> & "quoted"' in message
    assert "\\x1b escape\\x00" in message  # XML 1.0 cannot hold these characters
    # XML parsers turn a raw CR LF into LF; nothing else is lost.
    assert '& "quoted"\nsecond line' in (failure.text or "")


def test_junit_parse_errors_are_errors_and_a_clean_run_is_a_passing_case() -> None:
    out = render("junit", make("RL000", message="syntax error"), make("RL301"))
    suite = ET.fromstring(out).find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("2", "1", "1")
    assert suite.find("testcase/error") is not None
    clean = ET.fromstring(render("junit", checked=3)).find("testsuite")
    assert clean is not None
    assert (clean.get("tests"), clean.get("failures"), clean.get("errors")) == ("1", "0", "0")
    (case,) = clean.findall("testcase")
    assert case.get("name") == "no problems (3 files)"
    assert case.find("failure") is None


def test_standard_input_is_quoted_from_what_was_read(project: Path) -> None:
    on_disk = json.loads(cli("--format", "json", "bad.py")[1])
    (project / "bad.py").write_text("# something else entirely\n" * 10)
    result = CliRunner().invoke(
        main, ["--format", "json", "--stdin-filename", "bad.py", "-"], input=BAD
    )
    from_stdin = json.loads(result.stdout)
    assert [i["fingerprint"] for i in from_stdin] == [i["fingerprint"] for i in on_disk]
    full = CliRunner().invoke(
        main, ["--format", "full", "--stdin-filename", "bad.py", "-"], input=BAD
    )
    assert '8 |     return r.keys("*")' in full.stdout
