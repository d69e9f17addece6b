"""Functions that cannot hold a finding are left out of what libcst parses.

Parsing with libcst is most of a run, and a file that mentions Redis is mostly other code.
The analyzer learns what a function needs about names outside it from the project index
(module-level names, instance attributes, what functions return), so a function in whose
code nothing can stand for a Redis object records no command and no URL, and changes
nothing in the analysis of any other function. "Nothing can" means: no Redis token in its
code (comments and docstrings aside), no Redis URL, no name or attribute that the index
says is a Redis object or gives one (``semantic/reach.py``) as the receiver of a method the
analyzer records or as a callee, not a transaction callback, not a method of a class
deriving from a client or whose header names Redis.

Such top-level functions and methods of top-level classes are left out of the text libcst
parses (a class left with no statement keeps a ``pass``); every other line is kept as it
is, and ``Focused`` maps positions back to the file's own lines. Comments, suppressions
and fixes are read from the file itself; a fix whose text would reach into a function
left out is made from the whole file (``engine/lint.py``). Module-level and class-level
statements are kept, but for long assignments of literals only (``TABLE = [...]``
generated data, fixtures): nothing in them can be a Redis object, and the index keeps
what they bind.
"""

from __future__ import annotations

import ast
import bisect
import itertools
import re
from collections.abc import Sequence
from typing import NamedTuple

from redislint.clients import knowledge
from redislint.clients.evidence import receiver_text
from redislint.clients.names import is_lookalike_at, without_lookalikes
from redislint.clients.types import UNKNOWN, RedisType, Ref, TreeFunction
from redislint.diagnostics import Position
from redislint.semantic.analyzer import RECORDED_METHODS
from redislint.semantic.index import ModuleFacts
from redislint.semantic.project import Project
from redislint.semantic.pyparse import python_parse
from redislint.semantic.urls import SCHEMES

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_OTHER_BREAKS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_IDENTIFIER = re.compile(r"[A-Za-z_]\w*")
_COMMENT_LINE = re.compile(r"^[ \t]*#", re.MULTILINE)
# What a walk of a function skips: names (bindings are read from their statements), load
# and store markers, and the plain values of fields (identifiers, flags, None).
_LEAVES = frozenset({ast.Name, ast.Load, ast.Store, ast.Del, str, int, bool, type(None)})

_Function = ast.FunctionDef | ast.AsyncFunctionDef
# Lines to leave out: first and last (1-based), and the column where a ``pass`` keeps a
# class body that would otherwise be empty (None: no ``pass``).
_Span = tuple[int, int, int | None]


class Focused(NamedTuple):
    """A file's text as libcst gets it: the functions that cannot hold a finding left
    out, the other lines as they are. ``left_out``: the lines (first, last) left out;
    ``lines``: the line of the file each line of ``text`` is (None: the same)."""

    text: str
    left_out: tuple[tuple[int, int], ...] = ()
    lines: tuple[int, ...] | None = None

    def touches_left_out(self, first: int, last: int) -> bool:
        """Whether lines ``first``..``last`` of the file meet a function left out. A fix
        that does is not made from ``text``: lines above a statement belong to it."""
        return any(a <= last and first <= b for a, b in self.left_out)

    def start(self, position: Position) -> Position:
        """Where a range starting at ``position`` of ``text`` starts in the file."""
        return Position(self._line(position.line), position.column)

    def end(self, position: Position) -> Position:
        """Where a range ending at ``position`` (exclusive) of ``text`` ends in the file:
        at the start of a line, right after the line before it."""
        if position.column == 1 and position.line > 1:
            return Position(self._line(position.line - 1) + 1, 1)
        return Position(self._line(position.line), position.column)

    def _line(self, line: int) -> int:
        lines = self.lines
        if lines is None:
            return line
        if line <= len(lines):
            return lines[line - 1]
        return lines[-1] + line - len(lines) if lines else line


