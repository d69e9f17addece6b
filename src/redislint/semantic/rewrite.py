"""Building fixes: transformed copies of calls and where two commands stand in the code.

Rules describe a fix with the nodes of ``semantic/edits.py``; these helpers build the new
nodes so that only what must change changes (``with_changes`` keeps every other token,
whitespace and comment), and answer the structural questions fixes share: is an
``expire`` the statement right after a ``set``, can its TTL expression be evaluated
earlier, is a pipeline's reply list used.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from redislint.semantic.edits import Change, Remove, Replace
from redislint.semantic.model import Command

if TYPE_CHECKING:
    import libcst as cst
else:
    from redislint._lazy import cst


def _no_space() -> cst.AssignEqual:
    return cst.AssignEqual(
        whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")
    )


def keyword(name: str, value: cst.BaseExpression) -> cst.Arg:
    """``name=value`` as PEP 8 writes a keyword argument."""
    if isinstance(value, cst.NamedExpr) and not value.lpar:
        value = value.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return cst.Arg(value=value, keyword=cst.Name(name), equal=_no_space())


def with_argument(
    call: cst.Call, name: str, value: cst.BaseExpression, bound: cst.BaseExpression | None
) -> cst.Call:
    """``call`` passing ``name=value``: the argument bound to ``name`` (``bound``, from
    ``Command.args``) gets the new value, else a keyword argument is added at the end,
    laid out like the arguments before it (on its own line in a one-per-line call)."""
    args = list(call.args)
    if bound is not None:
        for i, arg in enumerate(args):
            if arg.value is bound:
                args[i] = arg.with_changes(value=value)
                return call.with_changes(args=args)
    new = keyword(name, value)
    if not args:
        return call.with_changes(args=[new])
    last = args[-1]
    if isinstance(last.comma, cst.Comma):  # a trailing comma: the new argument goes last
        previous = args[-2].comma if len(args) > 1 else None
        between = (
            previous.whitespace_after
            if isinstance(previous, cst.Comma)
            else cst.SimpleWhitespace(" ")
        )
        args[-1] = last.with_changes(comma=last.comma.with_changes(whitespace_after=between))
        args.append(new.with_changes(comma=cst.Comma(whitespace_after=last.comma.whitespace_after)))
    else:  # what followed the last argument (a comment, the line break) follows the new one
        args[-1] = last.with_changes(
            comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")),
            whitespace_after_arg=cst.SimpleWhitespace(""),
        )
        args.append(new.with_changes(whitespace_after_arg=last.whitespace_after_arg))
    return call.with_changes(args=args)


def with_method(call: cst.Call, method: str) -> cst.Call | None:
    """``recv.old(...)`` as ``recv.method(...)``."""
    func = call.func
    if not isinstance(func, cst.Attribute):
        return None
    return call.with_changes(func=func.with_changes(attr=cst.Name(method)))


def await_around(cmd: Command) -> cst.Await | None:
    """The ``await`` expression directly around the command's call, if any."""
    parent = cmd.parent
    for name in ("value", "iter", "test", "expression"):
        child = getattr(parent, name, None)
        if isinstance(child, cst.Await) and child.expression is cmd.node:
            return child
    return None


def awaited(call: cst.Call, parent: cst.CSTNode | None) -> cst.Await:
    """``await call``, in parentheses where its reply is used further (an attribute, a
    subscript, a call, the base of ``**``), keeping the call's own parentheses."""
    needs = isinstance(parent, cst.Attribute | cst.Subscript | cst.Call) or (
        isinstance(parent, cst.BinaryOperation)
        and isinstance(parent.operator, cst.Power)
        and parent.left is call
    )
    lpar, rpar = call.lpar, call.rpar
    if needs and not lpar:
        lpar, rpar = (cst.LeftParen(),), (cst.RightParen(),)
    bare = call.with_changes(lpar=(), rpar=())
    return cst.Await(expression=bare, lpar=lpar, rpar=rpar)


def consumer(cmd: Command) -> cst.Call | None:
    """The call that takes ``cmd``'s reply as its only argument (``sorted(r.keys())``)."""
    parent = cmd.parent
    if isinstance(parent, cst.Call) and len(parent.args) == 1 and parent.args[0].value is cmd.node:
        return parent
    return None


def plain_args(cmd: Command) -> bool:
    """No ``*args``/``**kwargs`` in the call: its arguments are all known."""
    return not cmd.args.unpacked and cmd.method != "execute_command"


# -- two commands that a fix merges -------------------------------------------------------


@dataclass(frozen=True)
class Merge:
    """How a command and a later one that a fix folds into it stand in the code."""

    line: cst.SimpleStatementLine  # the later command's statement, to remove
    guard: cst.If | None  # ``if first(...):`` whose body starts with the later command
    safe: bool  # nothing runs in between, and replies are not told apart
    between: bool  # other code may run between the two

    def changes(self, first: Command, new_call: cst.Call) -> tuple[Change, ...]:
        """Replace ``first``'s call by ``new_call`` and remove the later command."""
        guard = self.guard
        if guard is None:
            statement = first.statement
            comment = self.line.trailing_whitespace.comment
            if (
                comment is not None
                and isinstance(statement, cst.SimpleStatementLine)
                and statement.trailing_whitespace.comment is None
            ):  # the removed line's comment moves to the merged command
                merged = statement.deep_replace(first.node, new_call)
                assert isinstance(merged, cst.SimpleStatementLine)
                merged = merged.with_changes(trailing_whitespace=self.line.trailing_whitespace)
                return (Replace(statement, merged), Remove(self.line, keep_comment=False))
            return (Replace(first.node, new_call), Remove(self.line))
        body = guard.body
        assert isinstance(body, cst.IndentedBlock)
        if len(body.body) > 1:
            return (Replace(first.node, new_call), Remove(self.line))
        quiet = body.header.comment is None and not any(
            ll.comment is not None for ll in self.line.leading_lines
        )
        if guard.orelse is None and quiet:  # ``if first(): later()`` -> ``first_fixed()``
            test = guard.test
            value = new_call if test is first.node else test.with_changes(expression=new_call)
            statement = cst.SimpleStatementLine(
                body=[cst.Expr(value)],
                leading_lines=guard.leading_lines,
                trailing_whitespace=self.line.trailing_whitespace,
            )
            return (Replace(guard, statement),)
        return (Replace(first.node, new_call), Replace(self.line, _pass_like(self.line)))


