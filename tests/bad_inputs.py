"""The catalog of bad inputs: what each one is, how to make it, and what redislint must say.

``tests/test_bad_input.py`` runs every case through the real command line next to a good
file whose finding must still be reported; ``docs/reliability.md`` lists the same cases
(``tests/test_reliability_doc.py`` checks that the two agree).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REDIS = "import redis\nr = redis.Redis()\n"
KEYS = 'r.keys("*")'  # RL301 at its first column


@dataclass(frozen=True)
class Expect:
    """A finding: where, which code, and a part of its message."""

    path: str
    line: int
    column: int
    code: str
    message: str = ""


@dataclass(frozen=True)
class Case:
    id: str
    what: str  # one line for docs/reliability.md
    build: Callable[[Path], list[str]]  # makes files under a directory, returns the CLI paths
    expect: tuple[Expect, ...] = ()
    exit_code: int = 1  # with the companion file's finding
    skipped: tuple[str, ...] = ()  # warnings on standard error
    extra_args: tuple[str, ...] = field(default=())
    slow: bool = False  # run with --run-slow only


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def one(name: str, data: bytes | str) -> Callable[[Path], list[str]]:
    def build(root: Path) -> list[str]:
        write(root / name, data)
        return [name]

    return build


def _rl000(path: str, line: int, column: int, message: str) -> tuple[Expect, ...]:
    return (Expect(path, line, column, "RL000", message),)


def _deep_parens(depth: int) -> str:
    return REDIS + "x = " + "(" * depth + "1" + ")" * depth + "\n" + KEYS + "\n"


def _symlink(target: str, name: str) -> Callable[[Path], list[str]]:
    def build(root: Path) -> list[str]:
        (root / name).symlink_to(target)
        return [name]

    return build


def _symlink_loop(root: Path) -> list[str]:
    (root / "loop_a.py").symlink_to("loop_b.py")
    (root / "loop_b.py").symlink_to("loop_a.py")
    return ["loop_a.py"]


def _links_in_a_directory(root: Path) -> list[str]:
    tree = root / "tree"
    write(tree / "real.py", REDIS + KEYS + "\n")
    (tree / "broken.py").symlink_to("missing.py")
    (tree / "loop_a.py").symlink_to("loop_b.py")
    (tree / "loop_b.py").symlink_to("loop_a.py")
    (tree / "parent").symlink_to("..")  # a directory loop: never followed
    (tree / "zero.py").symlink_to("/dev/zero")  # reading it would never end
    return ["tree"]


def _spaces_and_unicode(root: Path) -> list[str]:
    write(root / "dir with space" / "ünïcødé 日本 file.py", REDIS + KEYS + "\n")
    return ["dir with space"]


def _undecodable_name(root: Path) -> list[str]:
    name = os.fsdecode(b"caf\xe9.py")  # latin-1 bytes: not UTF-8
    write(root / name, REDIS + KEYS + "\n")
    return ["."]


def _control_characters_in_name(root: Path) -> list[str]:
    write(root / "a\x1b[2Jb\nc.py", REDIS + KEYS + "\n")
    return ["."]


CASES: list[Case] = [
    Case(
        "syntax-error",
        "a syntax error: CPython's message and position",
        one("bad.py", REDIS + "def f(:\n    pass\n"),
        _rl000("bad.py", 3, 7, "syntax error: invalid syntax"),
        exit_code=2,
    ),
    Case(
        "python2-print",
        "Python 2 code: a print statement",
        one("py2.py", REDIS + 'print "hello"\n'),
        _rl000("py2.py", 3, 1, "Missing parentheses in call to 'print'"),
        exit_code=2,
    ),
    Case(
        "python2-except",
        "Python 2 code: `except E, e:` and backticks",
        one("py2.py", REDIS + "try:\n    pass\nexcept Exception, e:\n    `e`\n"),
        _rl000("py2.py", 5, 8, "multiple exception types must be parenthesized"),
        exit_code=2,
    ),
    Case(
        "nul-byte",
        "a NUL byte (a binary file with a .py name)",
        one("nul.py", REDIS.encode() + b"x = 1\x00\n"),
        _rl000("nul.py", 3, 6, "NUL byte"),
        exit_code=2,
    ),
    Case(
        "invalid-utf8",
        "invalid UTF-8 without a coding cookie (column in characters, not bytes)",
        one("latin.py", REDIS.encode() + 's = "\xc3\xa9\xff"\n'.encode("latin-1")),
        _rl000("latin.py", 3, 7, "invalid utf-8 byte sequence"),
        exit_code=2,
    ),
    Case(
        "invalid-utf8-cookie",
        "invalid UTF-8 under a `coding: utf-8` cookie",
        one("cookie.py", b"# -*- coding: utf-8 -*-\n" + REDIS.encode() + b's = "\xff"\n'),
        _rl000("cookie.py", 4, 6, "invalid utf-8 byte sequence"),
        exit_code=2,
    ),
    Case(
        "unknown-cookie",
        "a coding cookie naming an unknown encoding",
        one("klingon.py", "# coding: klingon\n" + REDIS),
        _rl000("klingon.py", 1, 1, "unknown encoding"),
        exit_code=2,
    ),
    Case(
        "latin1-cookie",
        "a latin-1 cookie with non-ASCII text before the finding (columns in characters)",
        one(
            "latin1.py",
            ("# -*- coding: latin-1 -*-\n" + REDIS + 's = "ééé"; ' + KEYS + "\n").encode("latin-1"),
        ),
        (Expect("latin1.py", 4, 12, "RL301"),),
    ),
    Case(
        "bom",
        "a UTF-8 byte order mark (not counted as a column)",
        one("bom.py", b"\xef\xbb\xbfimport redis; " + b'redis.Redis().keys("*")\n'),
        (Expect("bom.py", 1, 15, "RL301"),),
    ),
    Case(
        "bom-with-other-cookie",
        "a byte order mark contradicted by a latin-1 cookie",
        one("bomcookie.py", b"\xef\xbb\xbf# coding: latin-1\n" + REDIS.encode()),
        _rl000("bomcookie.py", 1, 1, "encoding"),
        exit_code=2,
    ),
    Case(
        "crlf",
        "CRLF line endings (positions and a noqa on a CRLF line)",
        one(
            "crlf.py", (REDIS + "x = 1\n" + KEYS + "  # noqa\n" + KEYS + "\n").replace("\n", "\r\n")
        ),
        (Expect("crlf.py", 5, 1, "RL301"),),
    ),
    Case(
        "lone-cr",
        "lone CR line endings (old Mac): lines, noqa and ignore-file markers",
        one("cr.py", (REDIS + "x = 1\n" + KEYS + "  # noqa\n" + KEYS + "\n").replace("\n", "\r")),
        (Expect("cr.py", 5, 1, "RL301"),),
    ),
    Case(
        "mixed-line-endings",
        "LF, CRLF and CR in one file",
        one("mixed.py", "import redis\r\nr = redis.Redis()\rx = 1\n" + KEYS + "\r\n"),
        (Expect("mixed.py", 4, 1, "RL301"),),
    ),
    Case(
        "tabs",
        "tabs before a finding (a tab is one column, as in flake8 and ruff)",
        one("tabs.py", REDIS + "if r:\n\tx = 1;\t" + KEYS + "\n"),
        (Expect("tabs.py", 4, 9, "RL301"),),
    ),
    Case(
        "form-feed-and-separators",
        "form feeds, \\x1c and U+2028 inside lines (str.splitlines() would split there)",
        one(
            "ff.py",
            REDIS + "\f" + KEYS + "  # noqa\n" + "s = 'a\u2028b\x1cc\x0bd'\n" + KEYS + "\n",
        ),
        (Expect("ff.py", 5, 1, "RL301"),),
    ),
    Case("empty", "an empty file", one("empty.py", b""), exit_code=1),
    Case(
        "comment-only",
        "a file of comments that mention redis",
        one("comments.py", "# redis notes\n# r.keys('*')\n"),
    ),
    Case("whitespace-only", "blank lines, spaces and a form feed", one("ws.py", "\n  \n\f\n\t\n")),
    Case(
        "large-10mb",
        "a 10 MB file (a big literal) with a finding at its end",
        one("big.py", REDIS + 'DATA = """' + ("x" * 99 + "\n") * 105_000 + '"""\n' + KEYS + "\n"),
        (Expect("big.py", 105_004, 1, "RL301"),),
    ),
    Case(
        "too-large",
        "a file over the 20 MB limit",
        one("huge.py", REDIS + "# " + "x" * (21 * 1024 * 1024) + "\n"),
        _rl000("huge.py", 1, 1, "larger than 20 MB"),
        exit_code=2,
    ),
    Case(
        "lines-200k",
        "a 200,000-line file (comment lines) with a finding on its last line",
        one("long.py", REDIS + "# a comment line\n" * 200_000 + KEYS + "\n"),
        (Expect("long.py", 200_003, 1, "RL301"),),
    ),
    Case(
        "lines-200k-code",
        "a 200,000-line list literal with a finding after it",
        one("long.py", REDIS + "x = [\n" + "    1,\n" * 200_000 + "]\n" + KEYS + "\n"),
        (Expect("long.py", 200_005, 1, "RL301"),),
        slow=True,
    ),
    Case(
        "code-10mb",
        "10 MB of statements (110,000 lines) with a finding at the end",
        one("code.py", REDIS + ("x = 'a'  # " + "y" * 80 + "\n") * 110_000 + KEYS + "\n"),
        (Expect("code.py", 110_003, 1, "RL301"),),
        slow=True,
    ),
    Case(
        "nested-1000",
        "1,000-deep nested brackets (over CPython's limit of 200: not Python)",
        one("deep.py", _deep_parens(1000)),
        _rl000("deep.py", 3, 205, "too many nested parentheses"),
        exit_code=2,
    ),
    Case(
        "nested-100k",
        "100,000-deep nested brackets (once a crash of libcst's native parser)",
        one("deeper.py", _deep_parens(100_000)),
        _rl000("deeper.py", 3, 205, "too many nested parentheses"),
        exit_code=2,
    ),
    Case(
        "nested-2900",
        "2,900 nested `not`: valid Python near CPython's limit, checked",
        one("nots.py", REDIS + "x = " + "not " * 2900 + "1\n" + KEYS + "\n"),
        (Expect("nots.py", 4, 1, "RL301"),),
    ),
    Case(
        "nested-too-deep",
        "a 200,000-term `1 + 1 + ...` (too deep for CPython's parser)",
        one("sum.py", REDIS + "x = " + "+".join(["1"] * 200_000) + "\n" + KEYS + "\n"),
        _rl000("sum.py", 1, 1, "nested too deeply for Python's parser"),
        exit_code=2,
    ),
    Case(
        "native-crash",
        "a 20,000-term `and` chain: valid Python that overflows libcst's native stack",
        one("chain.py", REDIS + "x = " + " and ".join(["a"] * 20_000) + "\n" + KEYS + "\n"),
        _rl000("chain.py", 1, 1, "the analysis crashed (SIGSEGV)"),
        exit_code=2,
    ),
    Case(
        "libcst-limit",
        "5,000 adjacent string literals: valid Python libcst cannot parse",
        one("strings.py", REDIS + "x = " + " ".join(["'a'"] * 5000) + "\n" + KEYS + "\n"),
        _rl000("strings.py", 4, 1, "libcst cannot parse this file, which Python accepts"),
        exit_code=2,
    ),
    Case(
        "libcst-mixed-tabs",
        "a tab between spaces in an indentation Python accepts (tab stops of 8), libcst not",
        one("tabs8.py", REDIS + "def f():\n    if r:\n   \t     r.get('k')\n    return 2\n"),
        _rl000("tabs8.py", 1, 1, "libcst cannot parse this file, which Python accepts"),
        exit_code=2,
    ),
    Case(
        "libcst-validation",
        "`return* x`: Python accepts it and libcst's node validation would refuse it; "
        "redislint parses without that validation and checks the file",
        one("star.py", REDIS + "def f():\n    return* r.keys('*')\n"),
        (Expect("star.py", 4, 13, "RL301", "keys()"),),
    ),
    Case(
        "long-line",
        "a 1 MB line (a string literal) with a finding at its end",
        one("wide.py", REDIS + 'x = "' + "a" * 1_000_000 + '"; ' + KEYS + "\n"),
        (Expect("wide.py", 3, 1_000_009, "RL301"),),
    ),
    Case(
        "long-line-code",
        "a 1 MB line of code (a 350,000-element list) with a finding at its end",
        one("wide.py", REDIS + "x = [" + "1, " * 350_000 + "]; " + KEYS + "\n"),
        (Expect("wide.py", 3, 1_050_009, "RL301"),),
        slow=True,
    ),
    Case(
        "broken-symlink",
        "a broken symlink named on the command line",
        _symlink("missing.py", "broken.py"),
        _rl000("broken.py", 1, 1, "broken symbolic link"),
        exit_code=2,
    ),
    Case(
        "symlink-loop",
        "a symlink loop named on the command line",
        _symlink_loop,
        _rl000("loop_a.py", 1, 1, "symbolic link loop"),
        exit_code=2,
    ),
    Case(
        "links-in-a-tree",
        "broken links, link loops, a link to `..` and to /dev/zero inside a directory: skipped",
        _links_in_a_directory,
        (Expect("tree/real.py", 3, 1, "RL301"),),
    ),
    Case(
        "device",
        "a device file named on the command line (/dev/zero): skipped, never read",
        _symlink("/dev/zero", "zero.py"),
        skipped=("zero.py: not a regular file",),
    ),
    Case(
        "missing",
        "a path that does not exist",
        lambda root: ["nowhere.py"],
        _rl000("nowhere.py", 1, 1, "no such file or directory"),
        exit_code=2,
    ),
    Case(
        "spaces-and-unicode",
        "a path with spaces and non-ASCII characters",
        _spaces_and_unicode,
        (Expect("dir with space/ünïcødé 日本 file.py", 3, 1, "RL301"),),
    ),
    Case(
        "undecodable-name",
        "a file name that is not UTF-8 (shown as `\\xe9`)",
        _undecodable_name,
        (Expect("caf\\xe9.py", 3, 1, "RL301"),),
    ),
    Case(
        "control-characters-in-name",
        "a file name with an escape sequence and a newline",
        _control_characters_in_name,
        (Expect("a\x1b[2Jb\nc.py", 3, 1, "RL301"),),
    ),
    Case(
        "not-python",
        "a text file named explicitly",
        one("notes.txt", "Shopping list: redis, milk { eggs\n"),
        _rl000("notes.txt", 1, 10, "syntax error"),
        exit_code=2,
    ),
    Case(
        "binary",
        "a compiled .pyc named explicitly",
        one("module.pyc", b"\xa7\r\r\n\x00\x00\x00\x00redis"),
        _rl000("module.pyc", 1, 1, "cannot determine the file's encoding"),
        exit_code=2,
    ),
]