def focus(
    text: str,
    path: str,
    project: Project,
    tokens: Sequence[str],
    tree: ast.Module | None = None,
) -> Focused:
    """``text`` without the functions that cannot hold a finding (``text`` itself when
    none can be left out). ``tree``: ``text`` as the standard parser reads it, when the
    caller has it."""
    facts = project.by_path.get(path)
    if facts is None:
        return Focused(text)  # the index could not read it: libcst has the last word
    if tree is None:
        try:
            tree = python_parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return Focused(text)
    judge = _Judge(path, project, facts, tokens)
    starts = _line_starts(text)
    judge.find_hot_lines(text, tree, starts)
    spans: list[_Span] = []
    body = tree.body
    for i, stmt in enumerate(body):
        if isinstance(stmt, _Function):
            if not judge.needed(stmt):
                spans.append((_first_line(stmt), _last_line(stmt), None))
        elif isinstance(stmt, ast.ClassDef):
            spans.extend(judge.class_spans(stmt))
        elif _big_table(stmt) and _own_lines(body, i):
            spans.append((stmt.lineno, _last_line(stmt), None))
    if not spans:
        return Focused(text)
    compact, lines = _leave_out(text, sorted(spans), starts)
    return Focused(compact, tuple((a, b) for a, b, _ in sorted(spans)), tuple(lines))


# A module-level literal this long (in characters of code) is data: a table, a fixture.
_BIG_LITERAL = 20_000
_LITERAL_NODES = (
    ast.Constant,
    ast.List,
    ast.Tuple,
    ast.Set,
    ast.Dict,
    ast.UnaryOp,
    ast.USub,
    ast.UAdd,
    ast.Load,
)


def _big_table(stmt: ast.stmt) -> bool:
    """``TABLE = [...]`` at module level: a long value of literals only, bound to names.
    Nothing in it can be a Redis object or a command; the index keeps what it binds."""
    if isinstance(stmt, ast.Assign):
        targets, value = stmt.targets, stmt.value
    elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
        targets, value = [stmt.target], stmt.value
    else:
        return False
    if not all(isinstance(t, ast.Name) for t in targets):
        return False
    end = value.end_col_offset or 0
    lines = (value.end_lineno or value.lineno) - value.lineno
    if lines * 80 + end - value.col_offset < _BIG_LITERAL:
        return False  # a rough size: long values are the ones worth leaving out
    return all(isinstance(node, _LITERAL_NODES) for node in ast.walk(value))


def _own_lines(body: list[ast.stmt], index: int) -> bool:
    """The statement shares no line with its neighbours (``x = [...]; r.keys("*")``)."""
    stmt = body[index]
    before = body[index - 1] if index else None
    after = body[index + 1] if index + 1 < len(body) else None
    return (before is None or _last_line(before) < stmt.lineno) and (
        after is None or after.lineno > _last_line(stmt)
    )


def _first_line(node: _Function | ast.ClassDef) -> int:
    return min([node.lineno, *(d.lineno for d in node.decorator_list)])


def _last_line(node: ast.stmt) -> int:
    return node.end_lineno if node.end_lineno is not None else node.lineno


