"""Structural comparison of key expressions.

Two key arguments name "the same key K" when they have the same shape: the same literal,
or the same template of literal text and holes, whichever way it was written
(``f"user:{uid}"``, ``"user:%s" % uid``, ``"user:{}".format(uid)``, ``"user:" + uid`` are
one shape). Holes compare by their normalised code and, for local names, by which
assignment of the name is visible, so a reassigned ``key`` is a different key.
"""

from __future__ import annotations

import dataclasses
import enum
import re
import string
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import libcst as cst
else:
    from redislint._lazy import cst


_SPACE = re.compile(r"\s+")
_PERCENT = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[#0\- +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?(?P<conv>[diouxXeEfFgGcrsab%])"
)
# Calls whose result differs on every call: two keys built with them never match.
_VOLATILE = ("uuid", "time", "random", "now", "token", "urandom", "monotonic")


@cache
def _empty_module() -> cst.Module:
    return cst.Module(body=[])


def called_name(call: cst.Call) -> str | None:
    """The name a call calls: ``f`` in ``f(x)``, ``m`` in ``obj.m(x)``; None otherwise."""
    func = call.func
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return func.value if isinstance(func, cst.Name) else None


def code(node: cst.CSTNode) -> str:
    """The source of ``node`` with all whitespace removed (a stable comparison text)."""
    return _SPACE.sub("", _empty_module().code_for_node(node))


@dataclass(frozen=True)
class Hole:
    """A part of a key computed at run time, identified by its normalised code."""

    text: str
    volatile: bool = False


Part = str | Hole


class Relation(enum.Enum):
    SAME = "same"
    DIFFERENT = "different"
    MAYBE = "maybe"


@dataclass(frozen=True)
class KeyShape:
    """A key as literal text and holes."""

    parts: tuple[Part, ...]
    # the key helpers whose templates were inlined (``session_key`` for
    # ``session_key(sid)``): names the key is built from, not part of its identity
    via: tuple[str, ...] = dataclasses.field(default=(), compare=False)

    @property
    def literal(self) -> str | None:
        """The whole key when it is a constant."""
        if all(isinstance(p, str) for p in self.parts):
            return "".join(p for p in self.parts if isinstance(p, str))
        return None

    @property
    def prefix(self) -> str:
        return self.parts[0] if self.parts and isinstance(self.parts[0], str) else ""

    @property
    def suffix(self) -> str:
        return self.parts[-1] if self.parts and isinstance(self.parts[-1], str) else ""

    def literal_text(self) -> str:
        """All literal parts joined (holes dropped), for word matching."""
        return " ".join(p for p in self.parts if isinstance(p, str))

    def holes(self) -> tuple[Hole, ...]:
        return tuple(p for p in self.parts if isinstance(p, Hole))

    def display(self) -> str:
        """``user:{uid}``: the key as a template, for messages and glob matching."""
        return "".join(
            p if isinstance(p, str) else "{" + p.text.split("#")[0] + "}" for p in self.parts
        )


def compare(a: KeyShape, b: KeyShape) -> Relation:
    """Whether two key shapes certainly name the same key, certainly not, or may."""
    if a.parts == b.parts:
        if any(isinstance(p, Hole) and p.volatile for p in a.parts):
            return Relation.MAYBE
        return Relation.SAME
    la, lb = a.literal, b.literal
    if la is not None and lb is not None:
        return Relation.DIFFERENT
    pa, pb = a.prefix, b.prefix
    n = min(len(pa), len(pb))
    if pa[:n] != pb[:n]:
        return Relation.DIFFERENT
    sa, sb = a.suffix, b.suffix
    n = min(len(sa), len(sb))
    if n and sa[-n:] != sb[-n:]:
        return Relation.DIFFERENT
    return Relation.MAYBE


if TYPE_CHECKING:
    # A callback that inlines a local name: returns the expression the name is bound to
    # (when it is a string template worth inlining) and the name's binding version (or,
    # for the element of a loop over a collection, which collection: ``"in:keys#1"``).
    NameLookup = Callable[[str], tuple[cst.BaseExpression | None, int | str]]
    # A callback that inlines a key helper's call (``user_key(uid)``): the string
    # template the helper returns, and the call's argument for each of its parameters.
    CallLookup = Callable[
        [cst.Call], tuple[cst.BaseExpression, dict[str, cst.BaseExpression]] | None
    ]


def _merge(parts: list[Part]) -> tuple[Part, ...]:
    out: list[Part] = []
    for part in parts:
        if isinstance(part, str):
            if not part:
                continue
            if out and isinstance(out[-1], str):
                out[-1] += part
                continue
        out.append(part)
    return tuple(out)


