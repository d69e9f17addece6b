#!/usr/bin/env python3
"""Precision of redislint on the real-world corpus, from the judgements in bench/review.tsv.

Usage: python bench/precision.py [--write] [--cache DIR]

Lints the corpus (bench/corpus.txt, fetched by bench/fetch) with the default rule set,
once with project-wide recognition and once with per-file recognition only, and checks
that every finding has a judgement in bench/review.tsv (path, line, column, code, verdict
TP/FP, reason). Prints per-rule precision; with --write, puts the tables into
docs/precision.md between the bench markers. tests/test_corpus_review.py runs the same
checks, so a new finding without a judgement fails the test suite.
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
REVIEW = HERE / "review.tsv"
DOC = ROOT / "docs" / "precision.md"
START, END = "<!-- precision:start -->", "<!-- precision:end -->"

Key = tuple[str, int, int, str]


@dataclass(frozen=True)
class Judgement:
    verdict: str  # "TP" or "FP"
    reason: str


def fetch_corpus(cache: str | None = None) -> Path:
    cmd = [sys.executable, str(HERE / "fetch")]
    if cache:
        cmd += ["--cache", cache]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return Path(out.stdout.strip().splitlines()[-1])


def lint_corpus(corpus: Path, isolated: bool = False) -> dict[Key, str]:
    """Findings of the default rule set on the corpus: (path, line, column, code) -> message."""
    from redislint.config import Config, enabled_codes
    from redislint.engine.runner import Runner

    config = Config(root=corpus)
    runner = Runner(config, enabled_codes(config), cwd=corpus, isolated=isolated)
    findings = runner.run([corpus]).findings
    return {(f.path, f.start.line, f.start.column, f.code): f.message for f in findings}


def load_review(path: Path = REVIEW) -> dict[Key, Judgement]:
    judged: dict[Key, Judgement] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            key = (row["path"], int(row["line"]), int(row["column"]), row["code"])
            judged[key] = Judgement(row["verdict"], row["reason"])
    return judged


def precision_table(found: dict[Key, str], judged: dict[Key, Judgement]) -> str:
    from redislint.rules import BY_CODE

    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    for key in found:
        verdict = judged[key].verdict
        (tp if verdict == "TP" else fp)[key[3]] += 1
    lines = [
        "| rule | name | default | findings | true | false | precision |",
        "|---|---|---|---|---|---|---|",
    ]
    total_tp = total_fp = 0
    for code in sorted(set(tp) | set(fp)):
        rule = BY_CODE[code]
        t, f = tp[code], fp[code]
        if rule.default_enabled:
            total_tp += t
            total_fp += f
        lines.append(
            f"| {code} | {rule.name} | {'on' if rule.default_enabled else 'off'} | {t + f} | "
            f"{t} | {f} | {100 * t / (t + f):.0f}% |"
        )
    total = total_tp + total_fp
    overall = f"{100 * total_tp / total:.1f}%" if total else "n/a"
    lines.append(
        f"| **all default-on rules** | | | {total} | {total_tp} | {total_fp} | **{overall}** |"
    )
    return "\n".join(lines) + "\n"


def recall_note(
    project: dict[Key, str], isolated: dict[Key, str], judged: dict[Key, Judgement]
) -> str:
    tp_project = {k for k in project if judged[k].verdict == "TP"}
    tp_isolated = {k for k in isolated if k in judged and judged[k].verdict == "TP"}
    only_project = sorted(tp_project - tp_isolated)
    lines = [
        f"True findings with project-wide recognition: {len(tp_project)}; with per-file "
        f"recognition only: {len(tp_isolated)} (+{len(only_project)} from the project index).",
        "",
    ]
    for key in only_project:
        lines.append(f"- `{key[0]}:{key[1]}:{key[2]}` {key[3]}")
    return "\n".join(lines) + "\n"


def report(corpus: Path) -> tuple[str, list[Key], list[Key]]:
    """The Markdown section, findings without a judgement, and judgements no longer found."""
    project = lint_corpus(corpus)
    judged = load_review()
    missing = sorted(k for k in project if k not in judged)
    stale = sorted(k for k in judged if k not in project)
    if missing:
        return "", missing, stale
    isolated = lint_corpus(corpus, isolated=True)
    files = len({k[0] for k in project})
    held = held_out_dirs()
    held_out = {k: v for k, v in project.items() if k[0].split("/", 1)[0] in held}
    section = (
        f"Corpus: {len(corpus_requirements())} pinned packages (bench/corpus.txt); "
        f"{len(project)} findings in {files} files with the default rule set.\n\n"
        + precision_table(project, judged)
        + "\n"
        + f"Of these, the {len(held)} packages added after the rules were tuned "
        f"(`# group: held-out`), judged without changing any rule: {len(held_out)} findings.\n\n"
        + (precision_table(held_out, judged) if held_out else "")
        + "\n"
        + recall_note(project, isolated, judged)
    )
    return section, missing, stale


def corpus_requirements() -> list[str]:
    lines = (HERE / "corpus.txt").read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


def held_out_dirs() -> set[str]:
    """Corpus folders of the packages added after tuning (``# group: held-out``)."""
    found: set[str] = set()
    held_out = False
    for line in (HERE / "corpus.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("# group:"):
            held_out = line.split(":", 1)[1].strip() == "held-out"
        elif line.strip() and not line.startswith("#") and held_out:
            name, version = line.strip().split("==")
            found.add(f"{name.lower().replace('_', '-')}-{version}")
    return found


def write_doc(section: str) -> None:
    text = DOC.read_text(encoding="utf-8")
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    DOC.write_text(f"{head}{START}\n{section}{END}{tail}", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="update docs/precision.md")
    parser.add_argument("--cache", help="bench cache directory")
    parser.add_argument(
        "--unjudged", action="store_true", help="print findings without a judgement as TSV rows"
    )
    args = parser.parse_args()
    corpus = fetch_corpus(args.cache)
    if args.unjudged:
        found = lint_corpus(corpus)
        judged = load_review()
        for key, message in sorted(found.items()):
            if key not in judged:
                print("\t".join([key[0], str(key[1]), str(key[2]), key[3], "?", message]))
        return
    section, missing, stale = report(corpus)
    for key in missing:
        print(f"no judgement: {key}", file=sys.stderr)
    for key in stale:
        print(f"judged but no longer found: {key}", file=sys.stderr)
    if missing:
        sys.exit(1)
    print(section)
    if args.write:
        write_doc(section)


if __name__ == "__main__":
    main()