class _Judge:
    """Decides, for one file, which functions may hold a finding."""

    def __init__(
        self, path: str, project: Project, facts: ModuleFacts, tokens: Sequence[str]
    ) -> None:
        self.path = path
        self.project = project
        self.facts = facts
        self.tokens = tuple(tokens)
        self.attributes = project.reach.attributes()
        self._names: dict[str, bool] = {}
        self._called: dict[str, bool] = {}
        self._words: dict[str, bool] = {}
        # the method being judged: its ``self`` name, class, and whether ``self`` is the
        # class itself (a classmethod)
        self._owner: tuple[str, str, bool] | None = None
        self._hot: list[int] | None = None  # None: every line may be

    def find_hot_lines(self, text: str, tree: ast.Module, starts: list[int]) -> None:
        """Note the lines where something that can stand for a Redis object may be
        named: a Redis token, ``://``, a name or attribute that leads to Redis (words
        in comments and docstrings name nothing). A function without such a line needs
        no closer look. ``starts``: where each line of ``text`` starts."""
        if self.facts.star_imports:
            return  # a name may come from the modules imported with ``*``
        lowered = text.lower()
        if len(lowered) != len(text):  # a character whose lower case is longer
            return
        quiet = _quiet_lines(text, tree, starts)
        lines: set[int] = set()
        for token in self.tokens:
            at = lowered.find(token)
            while at != -1:
                line = bisect.bisect_right(starts, at)
                if line not in quiet and not is_lookalike_at(lowered, at):
                    lines.add(line)
                at = lowered.find(token, at + 1)
        at = lowered.find("://")  # a URL in a string or a comment: always looked at
        while at != -1:
            lines.add(bisect.bisect_right(starts, at))
            at = lowered.find("://", at + 1)
        facts = self.facts
        module_names = {*facts.bindings, *facts.functions, *facts.imports, *facts.classes}
        vocabulary = {n for n in module_names if self.name_leads(n)}
        vocabulary.update(self.attributes, knowledge.KNOWN_LAST_NAMES, knowledge.RAW_CLIENT_METHODS)
        present = vocabulary.intersection(_IDENTIFIER.findall(text))
        if present:
            words = re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(present))) + r")\b")
            for match in words.finditer(text):
                line = bisect.bisect_right(starts, match.start())
                if line not in quiet:
                    lines.add(line)
        self._hot = sorted(lines)

    def may_be_hot(self, first: int, last: int) -> bool:
        if self._hot is None:
            return True
        i = bisect.bisect_left(self._hot, first)
        return i < len(self._hot) and self._hot[i] <= last

    def name_leads(self, name: str) -> bool:
        """Whether the name ``name``, not bound in the function, can stand for a Redis
        object: the module-level value is one (or gives one), or nothing is known about
        it and its words make it a client by name (``client-name-patterns``)."""
        found = self._names.get(name)
        if found is None:
            value = self.project.global_value(self.path, name)
            # the name fallback also applies to what a tree function returns when the
            # index knows nothing of it (``get_redis()``)
            by_name = value is UNKNOWN or isinstance(value, TreeFunction)
            found = self.project.reach.leads(value) or (by_name and self.has_token(name))
            self._names[name] = found
        return found

    def has_token(self, word: str) -> bool:
        """Whether an identifier holds a Redis token (a client by its name)."""
        found = self._words.get(word)
        if found is None:
            lowered = word.lower()
            found = any(t in lowered for t in self.tokens) and any(
                t in without_lookalikes(word) for t in self.tokens
            )
            self._words[word] = found
        return found

    def leads(self, expr: ast.AST, local: set[str], annotation: bool = False) -> bool:
        """Whether ``expr`` mentions something that can stand for a Redis object (in an
        ``annotation``, strings count as names)."""
        for node in ast.walk(expr):
            if isinstance(node, ast.Name):
                if node.id in local or self.name_leads(node.id):
                    return True
            elif isinstance(node, ast.Attribute):
                if self.attribute_leads(node):
                    return True
            elif isinstance(node, ast.Call):
                attr = _getattr_name(node)
                if attr is not None and (attr in self.attributes or self.has_token(attr)):
                    return True
                if isinstance(node.func, ast.Attribute) and knowledge.is_raw_client_method(
                    node.func.attr
                ):
                    return True  # ``cache.client.get_client()``: a framework's raw client
            elif (
                annotation  # a string annotation ("Redis", "Optional[Pipeline]")
                and isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and any(self.name_leads(w) for w in _IDENTIFIER.findall(node.value))
            ):
                return True
        return False

    def attribute_leads(self, node: ast.Attribute) -> bool:
        """Whether ``x.attr`` can stand for a Redis object: ``attr`` does somewhere in the
        tree, or (``self.attr`` in a method) in this class, as the analyzer resolves it."""
        attr = node.attr
        owner = self._owner
        if owner is not None and isinstance(node.value, ast.Name) and node.value.id == owner[0]:
            _, cls, of_class = owner
            project = self.project
            if of_class:
                value = project.class_attr(self.path, cls, attr)
            else:
                value = project.instance_attr(self.path, cls, attr)
            # the name fallback applies only to what nothing is known about
            return project.reach.leads(value) or (value is UNKNOWN and self.has_token(attr))
        return attr in self.attributes or self.has_token(attr)

    def needed(self, func: _Function, cls: str | None = None) -> bool:
        """Whether ``func`` may hold a finding: a Redis URL, or a call whose callee or
        receiver can be a Redis object (a construction, a command)."""
        if func.name in self.facts.transaction_callbacks or self.by_evidence(func, cls):
            return True
        if self.by_callers(func, cls):
            return True
        if not self.may_be_hot(_first_line(func), _last_line(func)):
            return False
        self._owner = _owner(func, cls)
        inside = _Inside(func)
        if any(_names_a_server(text) for text in inside.strings):
            return True
        local: set[str] = set()
        for name, annotation, default in inside.parameters:
            if (
                self.has_token(name)
                or (annotation is not None and self.leads(annotation, local, annotation=True))
                or (default is not None and self.leads(default, local))
            ):
                local.add(name)
        changed = True
        while changed:  # names bound to what can be a Redis object, to a fixed point
            changed = False
            for names, source, is_annotation in inside.bindings:
                if not names <= local and self.leads(source, local, is_annotation):
                    local |= names
                    changed = True
        return any(self.may_record(call, local) for call in inside.calls)

    def by_callers(self, func: _Function, cls: str | None) -> bool:
        """Whether the callers in the tree pass a Redis object to a parameter the function
        calls commands on (``def unlock(self, server, key): server.eval(...)``)."""
        qualname = f"{cls}.{func.name}" if cls else func.name
        facts = self.project.function(self.path, qualname)
        return facts is not None and any(
            isinstance(self.project.parameter_value(self.path, qualname, p), RedisType)
            for p in facts.command_receivers
        )

    def by_evidence(self, func: _Function, cls: str | None) -> bool:
        """Whether the function calls Redis-only commands on a receiver of its own or on
        a module-level one (``clients/evidence.py``): the analyzer records those."""
        facts = self.facts
        qualname = f"{cls}.{func.name}" if cls else func.name
        params = facts.evidence_params.get(cls, {}) if cls is not None else {}
        by_param = bool(params) and any(a.arg in params for a in _all_args(func))
        if not (qualname in facts.evidence_locals or facts.evidence_globals or by_param):
            return False
        if not self.project.evidence_applies(self.path):
            return False
        if qualname in facts.evidence_locals or by_param:
            return True
        return any(
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and receiver_text(node.func.value) in facts.evidence_globals
            for node in ast.walk(func)
        )

    def may_record(self, call: ast.Call, local: set[str]) -> bool:
        """Whether the analyzer may record ``call``: a command (a method it records, on
        a receiver that can be a Redis object), a construction (a known Redis class or
        factory, a class deriving from a client) or a script called."""
        func = call.func
        if isinstance(func, ast.Attribute):
            if func.attr in RECORDED_METHODS and self.leads(func.value, local):
                return True
            known = self._known_dotted(func, local)
            if known is not None:  # ``threading.Lock``: resolved as the analyzer does
                return known
            return (
                func.attr in self.project.reach.callables()
                or func.attr in knowledge.KNOWN_LAST_NAMES
            )
        if isinstance(func, ast.Name):
            return func.id in local or self.name_called(func.id)
        return self.leads(func, local)

    def name_called(self, name: str) -> bool:
        """Whether calling the module-level ``name`` is recorded (a construction, a
        script)."""
        found = self._called.get(name)
        if found is None:
            value = self.project.global_value(self.path, name)
            found = self._called[name] = self.project.reach.records_when_called(value)
        return found

    def _known_dotted(self, func: ast.Attribute, local: set[str]) -> bool | None:
        """For a dotted name rooted in a module outside the tree (``threading.Lock``,
        ``redis.Redis``): whether it is a known Redis class or factory. None for any
        other callee."""
        parts = [func.attr]
        node: ast.expr = func.value
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name) or node.id in local:
            return None
        root = self.project.global_value(self.path, node.id)
        if not isinstance(root, Ref):
            return None
        dotted = ".".join([root.qualname, *reversed(parts)])
        return knowledge.known(dotted) is not None

    def class_spans(self, cls: ast.ClassDef) -> list[_Span]:
        """The methods of ``cls`` to leave out."""
        if self.project.class_redis_base(self.path, cls.name) is not None:
            return []  # ``self.set(...)`` is a Redis call in every method
        header = [*cls.bases, *(k.value for k in cls.keywords), *cls.decorator_list]
        self._owner = None  # the header is outside every method
        if any(self.leads(node, set()) for node in header):
            return []  # a base naming Redis that the index cannot resolve
        body = cls.body
        spans: list[_Span] = []
        for stmt in body:
            if isinstance(stmt, _Function) and not self.needed(stmt, cls.name):
                spans.append((_first_line(stmt), _last_line(stmt), None))
        if spans and len(spans) == len(body):  # nothing left: the body keeps a ``pass``
            return _keep_pass(spans, body)
        return spans


