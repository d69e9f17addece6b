"""What the rule pass learns about a file: scopes, Redis commands, client constructions.

The analyzer (``engine.analyzer``) fills these in during its one traversal; rules read
them. Nothing here walks the tree again.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from redislint.clients.types import Kind, RedisType, Value
from redislint.commands import CommandInfo, MethodInfo, command_info
from redislint.keys.shape import KeyShape, Relation, compare

if TYPE_CHECKING:
    import libcst as cst
else:
    from redislint._lazy import cst

# (branch id, arm index): statements in different arms of one branch never both run.
Arm = tuple[int, int]


class TxMode(enum.Enum):
    """How a command reaches the server."""

    IMMEDIATE = "immediate"  # sent now, on a client
    WATCHING = "watching"  # sent now, on a pipeline after watch(): optimistic locking
    QUEUED = "queued"  # buffered in a pipeline that is not a transaction
    TRANSACTION = "transaction"  # buffered between MULTI and EXEC


@dataclass(eq=False)
class Pipe:
    """The state of one pipeline object within a scope."""

    ident: str
    transaction: bool | None
    mode: str = "buffer"  # "buffer", "watch" (after watch()), "multi" (after multi())
    executed: bool = False
    callback: bool = False  # the pipe handed to a client.transaction() callback
    # the ``pipeline()`` call that made it, when it was made in this scope and bound to a
    # local name (``p = r.pipeline()``, ``with r.pipeline() as p``) or chained on the call
    created: Command | None = None
    uses: list[str] = field(default_factory=list)  # fates of later loads of its name


@dataclass(eq=False)
class BoundArgs:
    """A call's arguments bound to the parameters of the redis-py method."""

    params: dict[str, cst.BaseExpression] = field(default_factory=dict)
    varargs: list[cst.BaseExpression] = field(default_factory=list)
    extra_keywords: dict[str, cst.BaseExpression] = field(default_factory=dict)
    positional: list[cst.BaseExpression] = field(default_factory=list)
    unpacked: bool = False  # ``*args`` / ``**kwargs`` in the call: anything may be passed

    def get(self, name: str) -> cst.BaseExpression | None:
        found = self.params.get(name)
        return found if found is not None else self.extra_keywords.get(name)


@dataclass(eq=False)
class Key:
    """A key argument and its structural shape."""

    node: cst.BaseExpression
    shape: KeyShape


@dataclass(eq=False)
class Guard:
    """An enclosing ``if``/``while`` test and which arm the code is in."""

    test: cst.BaseExpression
    arm: int  # 0: the test held, 1: it did not
    origins: frozenset[Command]
    # the code after ``if test: return`` (no ``else``) in the same block: it runs only
    # when the test failed, though it is not inside the ``if``
    exit: bool = False
    # the statements the guarded code is made of: the arm's body, or for an exit guard
    # the rest of the block
    block: tuple[cst.CSTNode, ...] = ()


@dataclass(eq=False)
class TryContext:
    node: cst.Try | cst.TryStar
    part: str  # "body", "handler", "else", "finally"
    loop_depth: int = 0  # how many loops of the scope enclose the ``try`` itself
    handler: cst.ExceptHandler | cst.ExceptStarHandler | None = None  # for part "handler"


