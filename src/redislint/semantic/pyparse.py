"""CPython's own verdict on a text, under the interpreter's default limits.

Workers raise the recursion limit for the analyzer; the standard parser's nesting checks
scale with that limit and with the current stack depth. Asking with a fresh interpreter's
headroom keeps the answer the same in every process, and it is the answer that matters:
the interpreter imports files with that headroom.
"""

from __future__ import annotations

import ast
import re
import sys
import warnings

# CPython's default recursion limit (sys.getrecursionlimit() in a fresh interpreter).
DEFAULT_RECURSION_LIMIT = 1000


def python_parse(text: str) -> ast.Module:
    """``ast.parse(text)`` with the headroom of a fresh interpreter (raises what it raises).

    The parser's nesting checks count from the current stack depth up to the recursion
    limit; the limit is set to the default plus the current depth, so the answer is the
    same in a worker, under pytest or inside flake8.
    """
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(DEFAULT_RECURSION_LIMIT + _depth())
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "invalid escape sequence" is not ours to print
            return ast.parse(text)
    finally:
        sys.setrecursionlimit(old)


# Python 2's ``except E, e:``: the one Python 2 form libcst's parser accepts and CPython 3
# refuses (``print x``, ``raise E, v``, ``0777`` fail in both, so such files are RL000).
_EXCEPT_COMMA = re.compile(r"^(\s*except\s+)([^,:()]+|\([^()]*\))\s*,\s*([A-Za-z_]\w*)\s*:")
_MAX_REPAIRS = 200


def lenient_parse(text: str) -> ast.Module:
    """``python_parse``, reading Python 2's ``except E, e:`` as ``except E as e:`` (line
    numbers kept; columns after the comma move), since libcst lints such files: the index
    must know them too. Raises the first SyntaxError when a failing line is anything else,
    so a broken file stays broken."""
    try:
        return python_parse(text)
    except SyntaxError as exc:
        first = error = exc
    lines = text.splitlines(keepends=True)
    for _ in range(_MAX_REPAIRS):
        number = error.lineno
        if number is None or not 1 <= number <= len(lines):
            raise first
        line = lines[number - 1]
        repaired = _EXCEPT_COMMA.sub(r"\1\2 as \3:", line, count=1)
        if repaired == line:
            raise first
        lines[number - 1] = repaired
        try:
            return python_parse("".join(lines))
        except SyntaxError as exc:
            error = exc
    raise first


def _depth() -> int:
    """The number of Python frames on the stack."""
    frame = sys._getframe(1)
    depth = 1
    while frame.f_back is not None:
        frame = frame.f_back
        depth += 1
    return depth


def python_refusal(text: str) -> tuple[str, int, int] | None:
    """Why CPython refuses ``text`` whatever its version (a nesting limit), or None.

    Other syntax errors are not reported here: libcst may know newer syntax than the
    running interpreter, and a file it parses is checked.
    """
    try:
        python_parse(text)
    except SyntaxError as exc:
        if exc.msg.startswith("too many") or "too complex" in exc.msg:
            return f"syntax error: {exc.msg}", exc.lineno or 1, exc.offset or 1
        return None
    except (RecursionError, MemoryError):
        # CPython's parser reports its own stack exhaustion as MemoryError.
        return "code nested too deeply for Python's parser; the file was not checked", 1, 1
    except ValueError:
        return None
    return None


# libcst's native parser overflows an 8 MB stack at about 7,000 levels of its own nesting.
LIBCST_SAFE_DEPTH = 4000


def libcst_depth(tree: ast.AST) -> int:
    """How deep libcst's tree of the same code gets (an upper bound, computed iteratively).

    The standard parser caps nesting at about 3,000 levels, but keeps ``a and b and ...``
    flat, where libcst nests one level per operator: a long chain of them is the one way
    valid code crashes libcst's native parser.
    """
    deepest = 0
    stack: list[tuple[ast.AST, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        below = depth + 1
        if isinstance(node, ast.BoolOp):
            below += len(node.values) - 1
        stack.extend((child, below) for child in ast.iter_child_nodes(node))
    return deepest
