"""Fuzzing: generated programs and mutated fixtures never crash redislint.

Two fuzzers, each with a small budget by default and ten times more with ``--run-slow``
(``REDISLINT_FUZZ_SCALE`` sets any multiple; see budget.py):

- hypothesmith programs (valid Python from the grammar, or from libcst's node types) with
  a known Redis finding appended: no internal error, the appended finding is reported,
  every finding lies inside its file, and one worker gives what two workers give.
- mutants of the rule fixtures and examples (bytes and tokens inserted, deleted,
  duplicated, swapped): only findings or RL000, never an internal error or a dead worker;
  RL000 only where CPython itself refuses the file or it cannot be decoded, or where
  libcst cannot parse it (counted); positions inside the file.

Counters go to figures.py (``REDISLINT_FIGURES=path`` writes them at the end).
"""

from __future__ import annotations

import difflib
import io
import random
import time
import tokenize
from pathlib import Path

import hypothesmith
from budget import examples, seconds, seed
from figures import count, note
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness import FIXTURES
from redislint.config import Config, enabled_codes
from redislint.diagnostics import Finding
from redislint.engine.runner import Runner
from redislint.engine.source import decode, source_lines
from redislint.semantic.pyparse import python_parse

ROOT = Path(__file__).resolve().parent.parent
SUFFIX = "\nimport redis as _fuzz_redis\n_fz = _fuzz_redis.Redis()\n_fz.keys('*')\n"
# RL000 messages that mean redislint failed, not the input.
FAILURES = ("internal error", "exited unexpectedly", "crashed", "cannot return the result")


def lint(directory: Path, jobs: int) -> list[Finding]:
    config = Config(root=directory)
    runner = Runner(config, enabled_codes(config), cwd=directory, jobs=jobs, timeout=60)
    return runner.run([directory]).findings


def check_positions(finding: Finding, directory: Path) -> None:
    """The range lies inside the file as Python numbers its lines and columns."""
    text = decode((directory / finding.path).read_bytes()).text
    if text is None:
        return  # RL000 for an undecodable file points at the bad byte
    lines = source_lines(text)
    for position in (finding.start, finding.end):
        assert 1 <= position.line <= len(lines), (finding, len(lines))
        assert 1 <= position.column <= len(lines[position.line - 1]) + 1, finding
    assert (finding.start.line, finding.start.column) <= (finding.end.line, finding.end.column)


def check_no_failure(finding: Finding) -> None:
    if finding.code == "RL000" and any(word in finding.message for word in FAILURES):
        note("failure", f"{finding.path}: {finding.message}")
        count("failures")
        raise AssertionError(f"redislint failed on {finding.path}: {finding.message}")


# -- hypothesmith --------------------------------------------------------------------------

PROGRAMS = st.one_of(hypothesmith.from_grammar(), hypothesmith.from_node())