class _Builder:
    def __init__(self, lookup: NameLookup | None, calls: CallLookup | None = None) -> None:
        self.lookup = lookup
        self.calls = calls
        self.depth = 0
        # the arguments of the key helper whose template is being inlined
        self.params: list[dict[str, cst.BaseExpression]] = []
        self.via: list[str] = []

    def parts(self, node: cst.BaseExpression) -> list[Part]:
        self.depth += 1
        try:
            if self.depth > 20:
                return [self.hole(node)]
            return self._parts(node)
        finally:
            self.depth -= 1

    def _parts(self, node: cst.BaseExpression) -> list[Part]:
        if isinstance(node, cst.SimpleString | cst.ConcatenatedString):
            value = node.evaluated_value
            if isinstance(value, bytes):
                return [value.decode("utf-8", "surrogateescape")]
            if isinstance(value, str):
                return [value]
            if isinstance(node, cst.ConcatenatedString):
                return self.parts(node.left) + self.parts(node.right)
            return [self.hole(node)]
        if isinstance(node, cst.FormattedString):
            return self.fstring(node)
        if isinstance(node, cst.BinaryOperation):
            if isinstance(node.operator, cst.Add):
                return self.parts(node.left) + self.parts(node.right)
            if isinstance(node.operator, cst.Modulo) and isinstance(node.left, cst.SimpleString):
                return self.percent(node.left, node.right)
            return [self.hole(node)]
        if isinstance(node, cst.Call):
            return self.call(node)
        if isinstance(node, cst.Name) and self.params:
            # a name in a helper's template: its parameter (the caller's argument, in the
            # caller's terms) or a name of the helper's own module
            args = self.params.pop()
            try:
                if node.value in args:
                    return self.parts(args[node.value])
            finally:
                self.params.append(args)
            return [Hole(node.value)]
        if isinstance(node, cst.Name) and self.lookup is not None:
            bound, version = self.lookup(node.value)
            if bound is not None:
                return self.parts(bound)
            return [Hole(f"{node.value}#{version}")]
        return [self.hole(node)]

    def hole(self, node: cst.BaseExpression) -> Hole:
        text = code(node)
        lowered = text.lower()
        volatile = "(" in text and any(v in lowered for v in _VOLATILE)
        return Hole(text, volatile)

    def fstring(self, node: cst.FormattedString) -> list[Part]:
        out: list[Part] = []
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                out.append(part.value.replace("{{", "{").replace("}}", "}"))
            elif isinstance(part, cst.FormattedStringExpression):
                if part.format_spec or part.conversion:
                    out.append(self.hole(part.expression))
                else:
                    out.extend(self.parts(part.expression))
        return out

    def percent(self, fmt: cst.SimpleString, right: cst.BaseExpression) -> list[Part]:
        template = fmt.evaluated_value
        if not isinstance(template, str):
            return [self.hole(fmt)]
        if isinstance(right, cst.Tuple):
            values: list[cst.BaseExpression] = [e.value for e in right.elements]
        else:
            values = [right]
        out: list[Part] = []
        pos = 0
        index = 0
        for match in _PERCENT.finditer(template):
            out.append(template[pos : match.start()])
            pos = match.end()
            if match.group("conv") == "%":
                out.append("%")
                continue
            name = match.group("name")
            if name is not None:
                out.append(Hole(f"{code(right)}[{name}]"))
            elif index < len(values):
                out.extend(self.parts(values[index]))
                index += 1
            else:
                out.append(Hole(code(right)))
        out.append(template[pos:])
        return out

    def call(self, node: cst.Call) -> list[Part]:
        func = node.func
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.SimpleString):
            template = func.value.evaluated_value
            if isinstance(template, str) and func.attr.value == "format":
                return self.format(template, node)
            if isinstance(template, str) and func.attr.value == "join" and len(node.args) == 1:
                seq = node.args[0].value
                if isinstance(seq, cst.List | cst.Tuple):
                    out: list[Part] = []
                    for i, element in enumerate(seq.elements):
                        if i:
                            out.append(template)
                        out.extend(self.parts(element.value))
                    return out
        if isinstance(func, cst.Name) and func.value == "str" and len(node.args) == 1:
            return self.parts(node.args[0].value)
        found = self.calls(node) if self.calls is not None and not self.params else None
        if found is not None:
            returned, args = found
            helper = called_name(node)
            if helper is not None:
                self.via.append(helper)
            self.params.append(args)
            try:
                return self.parts(returned)
            finally:
                self.params.pop()
        return [self.hole(node)]

    def format(self, template: str, node: cst.Call) -> list[Part]:
        positional = [a.value for a in node.args if a.keyword is None and not a.star]
        keywords = {a.keyword.value: a.value for a in node.args if a.keyword is not None}
        if any(a.star for a in node.args):
            return [self.hole(node)]
        out: list[Part] = []
        auto = 0
        try:
            parsed = list(string.Formatter().parse(template))
        except ValueError:
            return [self.hole(node)]
        for literal, field, spec, conversion in parsed:
            out.append(literal)
            if field is None:
                continue
            head = re.split(r"[.\[]", field, maxsplit=1)[0]
            rest = field[len(head) :]
            value: cst.BaseExpression | None
            if head == "":
                value = positional[auto] if auto < len(positional) else None
                auto += 1
            elif head.isdigit():
                index = int(head)
                value = positional[index] if index < len(positional) else None
            else:
                value = keywords.get(head)
            if value is None:
                out.append(Hole(f"{code(node)}:{field}"))
            elif rest or spec or conversion:
                out.append(Hole(code(value) + rest))
            else:
                out.extend(self.parts(value))
        return out


def shape_of(
    node: cst.BaseExpression, lookup: NameLookup | None = None, calls: CallLookup | None = None
) -> KeyShape:
    """The structural shape of a key expression."""
    builder = _Builder(lookup, calls)
    parts = _merge(builder.parts(node))
    return KeyShape(parts, tuple(builder.via)) if builder.via else KeyShape(parts)
