#!/usr/bin/env python3
"""Recall of redislint on the real-world corpora, from the judgements in bench/census.tsv.

Usage: python bench/census.py [--write] [--worksheet DIR] [--merge TSV...] [--cache DIR]

Precision asks "is each finding right?" (bench/precision.py); this asks the other half:
"of the misuse that is there, how much is found?". For every default rule it lists every
call site (or string literal, or loop) in the two corpora whose shape belongs to the rule
(every `.keys(` call, every `.set(` without an expiry argument, every write after a read
of the same key text in one function, every `.publish(`...), found with the standard
library's `ast` and *without* redislint's recognition: the receiver may be a dict, Django's
cache or an HTTP client. Each candidate is judged once, by a person reading the code, in
bench/census.tsv:

- `misuse`: a Redis call the rule describes (the rule should report it);
- `fine`: a Redis call that the rule's "does not trigger" column covers;
- `not-redis`: the receiver is not a Redis object.

Recall per rule = candidates judged `misuse` that redislint reports / all `misuse`.
Candidates judged `fine` or `not-redis` that it reports are false positives.

The files looked at are the Redis-touching files: those whose code names a Redis library
or client (`redis`, `valkey`, `aioredis`, `walrus`, `rq`, `django_redis`, `coredis`,
`fakeredis`, `get_redis_connection`). A client that reaches a file that names none of them
(through an import from another module of the tree) is outside the census.

--worksheet DIR writes, for the candidates without a judgement, one TSV per package with
the code around each (for the people judging); --merge adds their judged rows (the
worksheet's row completed with verdict and reason) to bench/census.tsv. --write puts the tables into
docs/precision.md between the census markers. tests/test_census.py fails when a
candidate has no judgement.
"""

from __future__ import annotations

import argparse
import ast
import csv
import hashlib
import os
import re
import subprocess
import sys
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
JUDGED = HERE / "census.tsv"
DOC = ROOT / "docs" / "precision.md"
START, END = "<!-- census:start -->", "<!-- census:end -->"
CORPORA = ("corpus", "apps")
VERDICTS = ("misuse", "fine", "not-redis")
CARD_RULES = ("RL101", "RL201", "RL202", "RL301", "RL501")
# Rules whose shape is common outside Redis (a command in a loop, an un-awaited call in a
# coroutine, ``.save()``): one candidate in N is judged, chosen by a hash of its place, so
# the sample is the same on every run and a new candidate joins it or not by itself.
SAMPLED = {
    "RL101": 2, "RL301": 2, "RL802": 48, "RL805": 20, "RL602": 6, "RL801": 6, "RL803": 4,
    "RL702": 3,
}  # fmt: skip

_TOKEN = re.compile(
    r"\b(?:redis|valkey|aioredis|walrus|rq|django_redis|coredis|fakeredis|redis_om)\b"
    r"|get_redis_connection",
    re.IGNORECASE,
)
_SKIP_DIRS = {".git", "node_modules", "__pycache__", ".tox", ".venv", "venv"}


@dataclass(frozen=True)
class Candidate:
    """One place whose shape belongs to a rule. ``line``..``end_line``: where a finding
    counts as reporting it (a Lua call inside a string literal is reported inside it)."""

    path: str  # corpus-relative: "<corpus>/<package>/..."
    line: int
    column: int  # 1-based
    rule: str
    what: str  # the method, or "lua", "url", "loop"...
    end_line: int

    @property
    def key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.rule)

    @property
    def sampled(self) -> bool:
        every = SAMPLED.get(self.rule, 1)
        digest = hashlib.sha1(f"{self.path}:{self.line}:{self.column}".encode()).digest()
        return int.from_bytes(digest[:4], "big") % every == 0


@dataclass(frozen=True)
class Judgement:
    verdict: str
    reason: str