@dataclass(eq=False)
class Command:
    """A method call on a recognised Redis object (a command, ``pipeline()``, ``acquire()``...)."""

    node: cst.Call
    method: str  # the method as called: "set", "execute_command", "acquire"
    name: str  # the Redis command it sends (lower case), or the method name
    receiver: RedisType
    receiver_node: cst.BaseExpression
    receiver_text: str
    info: CommandInfo | None
    method_info: MethodInfo | None
    args: BoundArgs
    keys: tuple[Key, ...]
    scope: Scope
    arms: tuple[Arm, ...]
    loops: tuple[cst.CSTNode, ...]
    guards: tuple[Guard, ...]
    trys: tuple[TryContext, ...]
    tx: TxMode
    pipe: Pipe | None
    usage: str  # discarded, awaited, returned, assigned, argument, condition, iterated, ...
    awaited: bool
    parent: cst.CSTNode | None
    arg_origins: frozenset[Command] = frozenset()  # results flowing into the values
    result_names: list[tuple[str, int]] = field(default_factory=list)
    # what the names used in the arguments were bound to when the call ran (and, a few
    # steps on, the names those expressions use): ``data`` -> ``f.read()``, ``f`` -> ``open(p)``
    bindings: dict[str, cst.BaseExpression] = field(default_factory=dict)
    index: int = 0
    # the innermost statement around the call, and the module or block whose body holds
    # it (None inside a one-line suite such as ``if x: a(); b()``): what fixes edit
    statement: cst.BaseStatement | None = None
    block: cst.Module | cst.IndentedBlock | None = None
    fate: str = ""  # where the result goes, as for ``Construction.fate``
    # exits nested in an earlier ``if`` of the block (``if v: if int(v) > n: return``):
    # the code here runs only on some outcomes of their tests, which ``guards`` omit
    partial_guards: tuple[Guard, ...] = ()
    # for ``execute()``: the commands queued since the pipeline's last execute, whose
    # replies it returns (what flows from it flows from them); for those, that execute()
    replies: tuple[Command, ...] = ()
    replied_by: Command | None = None

    @property
    def key(self) -> Key | None:
        return self.keys[0] if self.keys else None

    @property
    def call(self) -> str:
        """The method as a message shows it: ``set``, or ``json().set`` on a JSON object."""
        return f"json().{self.method}" if self.receiver.kind is Kind.JSON else self.method

    def in_other_arm(self, other: Command, guard: Guard | None = None) -> bool:
        """Whether ``other`` is on another arm of an ``if`` around this command (of
        ``guard``'s ``if``, when given): the two never run in one pass."""
        mine = [guard] if guard is not None else self.guards
        return any(g.test is m.test and g.arm != m.arm for m in mine for g in other.guards)

    def same_key(self, other: Command) -> Relation:
        """How this command's first key relates to ``other``'s."""
        if not self.keys or not other.keys:
            return Relation.MAYBE
        return compare(self.keys[0].shape, other.keys[0].shape)

    def is_write(self) -> bool:
        return self.info is not None and self.info.is_write

    def is_read(self) -> bool:
        return self.info is not None and self.info.is_readonly

    def __repr__(self) -> str:
        return f"<Command {self.method} {self.name} in {self.scope.name}>"


@dataclass(eq=False)
class Construction:
    """A Redis client, pool, lock or pipeline built by calling a class or factory."""

    node: cst.Call
    qualname: str  # what was called, e.g. "redis.Redis" or "redis.from_url"
    type: RedisType
    scope: Scope
    loops: tuple[cst.CSTNode, ...]
    usage: str
    parent: cst.CSTNode | None
    # Where the object goes (``Analyzer.fate``): "returned", "stored" (attribute, item,
    # global), "argument", "local" (a local name), "context" (``with``), "receiver" (of a
    # method call), "method" (an attribute taken without a call), "closure" (loaded by a
    # nested function), "discarded", "condition", "iterated", "other".
    fate: str = ""
    names: list[str] = field(default_factory=list)  # local names bound to it
    uses: list[str] = field(default_factory=list)  # fates of later loads of those names


@dataclass(eq=False)
class StringLiteral:
    """A string literal that looks like a URL (``"redis://..."``), with the call it is
    passed to, if any. Docstrings and other bare string statements are not recorded."""

    node: cst.SimpleString | cst.FormattedString
    scope: Scope
    call: cst.Call | None
    keyword: str | None  # the keyword it is passed as (``url=``), if any