def generate(count: int) -> list[str]:
    """``count`` programs from hypothesmith (hypothesis drives the generation)."""
    programs: list[str] = []

    @settings(
        max_examples=count,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    @given(PROGRAMS)
    def draw(program: str) -> None:
        programs.append(program)

    draw()
    return programs


def test_generated_programs(tmp_path: Path) -> None:
    programs = generate(examples(30))
    for i, program in enumerate(programs):
        (tmp_path / f"prog_{i}.py").write_text(program + SUFFIX, encoding="utf-8")
    serial = lint(tmp_path, jobs=1)
    assert lint(tmp_path, jobs=2) == serial
    count("generated programs", len(programs))
    count("generated findings", len(serial))
    by_file: dict[str, list[Finding]] = {}
    for finding in serial:
        by_file.setdefault(finding.path, []).append(finding)
        check_no_failure(finding)
        check_positions(finding, tmp_path)
    for i, program in enumerate(programs):
        found = by_file.get(f"prog_{i}.py", [])
        rl000 = [f for f in found if f.code == "RL000"]
        if rl000:
            # Valid Python by construction: only libcst's own limits may refuse it.
            assert "libcst cannot parse" in rl000[0].message, (rl000, program)
            count("generated: libcst cannot parse")
            note("libcst cannot parse a generated program", program)
            continue
        last = len(source_lines(program + SUFFIX)) - 1
        where = [(f.start.line, f.start.column, f.code) for f in found]
        assert (last, 1, "RL301") in where, f"the appended finding was lost:\n{program}"


# -- mutation ------------------------------------------------------------------------------

SEEDS = sorted((FIXTURES / "rules").glob("*.py")) + sorted((ROOT / "examples").glob("*.py"))
SEEDS_BY_NAME = {path.name: path for path in SEEDS}
INTERESTING = [
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ":",
    ",",
    ".",
    "=",
    "*",
    "**",
    "\\",
    "#",
    "'",
    '"',
    '"""',
    "\n",
    "\r",
    "\r\n",
    "\t",
    "    ",
    "\f",
    "\x00",
    "\ufeff",
    "é",
    "await ",
    "async ",
    "lambda: ",
    "yield ",
    "not ",
    " and ",
    "if ",
    "else ",
    "for ",
    "with ",
    "def f():\n",
    "class C:\n",
    "return ",
    "global r\n",
    "del r\n",
    "r = None\n",
    "import redis\n",
    "redis.Redis()",
    ".pipeline()",
    ".keys('*')",
    ".set('k', 1)",
    ", nx=True",
    ", ex=5",
    ".execute()",
    ".eval('return 1', 0)",
    "f'{x}'",
    "# noqa\n",
    "# redislint: ignore\n",
]


def tokens_of(text: str) -> list[str]:
    try:
        return [t.string for t in tokenize.generate_tokens(io.StringIO(text).readline) if t.string]
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return []


def mutate(data: bytes, tokens: list[str], rng: random.Random) -> bytes:
    for _ in range(rng.randint(1, 4)):
        kind = rng.randrange(7)
        at = rng.randrange(len(data) + 1)
        if kind == 0:  # insert a random byte
            data = data[:at] + bytes([rng.randrange(256)]) + data[at:]
        elif kind == 1 and data:  # delete a run of bytes
            data = data[:at] + data[at + rng.randint(1, 8) :]
        elif kind == 2:  # insert an interesting fragment
            data = data[:at] + rng.choice(INTERESTING).encode("utf-8") + data[at:]
        elif kind == 3 and tokens:  # insert a token of the file
            data = data[:at] + rng.choice(tokens).encode("utf-8") + data[at:]
        elif kind == 4 and tokens:  # delete every occurrence of one token on one line
            token = rng.choice(tokens).encode("utf-8")
            lines = data.split(b"\n")
            line = rng.randrange(len(lines))
            lines[line] = lines[line].replace(token, b"", 1)
            data = b"\n".join(lines)
        elif kind == 5:  # duplicate or drop a line
            lines = data.split(b"\n")
            line = rng.randrange(len(lines))
            if rng.random() < 0.5:
                lines.insert(line, lines[line])
            else:
                del lines[line]
            data = b"\n".join(lines)
        else:  # swap two lines
            lines = data.split(b"\n")
            a, b = rng.randrange(len(lines)), rng.randrange(len(lines))
            lines[a], lines[b] = lines[b], lines[a]
            data = b"\n".join(lines)
    return data


def changed(name: str, mutant: bytes, message: str) -> str:
    """The message and the mutated lines, for the figures' notes."""
    seed_text = (SEEDS_BY_NAME[name.split("_", 1)[1]]).read_text(encoding="utf-8")
    diff = difflib.unified_diff(
        seed_text.splitlines(), mutant.decode("utf-8", "replace").splitlines(), lineterm="", n=0
    )
    lines = [line for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    return f"{message} | " + " | ".join(repr(line) for line in lines[:6])


def python_accepts(data: bytes) -> bool:
    text = decode(data).text
    if text is None:
        return False
    try:
        python_parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def test_mutated_fixtures(tmp_path: Path) -> None:
    rng = random.Random(seed())
    originals = [(p.name, p.read_bytes()) for p in SEEDS]
    tokens = {name: tokens_of(data.decode("utf-8")) for name, data in originals}
    deadline = time.monotonic() + seconds(4)
    batch_number = 0
    while time.monotonic() < deadline or batch_number == 0:
        directory = tmp_path / f"batch_{batch_number}"
        directory.mkdir()
        mutants: dict[str, bytes] = {}
        for i in range(40):
            name, data = rng.choice(originals)
            mutant = mutate(data, tokens[name], rng)
            mutants[f"m{i}_{name}"] = mutant
            (directory / f"m{i}_{name}").write_bytes(mutant)
        found = lint(directory, jobs=2)
        if batch_number % 4 == 0:
            assert lint(directory, jobs=1) == found
        count("mutants", len(mutants))
        count("mutant findings", sum(f.code != "RL000" for f in found))
        rl000 = {f.path: f for f in found if f.code == "RL000"}
        count("mutants reported RL000", len(rl000))
        for finding in found:
            check_no_failure(finding)
            check_positions(finding, directory)
        for name, data in mutants.items():
            if name not in rl000:
                continue
            message = rl000[name].message
            if "libcst cannot parse" in message:
                count("mutants: libcst cannot parse, Python accepts")
                note("libcst cannot parse a mutant Python accepts", changed(name, data, message))
            elif python_accepts(data) and "nested too deeply" not in message:
                note("RL000 on a file Python accepts", changed(name, data, message))
                raise AssertionError(f"RL000 on valid Python: {changed(name, data, message)}")
        batch_number += 1
