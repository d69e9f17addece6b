"""A tiny, parser-neutral form of the expressions that client recognition looks at.

The project index reads module-level facts with the standard library's ``ast`` (cheap),
the rule pass reads function bodies with libcst; both turn the expressions that matter
(names, attributes, calls, subscripts, alternatives, annotations) into these symbols, so
one resolver (``redislint.clients.resolve``) decides what every expression is.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import lru_cache

from redislint.credentials import is_credential_url, mask_credentials, secret_name


@dataclass(frozen=True)
class SName:
    id: str


@dataclass(frozen=True)
class SAttr:
    value: Sym
    attr: str


@dataclass(frozen=True)
class SCall:
    func: Sym
    args: tuple[Sym, ...] = ()
    kwargs: tuple[tuple[str, Sym], ...] = ()

    def kwarg(self, name: str) -> Sym | None:
        for key, value in self.kwargs:
            if key == name:
                return value
        return None


@dataclass(frozen=True)
class SSub:
    value: Sym
    index: tuple[Sym, ...]


@dataclass(frozen=True)
class SAlt:
    """One of several values: ``a or b``, ``x if c else y``, ``X | None``."""

    options: tuple[Sym, ...]


@dataclass(frozen=True)
class SAwait:
    value: Sym


@dataclass(frozen=True)
class SConst:
    value: str | bytes | int | float | complex | bool | None


@dataclass(frozen=True)
class SAnnot:
    """An instance of the type written as ``annotation``."""

    annotation: Sym


@dataclass(frozen=True)
class SIter:
    """An element of ``value`` (a ``for`` target)."""

    value: Sym


@dataclass(frozen=True)
class _Other:
    """An expression that is certainly not a Redis object (a literal, a display...)."""

    def __reduce__(self) -> str:
        return "SOTHER"  # unpickles as the module's singleton


@dataclass(frozen=True)
class _Unknown:
    """An expression we cannot see into."""

    def __reduce__(self) -> str:
        return "SUNKNOWN"


SOTHER = _Other()
SUNKNOWN = _Unknown()

Sym = SName | SAttr | SCall | SSub | SAlt | SAwait | SConst | SAnnot | SIter | _Other | _Unknown


def dotted(sym: Sym) -> str | None:
    """``a.b.c`` for a chain of names and attributes, else None."""
    if isinstance(sym, SName):
        return sym.id
    if isinstance(sym, SAttr):
        base = dotted(sym.value)
        return None if base is None else f"{base}.{sym.attr}"
    return None


def callee_name(sym: Sym) -> str | None:
    """The dotted name of what ``sym`` calls, or of ``sym`` itself."""
    if isinstance(sym, SCall):
        return dotted(sym.func)
    return dotted(sym)


# Deeper expressions are UNKNOWN past this many levels (no client expression comes close).
MAX_DEPTH = 64

_OTHER_AST = (
    ast.Dict,
    ast.List,
    ast.Set,
    ast.Tuple,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
    ast.GeneratorExp,
    ast.Lambda,
    ast.JoinedStr,
    ast.Compare,
    ast.UnaryOp,
)


def from_ast(node: ast.expr | None, depth: int = 0) -> Sym:
    """Convert a standard-library ``ast`` expression.

    Past ``MAX_DEPTH`` levels the rest is UNKNOWN: facts stay small enough to pickle and
    to store as JSON in any process (a 3,000-link attribute chain is valid Python).
    """
    if node is None or depth > MAX_DEPTH:
        return SUNKNOWN
    below = depth + 1
    if isinstance(node, ast.Name):
        return SName(node.id)
    if isinstance(node, ast.Attribute):
        return SAttr(from_ast(node.value, below), node.attr)
    if isinstance(node, ast.Call):
        args = tuple(
            SUNKNOWN if isinstance(a, ast.Starred) else from_ast(a, below) for a in node.args[:3]
        )
        if authenticates(node):
            args = masked_auth(args)
        kwargs = tuple(
            (k.arg, masked(value) if secret_name(k.arg) else value)
            for k in node.keywords
            if k.arg is not None
            for value in (from_ast(k.value, below),)
        )
        return SCall(from_ast(node.func, below), args, kwargs)
    if isinstance(node, ast.Subscript):
        index = node.slice
        items = index.elts if isinstance(index, ast.Tuple) else [index]
        return SSub(from_ast(node.value, below), tuple(from_ast(i, below) for i in items))
    if isinstance(node, ast.BoolOp):
        return SAlt(tuple(from_ast(v, below) for v in node.values))
    if isinstance(node, ast.IfExp):
        return SAlt((from_ast(node.body, below), from_ast(node.orelse, below)))
    if isinstance(node, ast.BinOp):
        if isinstance(node.op, ast.BitOr):
            return SAlt((from_ast(node.left, below), from_ast(node.right, below)))
        return SOTHER
    if isinstance(node, ast.Await):
        return SAwait(from_ast(node.value, below))
    if isinstance(node, ast.NamedExpr):
        return from_ast(node.value, below)
    if isinstance(node, ast.Constant):
        value = node.value
        if value is Ellipsis:
            return SOTHER
        if isinstance(value, str) and is_credential_url(value):
            return SConst(mask_credentials(value))  # the index never holds a password
        return SConst(value)
    if isinstance(node, _OTHER_AST):
        return SOTHER
    return SUNKNOWN


def masked(sym: Sym) -> Sym:
    """A string constant as the index keeps a credential: masked, its length kept."""
    if isinstance(sym, SConst) and isinstance(sym.value, str | bytes) and sym.value:
        return SConst("*" * len(sym.value))
    return sym


def masked_auth(args: tuple[Sym, ...]) -> tuple[Sym, ...]:
    """The arguments of an authenticating call, masked (but ``"AUTH"`` itself)."""
    return tuple(
        a if i == 0 and isinstance(a, SConst) and a.value == "AUTH" else masked(a)
        for i, a in enumerate(args)
    )


def authenticates(node: ast.Call) -> bool:
    """``r.auth(password)`` or ``r.execute_command("AUTH", ...)``: its arguments are secret."""
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if name == "auth":
        return True
    first = node.args[0] if node.args else None
    return (
        name == "execute_command"
        and isinstance(first, ast.Constant)
        and isinstance(first.value, str)
        and first.value.upper() == "AUTH"
    )


@lru_cache(maxsize=4096)
def parse_annotation_string(text: str) -> Sym:
    """Turn a string annotation (``"Redis | None"``) into symbols."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError):
        return SUNKNOWN
    return from_ast(tree.body)
