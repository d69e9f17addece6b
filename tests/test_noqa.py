"""``--add-noqa``, ``--report-unused-noqa`` (RL001) and where a suppression comment goes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from redislint.cli import main
from redislint.engine.suppressions import comment_map

HEAD = "import redis\n\nr = redis.Redis()\n\n\ndef f(uid, v):\n"


def invoke(cwd: Path, *args: str) -> tuple[int, str, str]:
    old = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, ["--no-cache", "--format", "concise", *args])
    finally:
        os.chdir(old)
    return result.exit_code, result.stdout, result.stderr


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "app.py"
    path.write_text(HEAD + body)
    return path


# -- where comments go ----------------------------------------------------------------


def test_comment_lines_of_strings_and_continuations() -> None:
    text = 'x = """a\nb\n""" + \\\n    y  # c\nz = 1 + \\\n    2\ns = "# noqa"\n'
    found = comment_map(text)
    assert [found.target(line) for line in range(1, 8)] == [4, 4, 4, 4, 6, 6, 7]
    assert found.comments == {4: (7, "# c")}


def test_a_finding_in_a_multiline_string_is_suppressed_where_the_string_ends(
    tmp_path: Path,
) -> None:
    write(
        tmp_path,
        '    return r.eval("""\n'
        "        return redis.call('KEYS', '*')\n"
        '    """, 0)  # noqa: RL301\n',
    )
    assert invoke(tmp_path, "--select", "RL301", "app.py")[0] == 0


def test_a_continued_line_is_suppressed_where_it_ends(tmp_path: Path) -> None:
    write(tmp_path, "    x = r.keys('*') + \\\n        []  # noqa: RL301\n    return x\n")
    assert invoke(tmp_path, "app.py")[0] == 0


# -- --add-noqa ---------------------------------------------------------------------------

BODY = """    r.keys("*")  # noqa: E501
    x = r.keys("a*") + \\
        []
    r.keys("b*")  # redislint: ignore[RL101]
    r.keys("c*")  # type: ignore
    r.eval(\"\"\"
      return redis.call('KEYS', ARGV[1])
    \"\"\", 0)
    r.set(f"cache:{uid}", v)
    r.keys("d*"); r.set(f"cache:{uid}:2", v)
    s = "# noqa: RL101"
    return x
"""

ADDED = """    r.keys("*")  # noqa: E501, RL301
    x = r.keys("a*") + \\
        []  # noqa: RL301
    r.keys("b*")  # redislint: ignore[RL101, RL301]
    r.keys("c*")  # type: ignore  # noqa: RL301
    r.eval(\"\"\"
      return redis.call('KEYS', ARGV[1])
    \"\"\", 0)  # noqa: RL301
    r.set(f"cache:{uid}", v)  # noqa: RL101
    r.keys("d*"); r.set(f"cache:{uid}:2", v)  # noqa: RL101, RL301
    s = "# noqa: RL101"
    return x
"""


def test_add_noqa(tmp_path: Path) -> None:
    path = write(tmp_path, BODY)
    select = ("--select", "RL101,RL301")
    code, out, err = invoke(tmp_path, *select, "--add-noqa", "app.py")
    assert (code, out) == (0, "")
    assert err.strip() == "Added 7 noqa comments."
    assert path.read_text() == HEAD + ADDED
    code, out, _ = invoke(tmp_path, *select, "app.py")
    assert code == 0, out
    code, _, err = invoke(tmp_path, *select, "--add-noqa", "app.py")
    assert err.strip() == "Added 0 noqa comments."
    assert path.read_text() == HEAD + ADDED


def test_add_noqa_keeps_crlf(tmp_path: Path) -> None:
    path = tmp_path / "app.py"
    path.write_bytes((HEAD + '    r.keys("*")\n').replace("\n", "\r\n").encode())
    invoke(tmp_path, "--add-noqa", "app.py")
    assert path.read_bytes().endswith(b'    r.keys("*")  # noqa: RL301\r\n')


# -- --report-unused-noqa -----------------------------------------------------------------

UNUSED = """    r.keys("*")  # noqa: RL301
    r.set(f"cache:{uid}", v, ex=5)  # noqa: RL101
    r.get("k")  # noqa: RL101, E501
    r.get("k")  # noqa: RL101 kept for the migration
    r.get("k")  # noqa: RL999
    r.get("k")  # redislint: ignore[keys-command]
    r.get("k")  # redislint: ignore
    r.get("k")  # noqa: E501
    r.get("k")  # noqa
    r.get("k")  # noqa: RL303
    s = "text # noqa: RL101"
"""


