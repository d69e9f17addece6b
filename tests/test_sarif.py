"""SARIF output: the official schema, Microsoft's validator with GitHub's rules, stable identity."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner
from tooling import ROOT, multitool_command, quoted, sarif_schema_path

from redislint import __version__
from redislint.cli import main
from redislint.diagnostics import Edit, Finding, Fix, Position, Severity
from redislint.engine.runner import RunResult
from redislint.report import ReportContext, get_reporter
from redislint.rules import ALL_RULES, BY_CODE
from redislint.rules.docs import rule_page

BAD = """import redis

r = redis.Redis()


def cache(uid, payload):
    r.set(f"user:{uid}", payload)
    return r.keys("*")
"""


def run_cli(*args: str, cwd: Path) -> str:
    old = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, list(args))
    finally:
        os.chdir(old)
    assert result.exit_code in (0, 1, 2), result.output
    return result.stdout


def examples_sarif() -> str:
    return run_cli("--format", "sarif", "examples", cwd=ROOT)


def finding(path: str, code: str, line: int, col: int, end_col: int, **kw: Any) -> Finding:
    rule = BY_CODE[code]
    return Finding(
        path=path,
        code=code,
        name=rule.name,
        severity=rule.severity,
        message=kw.pop("message", f"{rule.summary} (test)"),
        start=Position(line, col),
        end=Position(line, end_col),
        **kw,
    )


def synthetic_sarif(tmp_path: Path) -> str:
    """Every shape the format has: RL000, a fix, odd paths, every severity level."""
    fix = Fix(
        message="Give the key a TTL",
        edits=(Edit(Position(7, 33), Position(7, 33), ", ex=3600"),),
        safe=False,
    )
    info = Finding(
        path="pkg/ünï côde.py",
        code="RL001",
        name="unused-suppression",
        severity=Severity.INFO,
        message="unused noqa: 'RL101' & <nothing> \"quoted\"",
        start=Position(2, 1),
        end=Position(2, 15),
    )
    result = RunResult(
        findings=[
            finding("app.py", "RL101", 7, 5, 33, fix=fix),
            finding("broken.py", "RL000", 3, 7, 7, message="syntax error: invalid syntax"),
            info,
            finding(str(tmp_path / "outside.py"), "RL301", 8, 12, 23),
        ],
        files_checked=4,
    )
    codes = frozenset(r.code for r in ALL_RULES)
    context = ReportContext(codes=codes, cwd=tmp_path, sources={"app.py": BAD})
    return get_reporter("sarif")(result, context)


def schema_errors(text: str) -> list[str]:
    schema = json.loads(sarif_schema_path().read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(json.loads(text))
    ]


def multitool_problems(text: str, tmp_path: Path) -> list[str]:
    """Errors and warnings of `npx @microsoft/sarif-multitool validate --rule-kind "Sarif;Gh"`."""
    log = tmp_path / "checked.sarif"
    log.write_text(text, encoding="utf-8")
    report = tmp_path / "validation.sarif"
    # Invariant globalization: the tool then runs without libicu too.
    env = dict(os.environ, DOTNET_SYSTEM_GLOBALIZATION_INVARIANT="1", DOTNET_NOLOGO="1")
    arguments = [
        "validate",
        str(log),  # before the list-valued options, which would swallow it
        "--rule-kind",
        "Sarif;Gh",
        "--output",
        str(report),
        "--log",
        "ForceOverwrite",
    ]
    command, cwd = multitool_command()
    done = subprocess.run(
        [*command, *quoted(arguments)],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert report.is_file(), done.stdout + done.stderr
    validation = json.loads(report.read_text(encoding="utf-8"))
    problems = []
    for run in validation["runs"]:
        for notification in run.get("invocations", [{}])[0].get("toolExecutionNotifications", []):
            if notification.get("level", "warning") in ("error", "warning"):
                problems.append(f"tool: {notification['message'].get('text')}")
        for result in run.get("results", []):
            # A result without a level is a warning (SARIF §3.27.10).
            if result.get("level", "warning") in ("error", "warning"):
                problems.append(f"{result['ruleId']}: {result['message']}")
    # The console lines say the same in words; keep them for the failure message.
    assert not problems, "\n".join([*problems, done.stdout])
    return problems


def test_examples_carry_real_fixes() -> None:
    """The validator runs below see fixes made by rules, not only hand-made ones."""
    results = json.loads(examples_sarif())["runs"][0]["results"]
    fixed = {(r["ruleId"], r["fixes"][0]["properties"]["safe"]) for r in results if "fixes" in r}
    assert {("RL301", True), ("RL102", True), ("RL202", True), ("RL103", False)} <= fixed


def test_examples_validate_against_the_official_schema() -> None:
    assert schema_errors(examples_sarif()) == []


def test_every_shape_validates_against_the_official_schema(tmp_path: Path) -> None:
    assert schema_errors(synthetic_sarif(tmp_path)) == []


def test_the_schema_check_can_fail() -> None:
    log = json.loads(examples_sarif())
    log["runs"][0]["results"][0]["level"] = "fatal"
    assert schema_errors(json.dumps(log))


def test_examples_pass_the_multitool_with_github_rules(tmp_path: Path) -> None:
    multitool_problems(examples_sarif(), tmp_path)


def test_every_shape_passes_the_multitool_with_github_rules(tmp_path: Path) -> None:
    multitool_problems(synthetic_sarif(tmp_path), tmp_path)


def test_the_multitool_check_can_fail(tmp_path: Path) -> None:
    log = json.loads(examples_sarif())
    del log["runs"][0]["results"][0]["locations"]
    with pytest.raises(AssertionError, match="GH"):
        multitool_problems(json.dumps(log), tmp_path)


def test_driver_and_rules(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text(BAD)
    log = json.loads(run_cli("--format", "sarif", "--ignore", "RL501", ".", cwd=tmp_path))
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "redislint"
    assert driver["version"] == driver["semanticVersion"] == __version__
    assert driver["informationUri"].startswith("https://")
    ids = [r["id"] for r in driver["rules"]]
    enabled = [r.code for r in ALL_RULES if r.default_enabled and r.code != "RL501"]
    assert ids == enabled
    for descriptor in driver["rules"]:
        rule = BY_CODE[descriptor["id"]]
        assert descriptor["name"] == rule.name
        assert descriptor["helpUri"] == rule.doc_url()
        assert descriptor["help"]["markdown"].startswith(f"# {rule.code} {rule.name}\n")
        # the rule page, with its relative links made absolute
        assert len(descriptor["help"]["markdown"]) >= len(rule_page(rule))
        assert "](../" not in descriptor["help"]["markdown"]
        assert descriptor["help"]["text"]
        assert descriptor["properties"] == {"tags": list(rule.tags), "precision": rule.precision}
        level = {"error": "error", "warning": "warning", "info": "note"}[rule.severity.value]
        assert descriptor["defaultConfiguration"] == {"level": level}
    assert run["columnKind"] == "unicodeCodePoints"
    assert "%SRCROOT%" in run["originalUriBaseIds"]
    assert run["invocations"] == [{"executionSuccessful": True}]
    results = run["results"]
    assert [r["ruleId"] for r in results] == ["RL101", "RL301"]
    for result in results:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        severity = BY_CODE[result["ruleId"]].severity.value
        assert result["level"] == {"error": "error", "warning": "warning"}[severity]
        assert result["message"]["text"].endswith(".")
    location = results[0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "bad.py", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 7, "startColumn": 5, "endLine": 7, "endColumn": 34}


def test_parse_errors_are_results_and_notifications(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("import redis\nr = redis.Redis(\n")
    log = json.loads(run_cli("--format", "sarif", ".", cwd=tmp_path))
    run = log["runs"][0]
    assert [r["ruleId"] for r in run["results"]] == ["RL000"]
    (invocation,) = run["invocations"]
    assert invocation["executionSuccessful"] is True
    (note,) = invocation["toolExecutionNotifications"]
    assert note["level"] == "error"
    assert note["associatedRule"]["id"] == "RL000"
    rules = run["tool"]["driver"]["rules"]
    assert rules[note["associatedRule"]["index"]]["id"] == "RL000"
    assert note["message"]["text"].startswith("broken.py: syntax error")
    assert note["locations"] == run["results"][0]["locations"]


def test_fix_is_a_sarif_fix(tmp_path: Path) -> None:
    log = json.loads(synthetic_sarif(tmp_path))
    results = log["runs"][0]["results"]
    (fixed,) = [r for r in results if "fixes" in r]
    assert fixed["ruleId"] == "RL101"
    assert fixed["fixes"] == [
        {
            "description": {"text": "Give the key a TTL."},
            "artifactChanges": [
                {
                    "artifactLocation": {"uri": "app.py", "uriBaseId": "%SRCROOT%"},
                    "replacements": [
                        {
                            "deletedRegion": {
                                "startLine": 7,
                                "startColumn": 33,
                                "endLine": 7,
                                "endColumn": 33,
                            },
                            "insertedContent": {"text": ", ex=3600"},
                        }
                    ],
                }
            ],
            "properties": {"safe": False},
        }
    ]


def test_paths_become_uris(tmp_path: Path) -> None:
    log = json.loads(synthetic_sarif(tmp_path))
    uris = [
        r["locations"][0]["physicalLocation"]["artifactLocation"] for r in log["runs"][0]["results"]
    ]
    assert {"uri": "pkg/%C3%BCn%C3%AF%20c%C3%B4de.py", "uriBaseId": "%SRCROOT%"} in uris
    assert {"uri": (tmp_path / "outside.py").as_uri()} in uris
    levels = {r["ruleId"]: r["level"] for r in log["runs"][0]["results"]}
    assert levels["RL001"] == "note"


def fingerprints_of(text: str) -> list[str]:
    return [
        r["partialFingerprints"]["redislint/v1"] for r in json.loads(text)["runs"][0]["results"]
    ]


def test_fingerprints_survive_lines_added_above(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text(BAD)
    before = fingerprints_of(run_cli("--format", "sarif", ".", cwd=tmp_path))
    shifted = BAD.replace("import redis\n", "import redis\nimport os\n\n\n# a comment\n", 1)
    shifted = shifted.replace("def cache", "def unrelated():\n    return 1\n\n\ndef cache")
    (tmp_path / "bad.py").write_text(shifted)
    after_text = run_cli("--format", "sarif", ".", cwd=tmp_path)
    lines = [
        r["locations"][0]["physicalLocation"]["region"]["startLine"]
        for r in json.loads(after_text)["runs"][0]["results"]
    ]
    assert lines == [15, 16]  # moved by eight lines
    assert fingerprints_of(after_text) == before
    assert len(set(before)) == 2


def test_fingerprints_tell_repeated_code_apart(tmp_path: Path) -> None:
    body = "import redis\nr = redis.Redis()\nr.keys('*')\nr.keys('*')\n"
    (tmp_path / "a.py").write_text(body)
    (tmp_path / "b.py").write_text(body)
    prints = fingerprints_of(run_cli("--format", "sarif", ".", cwd=tmp_path))
    assert len(prints) == 4
    assert len(set(prints)) == 4


def test_output_is_deterministic(tmp_path: Path) -> None:
    first = examples_sarif()
    assert first == examples_sarif()
    assert synthetic_sarif(tmp_path) == synthetic_sarif(tmp_path)


def test_output_file(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text(BAD)
    out = run_cli("--format", "sarif", "--output", "out.sarif", "--exit-zero", ".", cwd=tmp_path)
    assert out == ""
    written = (tmp_path / "out.sarif").read_text(encoding="utf-8")
    assert [r["ruleId"] for r in json.loads(written)["runs"][0]["results"]] == ["RL101", "RL301"]