# -- what belongs to each rule -------------------------------------------------------------
_EXPIRY_KW = {"ex", "px", "exat", "pxat", "keepttl"}
_READS = {
    "get", "hget", "hmget", "hgetall", "lindex", "lrange", "zscore", "smembers", "exists",
    "hexists", "sismember", "type", "scard", "llen", "zrange", "hkeys", "hvals", "hlen",
}  # fmt: skip
_WRITES = {
    "set", "setex", "psetex", "hset", "hmset", "hsetnx", "lpush", "rpush", "sadd", "zadd",
    "delete", "srem", "hdel", "lrem", "zrem", "incr", "incrby", "hincrby", "append", "lset",
    "rename", "mset", "expire",
}  # fmt: skip
_TIME_WORDS = re.compile(
    r"rate|limit|throttle|window|minute|hour|day|time\(|now\(|// *60|strftime", re.IGNORECASE
)
_POPS = {"rpop", "lpop", "brpop", "blpop"}
_POLLS = {"rpop", "lpop", "xread", "xreadgroup", "get_message"}
_CONSTRUCTORS = {
    "Redis", "StrictRedis", "RedisCluster", "Valkey", "StrictValkey", "ValkeyCluster",
    "from_url", "ConnectionPool", "BlockingConnectionPool", "Sentinel",
}  # fmt: skip
_LARGE = re.compile(r"\.read\(\)|read_bytes\(|read_text\(|\.content\b|\.body\b")
_URL = re.compile(r"^rediss?://", re.IGNORECASE)


def _text(node: ast.AST | None) -> str:
    return "" if node is None else ast.unparse(node)