def test_report_unused_noqa(tmp_path: Path) -> None:
    write(tmp_path, UNUSED)
    code, out, _ = invoke(tmp_path, "--report-unused-noqa", "app.py")
    assert code == 1
    found = [line.split(": ", 1)[0] + " " + line.split(" ", 2)[2] for line in out.splitlines()[:-2]]
    assert found == [
        "app.py:8:37 `# noqa` suppresses nothing: no RL101 finding on this line; remove it",
        "app.py:9:17 RL101 in `# noqa` suppresses nothing: no RL101 finding on this line",
        "app.py:10:17 `# noqa` suppresses nothing: no RL101 finding on this line; remove it",
        "app.py:11:17 `# noqa` suppresses nothing: RL999 is not a redislint code; remove it",
        "app.py:12:17 `# redislint: ignore` suppresses nothing: "
        "no RL301 finding on this line; remove it",
        "app.py:13:17 `# redislint: ignore` suppresses nothing on this line; remove it",
    ]
    assert all(": RL001 " in line for line in out.splitlines()[:-2])


def test_without_the_option_nothing_is_reported(tmp_path: Path) -> None:
    write(tmp_path, UNUSED)
    assert invoke(tmp_path, "app.py")[0] == 0


def test_the_unused_noqa_fix(tmp_path: Path) -> None:
    path = write(tmp_path, UNUSED)
    code, _, _ = invoke(tmp_path, "--report-unused-noqa", "--fix", "app.py")
    assert code == 0
    assert path.read_text() == HEAD + (
        """    r.keys("*")  # noqa: RL301
    r.set(f"cache:{uid}", v, ex=5)
    r.get("k")  # noqa: E501
    r.get("k")  # kept for the migration
    r.get("k")
    r.get("k")
    r.get("k")
    r.get("k")  # noqa: E501
    r.get("k")  # noqa
    r.get("k")  # noqa: RL303
    s = "text # noqa: RL101"
"""
    )


@pytest.mark.parametrize(
    ("select", "reported"),
    [("RL301,RL001", False), ("RL101,RL001", True)],
)
def test_codes_of_rules_that_are_off_are_not_judged(
    tmp_path: Path, select: str, reported: bool
) -> None:
    write(tmp_path, '    r.get("k")  # noqa: RL101\n')
    code, out, _ = invoke(tmp_path, "--select", select, "app.py")
    assert (": RL001 " in out) is reported
    assert code == (1 if reported else 0)


def test_a_suppression_used_by_a_tree_wide_finding(tmp_path: Path) -> None:
    """RL503 reports an unacknowledged stream only if no module acks it; the noqa that
    silences it is unused only when the other module does."""
    (tmp_path / "consumer.py").write_text(
        HEAD + '    return r.xreadgroup("g", "c", {"jobs": ">"})  # noqa: RL503\n'
    )
    code, out, _ = invoke(tmp_path, "--report-unused-noqa", ".")
    assert code == 0, out
    (tmp_path / "acker.py").write_text(HEAD + '    r.xack("jobs", "g", uid)\n')
    code, out, _ = invoke(tmp_path, "--report-unused-noqa", ".")
    assert code == 1
    assert out.startswith("consumer.py:7:51: RL001 `# noqa` suppresses nothing")


def test_add_noqa_in_redis_conf(tmp_path: Path) -> None:
    """Comments in redis.conf are whole lines: the noqa goes on a line above."""
    conf = tmp_path / "redis.conf"
    conf.write_text("port 6379\n# memory\n# noqa: RL999\nmaxmemory 0\nbind 0.0.0.0\n")
    code, _, err = invoke(tmp_path, "--add-noqa", "redis.conf")
    assert code == 0
    assert conf.read_text() == (
        "port 6379\n# memory\n# noqa: RL999, RL901\nmaxmemory 0\n# noqa: RL905\nbind 0.0.0.0\n"
    )
    assert err.strip() == "Added 2 noqa comments."
    assert invoke(tmp_path, "redis.conf")[0] == 0


def test_add_noqa_needs_files(tmp_path: Path) -> None:
    code, _, err = invoke(tmp_path, "--add-noqa", "-")
    assert code == 2
    assert "--add-noqa needs files" in err
