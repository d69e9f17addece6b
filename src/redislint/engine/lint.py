"""Linting one file's text: parse once, one traversal, rules, positions, suppressions."""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence

import libcst as cst

from redislint.diagnostics import Finding, Position
from redislint.engine.focus import Focused
from redislint.engine.focus import focus as focus_on_redis
from redislint.engine.results import FileResult, RuleSet, engine_finding
from redislint.engine.suppressions import FileSuppressions, file_ignored, split_lines
from redislint.engine.unused import UNUSED, Usage, unused
from redislint.semantic.analyzer import analyze
from redislint.semantic.context import LINE_REF, FileContext, RawFinding
from redislint.semantic.edits import Offsets, to_fix
from redislint.semantic.keyspace import KeyUse, key_use, pending_uses
from redislint.semantic.literals import value_offsets
from redislint.semantic.model import Command
from redislint.semantic.positions import Layout, Outer, layout, offset_position
from redislint.semantic.project import Project
from redislint.semantic.pyparse import python_parse, python_refusal
from redislint.semantic.treefacts import summarize


def parse(text: str, shown: str) -> cst.Module | Finding:
    """Parse with libcst, or an RL000 finding saying why not."""
    try:
        return parse_unvalidated(text)
    except cst.ParserSyntaxError as exc:
        reason, line, column = exc.message, exc.raw_line, exc.raw_column + 1
    except RecursionError:
        return engine_finding(shown, "RL000", "code nested too deeply to parse")
    except Exception as exc:  # e.g. CSTValidationError on `return *x`, which Python parses
        reason, line, column = f"{type(exc).__name__}: {exc}", 1, 1
    better = _python_syntax_error(text)
    if better is not None:
        message, line, column = better
        return engine_finding(shown, "RL000", f"syntax error: {message}", line, column)
    # Valid Python that libcst cannot parse (thousands of adjacent string literals,
    # `return *x`, some mixes of tabs and spaces).
    return engine_finding(
        shown,
        "RL000",
        f"libcst cannot parse this file, which Python accepts ({' '.join(reason.split())}); "
        "the file was not checked",
        line,
        column,
    )


def _skip_validation(node: cst.CSTNode) -> None:
    pass


def parse_unvalidated(text: str) -> cst.Module:
    """``libcst.parse_module`` without re-validating each node the native parser builds.

    ``CSTNode.__post_init__`` checks invariants the grammar has already enforced (mostly
    whitespace, by regular expression): about a fifth of the parse time, which is most of
    a run. libcst's own comment there suggests taking it out of parsing. It is switched
    off for the parse only: nodes built afterwards (fixes) are validated as usual. The
    tree is the same (tests compare the two on every fixture).
    """
    base = cst.CSTNode
    validate = base.__dict__.get("__post_init__")
    if validate is None:  # a libcst that validates elsewhere
        return cst.parse_module(text)
    setattr(base, "__post_init__", _skip_validation)  # noqa: B010 - mypy: method assignment
    try:
        return cst.parse_module(text)
    finally:
        setattr(base, "__post_init__", validate)  # noqa: B010


def _python_syntax_error(text: str) -> tuple[str, int, int] | None:
    """CPython's own message and location, which are more precise than libcst's."""
    try:
        python_parse(text)
    except SyntaxError as exc:
        return exc.msg, exc.lineno or 1, exc.offset or 1
    except (ValueError, RecursionError, MemoryError):
        return None
    return None


def lint_module_text(
    text: str,
    key: str,
    shown: str,
    project: Project,
    rules: RuleSet,
    is_test: bool,
    focus: bool = True,
    tree: ast.Module | None = None,
) -> FileResult:
    """One file's findings (before per-file ignores), suppressions applied.

    ``focus``: leave out the functions that cannot hold a finding when parsing
    (``engine/focus.py``); False parses the whole file (to check that it changes nothing).
    ``tree``: the file's ``ast`` tree, when the index has it at hand.
    """
    if file_ignored(text):
        return FileResult()
    if key not in project.by_path:
        # The index could not read the file with the standard parser. If CPython refuses it
        # for a limit every version has (nesting), it cannot run: say so without handing
        # libcst input it would take minutes on or overflow its native stack with.
        refused = python_refusal(text)
        if refused is not None:
            return FileResult([engine_finding(shown, "RL000", *refused)])
    focused = focus_on_redis(text, key, project, rules.tokens, tree) if focus else Focused(text)
    module = parse(focused.text, shown)
    if isinstance(module, Finding) and focused.lines is not None:
        focused = Focused(text)  # say where the file itself fails
        module = parse(text, shown)
    if isinstance(module, Finding):
        return FileResult([module])
    try:
        analyzer = analyze(module, key, project)
    except RecursionError:
        return FileResult([engine_finding(shown, "RL000", "code nested too deeply to analyse")])
    ctx = FileContext(key, module, analyzer, rules.settings, project, is_test)
    run_rules(ctx, rules)
    result = FileResult(facts=summarize(analyzer.commands, rules.tree_commands))
    if rules.keyspace:
        result.uses = _key_uses(analyzer.commands, module, shown, focused)
    report_unused = UNUSED in rules.codes
    if not ctx.findings and not report_unused:
        return result
    suppressions = FileSuppressions(text)
    usage = Usage()
    try:
        findings = materialize(
            ctx.findings, module, text, shown, ctx.related, suppressions, usage, focused
        )
    except _WholeFileNeeded:
        return lint_module_text(text, key, shown, project, rules, is_test, focus=False)
    for raw, finding in zip(ctx.findings, findings, strict=True):
        if finding is None:
            continue
        if raw.condition is None:
            result.findings.append(finding)
        else:
            result.pending.append((finding, raw.condition))
    if report_unused:
        for finding, condition in unused(suppressions, usage, rules.codes, shown):
            if condition is None:
                result.findings.append(finding)
            else:
                result.pending.append((finding, condition))
    return result