def _small_value(statement: cst.BaseStatement) -> cst.BaseExpression | None:
    """The expression of a one-statement line (``expr``, ``x = expr``, ``await expr``)."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    small = statement.body[0]
    value: cst.BaseExpression | None = None
    if isinstance(small, cst.Expr | cst.Assign | cst.AnnAssign):
        value = small.value
    if isinstance(value, cst.Await):
        value = value.expression
    return value


def _is_call(expression: cst.BaseExpression | None, call: cst.Call) -> bool:
    if isinstance(expression, cst.Await):
        expression = expression.expression
    return expression is call


def _exits(block: cst.BaseSuite) -> bool:
    """The block always leaves (its last statement returns, raises, continues, breaks)."""
    if not isinstance(block, cst.IndentedBlock) or not block.body:
        return False
    last = block.body[-1]
    return isinstance(last, cst.SimpleStatementLine) and isinstance(
        last.body[-1], cst.Return | cst.Raise | cst.Continue | cst.Break
    )


def only_tested(cmd: Command) -> bool:
    """The call is the test of an ``if``/``while`` (``if r.setnx(...):``, ``if not ...:``)."""
    statement = cmd.statement
    if not isinstance(statement, cst.If | cst.While):
        return False
    test = statement.test
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        test = test.expression
    return _is_call(test, cmd.node)


def discarded_statement(cmd: Command) -> cst.SimpleStatementLine | None:
    """The line holding just ``cmd`` (or ``await cmd``) as a statement whose value is unused."""
    statement = cmd.statement
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    small = statement.body[0]
    if isinstance(small, cst.Expr) and _is_call(small.value, cmd.node):
        return statement
    return None


def merge(first: Command, later: Command, value_safe: bool) -> Merge | None:
    """Whether ``later`` (a discarded statement) can be folded into ``first``'s call.

    Supported layouts: ``later`` is a statement of ``first``'s block after the statement
    holding ``first`` (as a statement, an assignment, or the test of an ``if``), or the
    first statement of the body of ``if first(...):``. ``value_safe``: ``first``'s reply
    means the same after the fix (else every fix is unsafe).
    """
    line = discarded_statement(later)
    if line is None or first.receiver_text != later.receiver_text or first.pipe is not later.pipe:
        return None
    statement = first.statement
    if statement is None:
        return None
    if isinstance(statement, cst.If) and _is_call(statement.test, first.node):
        body = statement.body
        if isinstance(body, cst.IndentedBlock) and body.body and body.body[0] is line:
            return Merge(line, statement, _replies_safe(first) and value_safe, between=False)
    block = first.block
    if block is None or later.block is not block:
        return None
    statements = list(block.body)
    try:
        i, j = statements.index(statement), statements.index(line)
    except ValueError:
        return None
    if j <= i:
        return None
    adjacent = j == i + 1
    if _is_call(_small_value(statement), first.node):
        between = not adjacent
        safe = adjacent
    elif isinstance(statement, cst.If) and statement.orelse is None:
        test = statement.test
        negated = (
            isinstance(test, cst.UnaryOperation)
            and isinstance(test.operator, cst.Not)
            and _is_call(test.expression, first.node)
        )
        if not (negated or _is_call(test, first.node)):
            return None
        # ``if not first(): <leave>`` then ``later``: later runs only after a success
        safe = adjacent and negated and _exits(statement.body)
        between = not safe
    else:
        return None
    return Merge(line, None, safe and _replies_safe(first) and value_safe, between)


def _pass_like(line: cst.SimpleStatementLine) -> cst.SimpleStatementLine:
    """``pass`` in place of a statement that was alone in its block (comments kept)."""
    return line.with_changes(body=[cst.Pass()])


def _replies_safe(cmd: Command) -> bool:
    """Dropping a command from a pipeline changes the list ``execute()`` returns."""
    pipe = cmd.pipe
    if pipe is None:
        return True
    for other in cmd.scope.later(cmd):
        if other.pipe is pipe and other.method == "execute":
            return other.usage in ("discarded", "awaited")
    return False


def movable(node: cst.BaseExpression, cmd: Command) -> bool:
    """Whether ``node`` has the same value earlier in ``cmd``'s function: literals, and
    names (and their attributes) never assigned in the function (parameters, globals)."""
    if isinstance(node, cst.Integer | cst.Float):
        return True
    if isinstance(node, cst.UnaryOperation):
        return movable(node.expression, cmd)
    if isinstance(node, cst.BinaryOperation):
        return movable(node.left, cmd) and movable(node.right, cmd)
    if isinstance(node, cst.Name):
        scope = cmd.scope
        return scope.kind == "function" and scope.versions.get(node.value, 0) == 0
    if isinstance(node, cst.Attribute):
        return movable(node.value, cmd)
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Name | cst.Attribute):
        func = node.func.value if isinstance(node.func, cst.Name) else node.func.attr.value
        return func == "timedelta" and all(movable(a.value, cmd) for a in node.args if not a.star)
    return False