class _Inside:
    """What one walk of a function finds: its calls, the names it binds (and from what),
    its parameters, and its strings (docstrings aside)."""

    def __init__(self, func: _Function) -> None:
        self.calls: list[ast.Call] = []
        self.bindings: list[tuple[set[str], ast.AST, bool]] = []  # names, source, annotation
        self.parameters: list[tuple[str, ast.expr | None, ast.expr | None]] = []
        self.strings: list[str] = []
        strings = self.strings
        stack: list[ast.AST] = [func]
        while stack:
            node = stack.pop()
            if type(node) is ast.Expr and type(node.value) is ast.Constant:
                continue  # a docstring or a bare string: nothing reads it
            # the children, less names and other leaves (most of a tree); strings are
            # noted as they are met
            for field in node._fields:
                value = getattr(node, field, None)
                for child in value if type(value) is list else (value,):
                    kind = type(child)
                    if kind in _LEAVES:
                        continue
                    if kind is ast.Constant:
                        constant = child.value  # type: ignore[union-attr]
                        if type(constant) is str:
                            strings.append(constant)
                        elif type(constant) is bytes:
                            strings.append(constant.decode("latin-1"))
                        continue
                    stack.append(child)  # type: ignore[arg-type]
            if isinstance(node, ast.Call):
                self.calls.append(node)
                if (
                    isinstance(node.func, ast.Name)
                    and node.func.id == "isinstance"
                    and len(node.args) == 2
                ):
                    # ``if isinstance(conn, redis.Redis):`` narrows ``conn`` (the analyzer)
                    self._bind([node.args[0]], node.args[1], annotation=True)
            elif isinstance(node, ast.Assign):
                self._bind(node.targets, node.value)
            elif isinstance(node, ast.AnnAssign | ast.AugAssign):
                if node.value is not None:
                    self._bind([node.target], node.value)
                if isinstance(node, ast.AnnAssign):
                    self._bind([node.target], node.annotation, annotation=True)
            elif isinstance(node, ast.NamedExpr):
                self._bind([node.target], node.value)
            elif isinstance(node, ast.For | ast.AsyncFor | ast.comprehension):
                self._bind([node.target], node.iter)
            elif isinstance(node, ast.withitem) and node.optional_vars is not None:
                self._bind([node.optional_vars], node.context_expr)
            elif isinstance(node, ast.arguments):
                self._parameters(node)

    def _bind(self, targets: Sequence[ast.AST], source: ast.AST, annotation: bool = False) -> None:
        names = {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
        if names:
            self.bindings.append((names, source, annotation))

    def _parameters(self, args: ast.arguments) -> None:
        positional = [*args.posonlyargs, *args.args]
        defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults))
        defaults += args.defaults
        pairs = [
            *zip(positional, defaults, strict=True),
            *zip(args.kwonlyargs, args.kw_defaults, strict=True),
        ]
        pairs += [(a, None) for a in (args.vararg, args.kwarg) if a is not None]
        for arg, default in pairs:
            self.parameters.append((arg.arg, arg.annotation, default))


