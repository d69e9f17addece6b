"""CPython's own verdict on a text, under the interpreter's default limits.

Workers raise the recursion limit for the analyzer; the standard parser's nesting checks
scale with that limit. Asking under the default limit keeps the answer the same in every
process, and it is the answer that matters: the interpreter imports files under it.
"""

from __future__ import annotations

import ast
import sys

# CPython's default recursion limit (sys.getrecursionlimit() in a fresh interpreter).
DEFAULT_RECURSION_LIMIT = 1000


def python_parse(text: str) -> ast.Module:
    """``ast.parse(text)`` under the default recursion limit (raises what ast.parse raises)."""
    old = sys.getrecursionlimit()
    if old <= DEFAULT_RECURSION_LIMIT:
        return ast.parse(text)
    sys.setrecursionlimit(DEFAULT_RECURSION_LIMIT)
    try:
        return ast.parse(text)
    finally:
        sys.setrecursionlimit(old)


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