def _key_uses(
    commands: list[Command], module: cst.Module, shown: str, focused: Focused
) -> list[KeyUse]:
    """The file's commands on key templates, positioned (for the keyspace map)."""
    pending = pending_uses(commands)
    if not pending:
        return []
    found = layout(module, [p.cmd.node for p in pending])
    if focused.lines is not None:
        found = _in_the_file(found, focused)
    uses: list[KeyUse] = []
    for item in pending:
        start, _end = found.ranges.get(id(item.cmd.node), (Position(1, 1), Position(1, 1)))
        uses.append(key_use(item, shown, start.line, start.column))
    return uses


def secret_spans(text: str, secrets: Sequence[str]) -> tuple[tuple[int, int, int], ...]:
    """Every place in ``text`` where one of ``secrets`` is written, as (line, first
    column, column after the last), lines counted as Python counts them."""
    wanted = [s for s in secrets if s]
    if not wanted:
        return ()
    spans: set[tuple[int, int, int]] = set()
    for number, line in enumerate(split_lines(text), start=1):
        for secret in wanted:
            start = line.find(secret)
            while start >= 0:
                spans.add((number, start + 1, start + 1 + len(secret)))
                start = line.find(secret, start + 1)
    return tuple(sorted(spans))


def _in_the_file(found: Layout, focused: Focused) -> Layout:
    """``found`` (positions in the text libcst parsed) in the file's own lines."""
    return Layout(
        ranges={k: (focused.start(a), focused.end(b)) for k, (a, b) in found.ranges.items()},
        outer={
            k: Outer(focused.start(o.start), focused.end(o.end), o.indent)
            for k, o in found.outer.items()
        },
        scopes=found.scopes,
    )


class _WholeFileNeeded(Exception):
    """A fix reaches into a function left out (engine/focus.py): lint the whole text."""


def run_rules(ctx: FileContext, rules: RuleSet) -> None:
    for scope in ctx.scopes:
        for cmd in scope.commands:
            for rule in rules.command_rules:
                rule.check_command(cmd, ctx)
        for construction in scope.constructions:
            for rule in rules.construction_rules:
                rule.check_construction(construction, ctx)
    for scope in ctx.scopes:
        for rule in rules.scope_rules:
            rule.check_scope(scope, ctx)
    for rule in rules.file_rules:
        rule.check_file(ctx)


def materialize(
    raw: list[RawFinding],
    module: cst.Module,
    text: str,
    shown: str,
    related: Sequence[cst.CSTNode] = (),
    suppressions: FileSuppressions | None = None,
    usage: Usage | None = None,
    focused: Focused | None = None,
) -> list[Finding | None]:
    """Positioned findings, one per raw finding; None where a comment suppresses it.

    ``related`` are the nodes whose lines messages name (``FileContext.line_of``). Fixes
    are turned into text edits for the findings that are kept; ``usage`` records which
    suppression comment silenced what.
    """
    fixes = [n for f in raw if f.fix is not None for n in f.fix.nodes()]
    found = layout(module, [*(f.anchor.node for f in raw), *related], fixes)
    if focused is not None and focused.lines is not None:
        found = _in_the_file(found, focused)
        for item in raw:
            if item.fix is None:
                continue
            # the lines from the fix's first node to its last: a function left out in
            # between is code the fix moves across (what runs between set() and expire())
            spans = [found.outer.get(id(node)) for node in item.fix.nodes()]
            outers = [o for o in spans if o is not None]
            if not outers:
                continue
            first = min(o.start.line for o in outers)
            last = max(o.end.line - 1 if o.end.column == 1 else o.end.line for o in outers)
            if focused.touches_left_out(first, last):
                raise _WholeFileNeeded
    ranges = found.ranges

    def line(match: re.Match[str]) -> str:
        index = int(match.group(1))
        place = ranges.get(id(related[index])) if index < len(related) else None
        return str(place[0].line) if place is not None else "?"

    suppressions = suppressions or FileSuppressions(text)
    offsets: Offsets | None = None
    findings: list[Finding | None] = []
    for item in raw:
        start, end = ranges.get(id(item.anchor.node), (Position(1, 1), Position(1, 1)))
        node = item.anchor.node
        if item.anchor.inner is not None and isinstance(node, cst.SimpleString):
            offsets_in = value_offsets(node)
            if offsets_in is not None:
                first, last = item.anchor.inner
                first = min(first, len(offsets_in) - 1)
                last = min(last, len(offsets_in) - 1)
                start, end = (
                    offset_position(start, node.value, offsets_in[first]),
                    offset_position(start, node.value, offsets_in[last]),
                )
        code = item.rule.code
        covering = suppressions.covering(start.line, code)
        if covering:
            if usage is not None:
                usage.record(covering, code, item.condition)
            findings.append(None)
            continue
        fix = None
        if item.fix is not None:
            offsets = offsets or Offsets(text)
            fix = to_fix(item.fix, found, module, offsets)
        findings.append(
            Finding(
                path=shown,
                code=code,
                name=item.rule.name,
                severity=item.rule.severity,
                message=LINE_REF.sub(line, item.message) if related else item.message,
                start=start,
                end=end,
                fix=fix,
                scope=found.scopes.get(id(node), ""),
                redact=secret_spans(text, item.redact),
                recognised=item.recognised,
            )
        )
    return findings