def _all_args(func: _Function) -> list[ast.arg]:
    args = func.args
    return [*args.posonlyargs, *args.args, *args.kwonlyargs]


def _owner(func: _Function, cls: str | None) -> tuple[str, str, bool] | None:
    """The first parameter of a method and what it stands for (see ``_Judge._owner``)."""
    if cls is None:
        return None
    positional = [*func.args.posonlyargs, *func.args.args]
    # as the analyzer reads them: the decorator's code, without a call's arguments
    decorators = {
        ast.unparse(d.func if isinstance(d, ast.Call) else d) for d in func.decorator_list
    }
    if not positional or "staticmethod" in decorators:
        return None
    return positional[0].arg, cls, "classmethod" in decorators


def _quiet_lines(text: str, tree: ast.Module, starts: list[int]) -> set[int]:
    """Lines holding only a comment, or only the docstring of the module, a top-level
    function or class, or a method."""
    quiet = {bisect.bisect_right(starts, m.start()) for m in _COMMENT_LINE.finditer(text)}
    owners: list[ast.Module | ast.ClassDef | _Function] = [tree]
    for stmt in tree.body:
        if isinstance(stmt, ast.ClassDef):
            owners.append(stmt)
            owners.extend(m for m in stmt.body if isinstance(m, _Function))
        elif isinstance(stmt, _Function):
            owners.append(stmt)
    for owner in owners:
        body = owner.body
        first = body[0] if body else None
        if not (
            isinstance(first, ast.Expr)
            and isinstance(first.value, ast.Constant)
            and isinstance(first.value.value, str)
            and first.end_lineno is not None
        ):
            continue
        alone = (isinstance(owner, ast.Module) or first.lineno > owner.lineno) and (
            len(body) == 1 or body[1].lineno > first.end_lineno
        )
        if alone:
            quiet.update(range(first.lineno, first.end_lineno + 1))
    return quiet


