"""What a loop does besides its commands: where it waits, and how it can end.

Rules about polling and consumer loops ask whether a loop sleeps (or waits some other
way) and which statements leave it under which conditions. The analyzer records the
loops around every command (``Command.loops``) and, during its one traversal, the calls
that pause inside each loop (``is_wait``); ``inspect_loop`` reads one loop's statements
(not their expressions) for exits, and ``FileContext.loop_facts`` caches the answer per
loop node, so a loop is inspected once however many commands it holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from redislint.clients.names import words
from redislint.semantic.arguments import literal
from redislint.semantic.model import Command
from redislint.semantic.nodes import children

if TYPE_CHECKING:
    import libcst as cst
else:
    from redislint._lazy import cst

# Words in the name of a called function that mean the loop pauses there:
# time.sleep, asyncio.sleep, event.wait(1), self._backoff(), throttle()...
WAIT_WORDS = frozenset({"sleep", "wait", "backoff", "pause", "throttle"})

Condition = tuple["cst.BaseExpression", int]  # an ``if`` test and the arm taken (0: true)


@dataclass(frozen=True)
class Exit:
    """A statement that leaves the loop, and the ``if`` tests on the way to it.

    ``conditions`` lists the tests from the outermost in; ``guarded`` is True when the
    statement is also inside something else that decides whether it runs (an ``except``
    handler, a ``match`` case, a nested loop's body).
    """

    node: cst.CSTNode
    conditions: tuple[Condition, ...]
    guarded: bool = False


@dataclass(frozen=True)
class LoopFacts:
    """One loop: its pauses, its exits, and the calls in a ``while`` test."""

    waits: tuple[cst.Call, ...]
    exits: tuple[Exit, ...]
    test_calls: tuple[cst.Call, ...]


def is_wait(call: cst.Call) -> bool:
    """A call that pauses: ``sleep(n)`` (n not a literal 0), ``wait(...)``, ``select(..., t)``."""
    func = call.func
    if isinstance(func, cst.Attribute):
        name = func.attr.value
    elif isinstance(func, cst.Name):
        name = func.value
    else:
        return False
    if name == "select":
        return len(call.args) >= 4  # select.select(r, w, x, timeout)
    name_words = set(words(name))
    if not name_words & WAIT_WORDS:
        return False
    if "sleep" in name_words and call.args:
        value = literal(call.args[0].value)
        if isinstance(value, int | float) and not isinstance(value, bool) and value == 0:
            return False  # sleep(0) only yields: the loop still spins
    return True


class _Reader:
    def __init__(self, loop: cst.For | cst.While) -> None:
        self.loop = loop
        self.exits: list[Exit] = []
        self.test_calls: list[cst.Call] = []

    def run(self, waits: Sequence[cst.Call]) -> LoopFacts:
        if isinstance(self.loop, cst.While):
            self.test_calls = _calls_in(self.loop.test)
            # the loop ends when its test is false
            self.exits.append(Exit(self.loop.test, ((self.loop.test, 1),)))
        self.block(self.loop.body, (), nested=False, guarded=False)
        return LoopFacts(tuple(waits), tuple(self.exits), tuple(self.test_calls))

    def block(
        self,
        body: cst.BaseSuite | cst.CSTNode,
        conditions: tuple[Condition, ...],
        nested: bool,
        guarded: bool,
    ) -> None:
        if isinstance(body, cst.IndentedBlock):
            statements: list[cst.CSTNode] = list(body.body)
        elif isinstance(body, cst.SimpleStatementSuite):
            statements = list(body.body)
        else:
            statements = [body]
        for statement in statements:
            self.statement(statement, conditions, nested, guarded)
            if isinstance(statement, cst.If):
                # ``if not item: continue`` (or break/return/raise): what follows runs
                # only in the other arm
                if _jumps(statement.body) and statement.orelse is None:
                    conditions = (*conditions, (statement.test, 1))
                elif (
                    isinstance(statement.orelse, cst.Else)
                    and _jumps(statement.orelse.body)
                    and not _jumps(statement.body)
                ):
                    conditions = (*conditions, (statement.test, 0))

    def statement(
        self,
        node: cst.CSTNode,
        conditions: tuple[Condition, ...],
        nested: bool,
        guarded: bool,
    ) -> None:
        if isinstance(node, cst.SimpleStatementLine):
            for small in node.body:
                self.statement(small, conditions, nested, guarded)
        elif isinstance(node, cst.Break):
            if not nested:
                self.exits.append(Exit(node, conditions, guarded))
        elif isinstance(node, cst.Return | cst.Raise):
            self.exits.append(Exit(node, conditions, guarded or nested))
        elif isinstance(node, cst.If):
            self.block(node.body, (*conditions, (node.test, 0)), nested, guarded)
            if node.orelse is not None:
                orelse = node.orelse
                inner = (*conditions, (node.test, 1))
                if isinstance(orelse, cst.If):
                    self.statement(orelse, inner, nested, guarded)
                else:
                    self.block(orelse.body, inner, nested, guarded)
        elif isinstance(node, cst.While | cst.For):
            self.block(node.body, conditions, nested=True, guarded=guarded)
            if node.orelse is not None:
                self.block(node.orelse.body, conditions, nested, guarded)
        elif isinstance(node, cst.Try | cst.TryStar):
            self.block(node.body, conditions, nested, guarded)
            for handler in node.handlers:
                self.block(handler.body, conditions, nested, guarded=True)
            if node.orelse is not None:
                self.block(node.orelse.body, conditions, nested, guarded)
            if node.finalbody is not None:
                self.block(node.finalbody.body, conditions, nested, guarded)
        elif isinstance(node, cst.With):
            self.block(node.body, conditions, nested, guarded)
        elif isinstance(node, cst.Match):
            for case in node.cases:
                self.block(case.body, conditions, nested, guarded=True)


def _jumps(body: cst.BaseSuite) -> bool:
    """Whether a block always ends by leaving it (continue, break, return, raise)."""
    if isinstance(body, cst.IndentedBlock):
        if not body.body:
            return False
        last: cst.CSTNode = body.body[-1]
        if not isinstance(last, cst.SimpleStatementLine):
            return False
        small = last.body
    elif isinstance(body, cst.SimpleStatementSuite):
        small = body.body
    else:
        return False
    return bool(small) and isinstance(small[-1], cst.Continue | cst.Break | cst.Return | cst.Raise)


def inspect_loop(loop: cst.CSTNode, waits: Sequence[cst.Call] = ()) -> LoopFacts:
    """The exits of a ``for``/``while`` loop; ``waits`` are its pausing calls (from the analyzer)."""
    if not isinstance(loop, cst.For | cst.While):
        return LoopFacts(tuple(waits), (), ())
    return _Reader(loop).run(waits)


def _nodes(node: cst.CSTNode) -> list[cst.CSTNode]:
    """``node`` and the expressions below it, not entering lambdas (small: one test)."""
    found: list[cst.CSTNode] = []
    todo = [node]
    while todo:
        current = todo.pop()
        found.append(current)
        if not isinstance(current, cst.Lambda):
            todo.extend(children(current))
    return found


def _calls_in(node: cst.CSTNode) -> list[cst.Call]:
    return [n for n in _nodes(node) if isinstance(n, cst.Call)]


def mentions(node: cst.CSTNode, names: frozenset[str], calls: frozenset[int]) -> bool:
    """Whether an expression uses one of ``names`` or contains one of the ``calls`` (by id)."""
    return any(
        id(n) in calls or (isinstance(n, cst.Name) and n.value in names) for n in _nodes(node)
    )


def empty_when_true(
    test: cst.BaseExpression, refers: frozenset[str], calls: frozenset[int]
) -> bool | None:
    """Is ``test`` true exactly when the value it checks is empty/None?

    True for ``not item``, ``item is None``, ``len(items) == 0``; False for ``item``,
    ``item is not None``, ``len(items) > 0``; None when the test says something else.
    """
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        inner = empty_when_true(test.expression, refers, calls)
        return None if inner is None else not inner
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        target = test.comparisons[0]
        left, right = test.left, target.comparator
        if not _is_value(left, refers, calls):
            left, right = right, left
        if not _is_value(left, refers, calls):
            return None
        empty = _is_empty_literal(right)
        if not empty:
            if _is_zero(right) and isinstance(target.operator, cst.GreaterThan):
                return False  # len(x) > 0
            return None
        operator = target.operator
        if isinstance(operator, cst.Is | cst.Equal):
            return True
        if isinstance(operator, cst.IsNot | cst.NotEqual):
            return False
        return None
    if _is_value(test, refers, calls):
        return False
    return None


def _is_value(node: cst.BaseExpression, refers: frozenset[str], calls: frozenset[int]) -> bool:
    """The checked value itself: a name bound to it, the call, ``(x := call)``, ``len(x)``."""
    if isinstance(node, cst.Name):
        return node.value in refers
    if id(node) in calls:
        return True
    if isinstance(node, cst.NamedExpr):
        return _is_value(node.value, refers, calls) or _is_value(node.target, refers, calls)
    if isinstance(node, cst.Await):
        return _is_value(node.expression, refers, calls)
    if (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Name)
        and node.func.value in ("len", "bool")
        and len(node.args) == 1
    ):
        return _is_value(node.args[0].value, refers, calls)
    return False


def _is_empty_literal(node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.Name) and node.value == "None":
        return True
    if isinstance(node, cst.List | cst.Tuple | cst.Dict) and not node.elements:
        return True
    if isinstance(node, cst.SimpleString) and node.evaluated_value in ("", b""):
        return True
    return _is_zero(node)


def _is_zero(node: cst.BaseExpression) -> bool:
    value = literal(node)
    return isinstance(value, int) and not isinstance(value, bool) and value == 0


def exit_kinds(facts: LoopFacts, refers: frozenset[str], calls: frozenset[int]) -> frozenset[str]:
    """How the loop's exits depend on a value (names bound to it, calls producing it).

    ``"empty"``: an exit taken when the value is empty/None (a draining loop);
    ``"value"``: an exit taken only when it holds something (waiting for one item);
    ``"unknown"``: an exit under a test of the value that says something else;
    ``"always"``: an exit that does not depend on anything (the body runs once).
    Exits under tests that do not involve the value (``if stopping: break``) are left out.
    """
    kinds: set[str] = set()
    for exit in facts.exits:
        dependent = [(t, a) for t, a in exit.conditions if mentions(t, refers, calls)]
        if not dependent:
            if not exit.conditions and not exit.guarded:
                kinds.add("always")
            continue
        polarity: set[bool | None] = set()
        for test, arm in dependent:
            empty = empty_when_true(test, refers, calls)
            polarity.add(None if empty is None else (empty if arm == 0 else not empty))
        if False in polarity:
            kinds.add("value")
        elif None in polarity:
            kinds.add("unknown")
        else:
            kinds.add("empty")
    return frozenset(kinds)


def result_refs(cmd: Command) -> frozenset[str]:
    """Local names that hold ``cmd``'s result, or values computed from it."""
    names = {name for name, _ in cmd.result_names}
    names.update(n for n, origins in cmd.scope.origins.items() if cmd in origins)
    return frozenset(names)