def _kw(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _true(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def _is_none(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _has_expiry(call: ast.Call) -> bool:
    """Whether a ``set()`` call is given an expiry (keyword, or ``ex`` positionally)."""
    if any(not _is_none(_kw(call, k)) for k in _EXPIRY_KW if _kw(call, k) is not None):
        return True
    return len(call.args) >= 3 and not _is_none(call.args[2])


def _first(call: ast.Call) -> str:
    if call.args:
        return _text(call.args[0])
    name = _kw(call, "name") or _kw(call, "key")
    return _text(name)


class _Function:
    """The calls of one function (or module) body, in source order, nested functions apart."""

    def __init__(self, body: list[ast.stmt], is_async: bool) -> None:
        self.calls: list[tuple[ast.Call, str]] = []  # (call, method) of x.method(...)
        self.loops: list[tuple[ast.Call, str, bool]] = []  # in a for/comprehension body, while
        self.discarded: list[ast.Call] = []  # expression statements
        self.is_async = is_async
        for stmt in body:
            self._visit(stmt, 0, False)

    def _visit(self, node: ast.AST, in_for: int, in_while: bool) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            return
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            self.discarded.append(node.value)
        if isinstance(node, ast.For | ast.AsyncFor):
            self._visit(node.iter, in_for, in_while)
            self._visit(node.target, in_for, in_while)
            for stmt in [*node.body, *node.orelse]:
                self._visit(stmt, in_for + 1, in_while)
            return
        if isinstance(node, ast.While):
            for child in ast.iter_child_nodes(node):
                self._visit(child, in_for, True)
            return
        if isinstance(node, ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp):
            first, *rest = node.generators
            self._visit(first.iter, in_for, in_while)
            for gen in rest:
                self._visit(gen.iter, in_for + 1, in_while)
            for gen in node.generators:
                for cond in gen.ifs:
                    self._visit(cond, in_for + 1, in_while)
            results = [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
            for result in results:
                self._visit(result, in_for + 1, in_while)
            return
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            method = node.func.attr
            self.calls.append((node, method))
            if in_for or in_while:
                self.loops.append((node, method, bool(in_for)))
        for child in ast.iter_child_nodes(node):
            self._visit(child, in_for, in_while)


def _bodies(tree: ast.Module) -> Iterator[_Function]:
    yield _Function(tree.body, False)
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield _Function(node.body, isinstance(node, ast.AsyncFunctionDef))
        elif isinstance(node, ast.ClassDef):
            yield _Function(
                [s for s in node.body if not isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef)],
                False,
            )


# Commands by the type of value they need (RL405's candidates: one key text, two types).
_TYPED = {
    "string": {"get", "set", "setex", "incr", "incrby", "decr", "append", "getset", "mget"},
    "hash": {"hset", "hget", "hgetall", "hmset", "hmget", "hincrby", "hdel", "hkeys", "hlen"},
    "list": {"lpush", "rpush", "lpop", "rpop", "lrange", "llen", "blpop", "brpop", "lrem"},
    "set": {"sadd", "srem", "smembers", "sismember", "scard", "spop"},
    "zset": {"zadd", "zrange", "zrem", "zscore", "zincrby", "zcard", "zrangebyscore"},
    "stream": {"xadd", "xread", "xreadgroup", "xlen", "xrange", "xtrim"},
}  # fmt: skip
_TYPE_OF = {m: kind for kind, methods in _TYPED.items() for m in methods}


def _type_conflicts(tree: ast.Module) -> list[tuple[ast.Call, str]]:
    """Calls of the less used type on a key text one file uses as two types."""
    uses: dict[str, dict[str, list[ast.Call]]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            kind = _TYPE_OF.get(node.func.attr)
            key = _first(node)
            if kind is not None and ("'" in key or '"' in key):  # a key with literal text
                uses.setdefault(key, {}).setdefault(kind, []).append(node)
    found: list[tuple[ast.Call, str]] = []
    for kinds in uses.values():
        if len(kinds) < 2:
            continue
        order = sorted(kinds, key=lambda k: (-len(kinds[k]), k))
        for kind in order[1:]:
            found.extend((call, call.func.attr) for call in kinds[kind])  # type: ignore[attr-defined]
    return found


def candidates_of(tree: ast.Module, path: str, commands: frozenset[str]) -> list[Candidate]:
    """Every place in one file whose shape belongs to a default rule."""
    found: list[Candidate] = []

    def add(node: ast.AST, rule: str, what: str, end: int | None = None) -> None:
        line = node.lineno  # type: ignore[attr-defined]
        col = node.col_offset + 1  # type: ignore[attr-defined]
        last = end if end is not None else node.end_lineno  # type: ignore[attr-defined]
        found.append(Candidate(path, line, col, rule, what, last))

    for call, method in _type_conflicts(tree):
        add(call, "RL405", method)
    nx_keys: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            m = node.func.attr
            if m == "setnx" or (m == "set" and _true(_kw(node, "nx"))):
                nx_keys.add(_first(node))
    for fn in _bodies(tree):
        seen_reads: dict[str, ast.Call] = {}
        ttl_keys: set[str] = set()
        sets: list[tuple[ast.Call, str]] = []
        for call, m in fn.calls:
            key = _first(call)
            if m == "set":
                nx = _true(_kw(call, "nx"))
                if nx and not _has_expiry(call):
                    add(call, "RL202", m)
                if nx and call.args[1:2] and isinstance(call.args[1], ast.Constant):
                    add(call, "RL207", m)
                if not nx and not _has_expiry(call):
                    add(call, "RL101", m)
                    if key in ttl_keys:
                        add(call, "RL103", m)
                    sets.append((call, key))
                if _has_expiry(call):
                    ttl_keys.add(key)
            elif m in ("mset",):
                add(call, "RL101", m)
            elif m in ("setnx", "msetnx"):
                add(call, "RL202", m)
                if m == "setnx" and call.args[1:2] and isinstance(call.args[1], ast.Constant):
                    add(call, "RL207", m)
            elif m in ("setex", "psetex"):
                ttl_keys.add(key)
            elif m in ("expire", "pexpire", "expireat", "pexpireat"):
                ttl_keys.add(key)
                for earlier, k in sets:
                    if k == key and key:
                        add(earlier, "RL102", "set")
            elif m == "getset":
                add(call, "RL103", m)
            elif m in ("incr", "incrby", "incrbyfloat", "decr", "decrby"):
                if _TIME_WORDS.search(key):
                    add(call, "RL104", m)
            elif m in ("delete", "unlink") and call.args:
                if any(_text(a) in nx_keys or "lock" in _text(a).lower() for a in call.args):
                    add(call, "RL203", m)
            elif m == "lock" and _kw(call, "timeout") is None and len(call.args) < 2:
                add(call, "RL204", m)
            elif m == "watch":
                add(call, "RL205", m)
            elif m == "acquire" and (
                _kw(call, "blocking") is not None or _kw(call, "blocking_timeout") is not None
            ):
                add(call, "RL206", m)
            elif m == "keys":
                add(call, "RL301", m)
            elif m in ("flushall", "flushdb"):
                add(call, "RL302", m)
            elif m == "xadd":
                if _kw(call, "maxlen") is None and _kw(call, "minid") is None:
                    add(call, "RL401", m)
            elif m in ("publish", "subscribe", "psubscribe"):
                add(call, "RL501", m)
                if m == "publish":
                    add(call, "RL505", m)
            elif m in _POPS:
                add(call, "RL502", m)
            elif m == "xreadgroup":
                add(call, "RL503", m)
            elif m == "config_set":
                add(call, "RL601", m)
                add(call, "RL603", m)
            elif m == "save" and not call.args and not call.keywords:
                add(call, "RL602", m)
            elif m == "pipeline":
                add(call, "RL803", m)
            elif m == "eval":
                add(call, "RL804", m)
            if (
                m in ("eval", "register_script", "script_load")
                and call.args
                and (
                    isinstance(call.args[0], ast.JoinedStr | ast.BinOp)
                    or (
                        isinstance(call.args[0], ast.Call)
                        and _text(call.args[0].func).endswith(".format")
                    )
                )
            ):
                add(call, "RL806", m)
            if m in ("set", "hset", "lpush", "rpush", "setex", "hmset", "mset") and any(
                _LARGE.search(_text(a)) for a in [*call.args[1:], *(k.value for k in call.keywords)]
            ):
                add(call, "RL402", m)
            if m in _READS and key:
                seen_reads.setdefault(key, call)
            elif m in _WRITES and key and key in seen_reads:
                add(call, "RL201", m)
        for call, m, in_for in fn.loops:
            if in_for and m in commands and m not in ("append",):
                add(call, "RL802", m)
            if not in_for and m in _POLLS:
                add(call, "RL504", m)
        if fn.is_async:
            for call in fn.discarded:
                if isinstance(call.func, ast.Attribute) and call.func.attr in commands:
                    add(call, "RL805", call.func.attr)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else _text(node.func)
            if name in _CONSTRUCTORS:
                add(node, "RL801", name)
                host = _kw(node, "host")
                if isinstance(host, ast.Constant) and isinstance(host.value, str):
                    add(node, "RL605", "host")
            password = _kw(node, "password")
            if isinstance(password, ast.Constant) and isinstance(password.value, str):
                add(node, "RL604", "password")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            value = node.value
            if _URL.match(value):
                add(node, "RL605", "url")
                if "@" in value.split("/", 3)[2] if value.count("/") >= 2 else False:
                    add(node, "RL604", "url")
            if "redis.call" in value or "redis.pcall" in value:
                add(node, "RL702", "lua")
                if re.search(r"""redis\.p?call\(\s*['"]keys['"]""", value, re.IGNORECASE):
                    add(node, "RL301", "lua")
    return found


# -- the corpora -------------------------------------------------------------------------
def fetch(listing: str, cache: str | None = None) -> Path:
    cmd = [sys.executable, str(HERE / "fetch")]
    if cache:
        cmd += ["--cache", cache]
    if listing == "apps":
        cmd.append("--apps")
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return Path(out.stdout.strip().splitlines()[-1])


def redis_files(top: Path) -> list[Path]:
    """The Redis-touching files of one corpus (see the module docstring)."""
    texts: dict[Path, str] = {}
    for root, dirs, files in os.walk(top):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS)
        for name in sorted(files):
            if name.endswith(".py"):
                path = Path(root) / name
                texts[path] = path.read_text(encoding="utf-8", errors="replace")
    touching = {p for p, t in texts.items() if _TOKEN.search(t)}
    return sorted(touching)


def census(cache: str | None = None) -> tuple[list[Candidate], dict[str, Path]]:
    from redislint.commands import all_methods
    from redislint.semantic.pyparse import lenient_parse

    commands = all_methods()
    roots = {name: fetch(name, cache) for name in CORPORA}
    found: list[Candidate] = []
    for name, top in roots.items():
        for path in redis_files(top):
            rel = f"{name}/{path.relative_to(top).as_posix()}"
            try:
                # as the linter reads it (Python 2's ``except E, e:`` included)
                tree = lenient_parse(path.read_bytes().decode("utf-8", "surrogateescape"))
            except (SyntaxError, ValueError):
                continue  # RL000 territory: no candidates in a file Python cannot parse
            found.extend(candidates_of(tree, rel, commands))
    unique = {c.key: c for c in found if c.sampled}
    return sorted(unique.values(), key=lambda c: c.key), roots


def lint(roots: dict[str, Path]) -> dict[tuple[str, str], list[int]]:
    """Lines of the default rule set's findings: (path, code) -> lines."""
    from redislint.config import Config, enabled_codes
    from redislint.engine.runner import Runner

    lines: dict[tuple[str, str], list[int]] = defaultdict(list)
    for name, top in roots.items():
        config = Config(root=top)
        runner = Runner(config, enabled_codes(config), cwd=top)
        for f in runner.run([top]).findings:
            lines[(f"{name}/{f.path}", f.code)].append(f.start.line)
    return lines


def load(path: Path = JUDGED) -> dict[tuple[str, int, int, str], Judgement]:
    judged: dict[tuple[str, int, int, str], Judgement] = {}
    if not path.exists():
        return judged
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            key = (row["path"], int(row["line"]), int(row["column"]), row["rule"])
            judged[key] = Judgement(row["verdict"], row["reason"])
    return judged


def reported(c: Candidate, lines: dict[tuple[str, str], list[int]]) -> bool:
    return any(c.line <= line <= c.end_line for line in lines.get((c.path, c.rule), ()))


def table(
    cands: list[Candidate],
    judged: dict[tuple[str, int, int, str], Judgement],
    lines: dict[tuple[str, str], list[int]],
    corpus: str | None = None,
) -> str:
    from redislint.rules import BY_CODE

    rows = [
        "| rule | name | candidates | misuse | found | recall | fine or not Redis, reported |",
        "|---|---|---|---|---|---|---|",
    ]
    described: Counter[str] = Counter()
    hits: Counter[str] = Counter()
    wrong: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for c in cands:
        if corpus is not None and not c.path.startswith(corpus + "/"):
            continue
        total[c.rule] += 1
        verdict = judged[c.key].verdict
        if verdict == "misuse":
            described[c.rule] += 1
            hits[c.rule] += reported(c, lines)
        elif reported(c, lines):
            wrong[c.rule] += 1
    for code in sorted(total):
        d, h = described[code], hits[code]
        recall = f"{h / d:.2f}" if d else "n/a"
        rows.append(
            f"| {code} | {BY_CODE[code].name} | {total[code]} | {d} | {h} | {recall} | {wrong[code]} |"
        )
    d, h = sum(described.values()), sum(hits.values())
    card_d = sum(described[c] for c in CARD_RULES)
    card_h = sum(hits[c] for c in CARD_RULES)
    rows.append(
        f"| **card rules** | | {sum(total[c] for c in CARD_RULES)} | {card_d} | {card_h} | "
        f"**{card_h / card_d if card_d else 0:.2f}** | {sum(wrong[c] for c in CARD_RULES)} |"
    )
    rows.append(
        f"| **all** | | {sum(total.values())} | {d} | {h} | **{h / d if d else 0:.2f}** | "
        f"{sum(wrong.values())} |"
    )
    return "\n".join(rows) + "\n"


def section(
    cands: list[Candidate],
    judged: dict[tuple[str, int, int, str], Judgement],
    lines: dict[tuple[str, str], list[int]],
) -> str:
    """The Markdown tables for docs/precision.md: each corpus, then both."""
    return "".join(
        f"{title}\n\n" + table(cands, judged, lines, corpus) + "\n"
        for title, corpus in (
            ("Redis packages (bench/corpus.txt):", "corpus"),
            ("Application code (bench/apps.txt):", "apps"),
            ("Both:", None),
        )
    )


def worksheet(cands: list[Candidate], roots: dict[str, Path], out: Path) -> int:
    """Unjudged candidates with the code around each, one Markdown file per package, for
    the people judging: each entry starts with the TSV row to complete (verdict, reason)."""
    judged = load()
    out.mkdir(parents=True, exist_ok=True)
    by_package: dict[str, list[Candidate]] = defaultdict(list)
    for c in cands:
        if c.key not in judged:
            by_package[c.path.split("/")[1]].append(c)
    for package, items in by_package.items():
        entries = []
        for c in items:
            corpus, rel = c.path.split("/", 1)
            text = (roots[corpus] / rel).read_text(encoding="utf-8", errors="replace")
            lines = text.splitlines()
            first, last = max(0, c.line - 9), min(len(lines), c.end_line + 5)
            window = "\n".join(
                f"{'>>' if i + 1 == c.line else '  '}{i + 1:5} {lines[i]}"
                for i in range(first, last)
            )
            row = f"{c.path}\t{c.line}\t{c.column}\t{c.rule}"
            entries.append(f"### {row}\t\t\n{c.rule} candidate ({c.what})\n```\n{window}\n```\n")
        (out / f"{package}.md").write_text("\n".join(entries), encoding="utf-8")
    return sum(len(v) for v in by_package.values())


def merge(files: list[Path], cands: list[Candidate]) -> int:
    """Add judged worksheet rows (path, line, column, rule, verdict, reason) to
    bench/census.tsv, keeping only rows for current candidates without a judgement."""
    judged = load()
    keys = {c.key for c in cands}
    rows: dict[tuple[str, int, int, str], Judgement] = {}
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) < 6 or not parts[1].isdigit():
                continue
            key = (parts[0], int(parts[1]), int(parts[2]), parts[3])
            verdict, reason = parts[4].strip(), " ".join(parts[5:]).strip()
            if key in keys and key not in judged and verdict in VERDICTS and reason:
                rows.setdefault(key, Judgement(verdict, reason))
    judged.update(rows)
    with JUDGED.open("w", encoding="utf-8", newline="") as handle:
        handle.write("path\tline\tcolumn\trule\tverdict\treason\n")
        for key in sorted(judged):
            j = judged[key]
            handle.write(f"{key[0]}\t{key[1]}\t{key[2]}\t{key[3]}\t{j.verdict}\t{j.reason}\n")
    return len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache")
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--worksheet", type=Path)
    parser.add_argument("--merge", type=Path, nargs="+", metavar="TSV")
    parser.add_argument("--misses", action="store_true", help="list misuse the linter misses")
    args = parser.parse_args()
    cands, roots = census(args.cache)
    if args.merge:
        print(f"{merge(args.merge, cands)} judgements added to {JUDGED.name}")
        return
    if args.worksheet:
        print(f"{worksheet(cands, roots, args.worksheet)} unjudged candidates -> {args.worksheet}")
        return
    judged = load()
    missing = [c for c in cands if c.key not in judged]
    if missing:
        print(f"{len(missing)} candidates without a judgement (see --worksheet)", file=sys.stderr)
        sys.exit(1)
    lines = lint(roots)
    if args.misses:
        for c in cands:
            j = judged[c.key]
            if j.verdict == "misuse" and not reported(c, lines):
                print(f"{c.path}:{c.line}:{c.column}\t{c.rule}\t{j.reason}")
        return
    section_text = section(cands, judged, lines)
    print(section_text)
    if args.write:
        doc = DOC.read_text(encoding="utf-8")
        head, rest = doc.split(START, 1)
        _, tail = rest.split(END, 1)
        DOC.write_text(f"{head}{START}\n{section_text}{END}{tail}", encoding="utf-8")


if __name__ == "__main__":
    main()