def _line_starts(text: str) -> list[int]:
    """Where each line starts (lines end at \\r\\n, \\r or \\n, as for the parsers)."""
    if _OTHER_BREAKS.search(text) is None:  # str.splitlines() breaks lines there too
        starts = [0, *itertools.accumulate(map(len, text.splitlines(keepends=True)))]
        if text and text[-1] not in "\r\n":
            starts.pop()  # the end of a last line without a line break
        return starts
    return [0, *(m.end() for m in _LINE_BREAK.finditer(text))]


def _names_a_server(text: str) -> bool:
    """Whether a string holds a Redis URL (the URL rules read every such literal)."""
    if "://" not in text:
        return False
    lowered = text.lower()
    return any(f"{scheme}://" in lowered for scheme in SCHEMES)


def _getattr_name(call: ast.Call) -> str | None:
    """``getattr(self, "client")`` reads the attribute ``client``."""
    if (
        isinstance(call.func, ast.Name)
        and call.func.id == "getattr"
        and len(call.args) >= 2
        and isinstance(call.args[1], ast.Constant)
        and isinstance(call.args[1].value, str)
    ):
        return call.args[1].value
    return None


def _keep_pass(spans: list[_Span], body: list[ast.stmt]) -> list[_Span]:
    """Blank every method of a class but leave ``pass`` where the first ``def`` was."""
    first = body[0]
    assert isinstance(first, _Function)
    start, end, _ = spans[0]
    if first.lineno == start:
        return [(start, end, first.col_offset), *spans[1:]]
    # decorated: the ``pass`` goes on the ``def`` line, which is long enough to hold it
    return [(start, first.lineno - 1, None), (first.lineno, end, first.col_offset), *spans[1:]]


def _leave_out(text: str, spans: Sequence[_Span], starts: list[int]) -> tuple[str, list[int]]:
    """``text`` without the lines of ``spans`` (a ``pass`` line where a span says so), and
    the line of ``text`` each line of the result is."""
    bounds = [*starts, len(text)]
    pieces: list[str] = []
    lines: list[int] = []
    done, line = 0, 1
    for first, last, pass_column in spans:
        pieces.append(text[done : bounds[first - 1]])
        lines.extend(range(line, first))
        end = bounds[min(last, len(bounds) - 1)]
        if pass_column is not None:  # a class body left empty keeps a statement
            own = text[bounds[first - 1] : bounds[first]]
            pieces.append(" " * pass_column + "pass" + own[len(own.rstrip("\r\n")) :])
            lines.append(first)
        done, line = end, last + 1
    pieces.append(text[done:])
    lines.extend(range(line, len(starts) + 1))
    return "".join(pieces), lines