@dataclass(eq=False)
class Scope:
    """A module, class body, function or lambda, with its events in execution order."""

    kind: str  # "module", "class", "function", "lambda"
    node: cst.CSTNode
    name: str
    parent: Scope | None
    is_async: bool = False
    class_qualname: str | None = None  # the class a method belongs to
    commands: list[Command] = field(default_factory=list)
    constructions: list[Construction] = field(default_factory=list)
    names: dict[str, Value] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)
    strings: dict[str, cst.BaseExpression] = field(default_factory=dict)
    exprs: dict[str, cst.BaseExpression] = field(default_factory=dict)  # last value bound
    origins: dict[str, frozenset[Command]] = field(default_factory=dict)
    # names bound by a loop over a collection -> which collection (``"in:names#0"``): the
    # element of two loops over one collection is, element by element, the same key
    elements: dict[str, str] = field(default_factory=dict)
    # a collection filled with one key template (``keys.append(f"user:{u}")``) -> it
    collected: dict[str, cst.BaseExpression] = field(default_factory=dict)
    loads: dict[tuple[str, int], list[bool]] = field(default_factory=dict)
    declared_global: set[str] = field(default_factory=set)
    pipes: dict[str, Pipe] = field(default_factory=dict)
    # every ``if``/``while`` test, with how many commands of the scope came before it
    conditions: list[tuple[cst.BaseExpression, int]] = field(default_factory=list)
    # (name, version) -> constructions and pipes bound to it, whose later uses are noted
    held: dict[tuple[str, int], list[Construction | Pipe]] = field(default_factory=dict)
    callback_param: str | None = None
    decorators: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return f"<Scope {self.kind} {self.name}>"

    @property
    def enclosing_class(self) -> str | None:
        """The class whose method this scope is, or whose method it is nested in (``self``
        seen from a closure inside a method is still that method's instance)."""
        current: Scope | None = self
        while current is not None:
            if current.class_qualname is not None:
                return current.class_qualname
            current = current.parent
        return None

    def later(self, cmd: Command) -> Iterator[Command]:
        """Commands that may run after ``cmd`` (not in an exclusive branch)."""
        for other in self.commands[cmd.index + 1 :]:
            if not exclusive(cmd.arms, other.arms):
                yield other

    def earlier(self, cmd: Command) -> Iterator[Command]:
        """Commands that may run before ``cmd``: not in an exclusive branch, nor in the
        body of an ``if`` that always leaves the block before ``cmd`` (``if c: return
        r.get(k)`` ... ``r.delete(k)``)."""
        exits = [g for g in cmd.guards if g.exit]
        for other in self.commands[: cmd.index]:
            if exclusive(cmd.arms, other.arms):
                continue
            if exits and any(
                g.test is e.test and g.arm != e.arm and not g.exit
                for g in other.guards
                for e in exits
            ):
                continue
            yield other


def exclusive(a: tuple[Arm, ...], b: tuple[Arm, ...]) -> bool:
    """Whether two branch paths lie in different arms of one ``if``/``try``/``match``."""
    if not a or not b:
        return False
    arms = dict(a)
    return any(arms.get(branch, arm) != arm for branch, arm in b)


def execute_command_info(args: BoundArgs) -> CommandInfo | None:
    """The command an ``execute_command("NAME", ...)`` call sends, if its name is literal."""
    if not args.varargs:
        return None
    first = args.varargs[0]
    if isinstance(first, cst.SimpleString):
        value = first.evaluated_value
        if isinstance(value, bytes):
            value = value.decode("latin-1")
        if isinstance(value, str) and value.strip():
            words = value.split()
            if len(words) > 1:
                sub = command_info(f"{words[0]}|{words[1]}")
                if sub is not None:
                    return sub
            if len(args.varargs) > 1 and isinstance(args.varargs[1], cst.SimpleString):
                second = args.varargs[1].evaluated_value
                if isinstance(second, str):
                    sub = command_info(f"{words[0]}|{second}")
                    if sub is not None:
                        return sub
            return command_info(words[0])
    return None
