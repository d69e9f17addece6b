"""Decide what an expression is: a Redis client, pipeline, pub/sub... or something else.

One resolver for the whole tool. It works on symbols (``redislint.clients.sym``) and asks
two things of its caller: a ``Scope`` that knows the local names, and a ``World`` that
knows the modules, classes and functions of the linted tree (the project index).
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Protocol

from redislint.clients import api, evidence, knowledge
from redislint.clients.names import matches_client_name
from redislint.clients.sym import (
    SAlt,
    SAnnot,
    SAttr,
    SAwait,
    SCall,
    SConst,
    SIter,
    SName,
    SSub,
    Sym,
    _Other,
    _Unknown,
    dotted,
    parse_annotation_string,
)
from redislint.clients.types import (
    NONE,
    OTHER,
    UNKNOWN,
    Container,
    Kind,
    RedisType,
    Ref,
    TreeClass,
    TreeFunction,
    TreeInstance,
    TreeModule,
    Value,
    merge,
)

_BUILTINS = frozenset(dir(builtins))

# Methods of a client that hand out another Redis object.
_MAPPINGS = frozenset(
    {
        "builtins.dict",
        "typing.Dict",
        "typing.Mapping",
        "typing.MutableMapping",
        "typing.DefaultDict",
        "typing.OrderedDict",
        "collections.defaultdict",
        "collections.OrderedDict",
        "collections.abc.Mapping",
        "collections.abc.MutableMapping",
    }
)
_SEQUENCES = frozenset(
    {
        "builtins.list",
        "builtins.set",
        "builtins.frozenset",
        "typing.List",
        "typing.Set",
        "typing.FrozenSet",
        "typing.Sequence",
        "typing.MutableSequence",
        "typing.Iterable",
        "typing.Iterator",
        "typing.Collection",
        "collections.abc.Sequence",
        "collections.abc.MutableSequence",
        "collections.abc.Iterable",
        "collections.abc.Iterator",
        "collections.abc.Collection",
        "collections.deque",
        # generators: the first argument is what they yield
        "typing.Generator",
        "typing.AsyncGenerator",
        "typing.AsyncIterator",
        "typing.AsyncIterable",
        "collections.abc.Generator",
        "collections.abc.AsyncGenerator",
        "collections.abc.AsyncIterator",
        "collections.abc.AsyncIterable",
    }
)
# Annotations that say nothing of the value's type.
_SAY_NOTHING = frozenset({"typing.Any", "typing.TypeAlias", "typing.Final", "typing.ClassVar"})
_WRAPPERS = frozenset(
    {"typing.ClassVar", "typing.Final", "typing.Annotated", "typing_extensions.Annotated"}
)
_CLASS_OF = frozenset({"builtins.type", "typing.Type"})


def _alternatives(sym: Sym) -> tuple[Sym, ...]:
    """The members of an annotation's union (``A | B``), or the annotation itself."""
    return sym.options if isinstance(sym, SAlt) else (sym,)


def _says_nothing(value: Value) -> bool:
    return isinstance(value, Ref) and _typing_name(value.qualname) in _SAY_NOTHING


def _typing_name(qualname: str) -> str:
    if qualname.startswith("typing_extensions."):
        return "typing." + qualname.split(".", 1)[1]
    return qualname


class Method:
    """A method looked up on a Redis object (``client.pipeline``), not yet called."""

    __slots__ = ("name", "owner")

    def __init__(self, owner: RedisType | Container, name: str) -> None:
        self.owner = owner
        self.name = name


class Scope(Protocol):
    """The local names visible where an expression appears."""

    def lookup(self, name: str) -> Value: ...

    def super_value(self) -> Value: ...

    def evidence(self, sym: Sym) -> RedisType | None:
        """A receiver nothing resolves, taken for a Redis object by the commands called on
        it in this scope (``clients/evidence.py``); None without such evidence."""
        ...


class World(Protocol):
    """The modules, classes and functions of the linted tree."""

    @property
    def patterns(self) -> Sequence[str]: ...

    def module_attr(self, module: str, name: str) -> Value: ...

    def class_attr(self, module: str, cls: str, attr: str) -> Value: ...

    def instance_attr(self, module: str, cls: str, attr: str) -> Value: ...

    def class_redis_base(self, module: str, cls: str) -> RedisType | None: ...

    def is_protocol(self, module: str, cls: str) -> bool: ...

    def protocol_client(self, module: str, cls: str) -> RedisType | None: ...

    def lazy_client(self, module: str, qualname: str) -> RedisType | None: ...

    def function_return(self, module: str, qualname: str) -> Value: ...


def declared(resolver: Resolver, syms: Iterable[Sym]) -> Value:
    """What a name or attribute bound to ``syms`` holds. Its annotation, where it has one
    that says something (``nodes: dict[str, Redis] = {}``), is what it holds; the values
    it is assigned count otherwise."""
    syms = list(syms)
    annotated = [resolver.value(s) for s in syms if isinstance(s, SAnnot)]
    found = merge(annotated) if annotated else UNKNOWN
    if found is not UNKNOWN and found is not NONE and found is not OTHER:
        return found
    return merge_classes(resolver, _told([resolver.value(s) for s in syms]))


def merge_classes(resolver: Resolver, values: list[Value]) -> Value:
    """``merge`` of what a function returns or a name is assigned, where one of several
    Redis client classes (``return PrefixedRedis`` / ``return redis.Redis``) is a class
    whose instances are clients, and one of several Redis libraries' modules is a Redis
    module: the first of them stands for all."""
    refs = [v for v in values if isinstance(v, Ref)]
    if (
        len(refs) >= 2
        and len(refs) == len([v for v in values if v is not UNKNOWN and v is not NONE])
        and all(
            knowledge.is_redis_library(r.qualname) and knowledge.known(r.qualname) is None
            for r in refs
        )
    ):
        # ``return redis.asyncio`` / ``return valkey.asyncio``: one of the Redis libraries'
        # modules, whose attributes (``module.Redis.from_url``) are alike
        return refs[0]
    classes = [v for v in values if isinstance(v, Ref | TreeClass)]
    if len(classes) < 2 or any(
        not isinstance(v, Ref | TreeClass) and v is not UNKNOWN and v is not NONE for v in values
    ):
        return merge(values)
    instances = [resolver.instance_of(v) for v in classes]
    if all(isinstance(i, RedisType) for i in instances) and isinstance(merge(instances), RedisType):
        return classes[0]
    return merge(values)


def _told(options: list[Value]) -> list[Value]:
    """The alternatives, less ``Any`` and the like where others remain (``if
    TYPE_CHECKING: Client = Redis`` / ``else: Client = Any``)."""
    return [v for v in options if not _says_nothing(v)] or options


class Resolver:
    """Resolves symbols in one scope of one module."""

    __slots__ = ("scope", "world")

    def __init__(self, scope: Scope, world: World) -> None:
        self.scope = scope
        self.world = world

    # -- expressions -------------------------------------------------------------
    def value(self, sym: Sym) -> Value:
        """What ``sym`` evaluates to."""
        result = self._value(sym)
        # an attribute of an object from outside the tree (``current_app.redis``) may be a
        # client for all we know; an imported name itself is what its library makes it
        if result is UNKNOWN or (
            isinstance(result, Ref) and isinstance(sym, SAttr) and evidence.opaque(result)
        ):
            found = self.scope.evidence(sym)
            if found is not None:
                return found
        if result is UNKNOWN:
            return self._by_name(sym)
        return result

    def _value(self, sym: Sym) -> Value:
        if isinstance(sym, SName):
            return self.scope.lookup(sym.id)
        if isinstance(sym, SAttr):
            return self.attribute(self.value(sym.value), sym.attr)
        if isinstance(sym, SCall):
            return self.call(sym)
        if isinstance(sym, SSub):
            return self.subscript(self.value(sym.value))
        if isinstance(sym, SAlt):
            return merge(_told([self.value(o) for o in sym.options]))
        if isinstance(sym, SAwait):
            return self.value(sym.value)
        if isinstance(sym, SConst):
            return NONE if sym.value is None else OTHER
        if isinstance(sym, SAnnot):
            return self.annotation(sym.annotation)
        if isinstance(sym, SIter):
            return self.element(self.value(sym.value))
        if isinstance(sym, _Other):
            return OTHER
        assert isinstance(sym, _Unknown)
        return UNKNOWN

    def _by_name(self, sym: Sym) -> Value:
        """The name fallback, for values nothing else is known about.

        The name that counts is the part of the dotted name that nothing is known about:
        in ``hot_redis.Dict.fromkeys()`` the module ``hot_redis`` is known (it is not a
        client), so only ``Dict.fromkeys`` is looked at; in ``app.redis_client``, with an
        unknown ``app``, all of it is.
        """
        target = sym.func if isinstance(sym, SCall) else sym
        name = self._unknown_part(target)
        if name is not None and matches_client_name(name, self.world.patterns):
            return RedisType(Kind.CLIENT, is_async=None, is_cluster=None, by_name=True)
        return UNKNOWN

    def _unknown_part(self, target: Sym) -> str | None:
        if isinstance(target, SName):
            return target.id
        if not isinstance(target, SAttr):
            return None
        root: Sym = target
        while isinstance(root, SAttr):
            root = root.value
        if isinstance(root, SName) and self.scope.lookup(root.id) is UNKNOWN:
            return dotted(target)  # nothing known about any of it (a parameter's attribute)
        return target.attr  # the root is known (a module, self...): only the name used

    def attribute(self, base: Value | Method, attr: str) -> Value:
        if isinstance(base, Method):
            return UNKNOWN
        if isinstance(base, Ref):
            if base.qualname in knowledge.SETTINGS_OBJECTS:
                return UNKNOWN  # ``settings.SESSION_REDIS_CONNECTION_OBJECT``
            return Ref(f"{base.qualname}.{attr}")
        if isinstance(base, TreeModule):
            return self.world.module_attr(base.module, attr)
        if isinstance(base, TreeClass):
            return self.world.class_attr(base.module, base.name, attr)
        if isinstance(base, TreeInstance):
            return self.world.instance_attr(base.module, base.name, attr)
        if base is OTHER or base is NONE:
            return OTHER
        return UNKNOWN

    def method(self, base: Value, attr: str) -> Method | Value:
        """``base.attr`` where the result is about to be called."""
        if isinstance(base, RedisType | Container):
            return Method(base, attr)
        if isinstance(base, TreeFunction):
            proxied = self.world.lazy_client(base.module, base.qualname)
            if proxied is not None:
                return Method(proxied, attr)
        return self.attribute(base, attr)

    def call(self, sym: SCall) -> Value:
        func = sym.func
        if isinstance(func, SName):
            if func.id == "super" and self.scope.lookup("super") == Ref("builtins.super"):
                return self.scope.super_value()
            if func.id == "getattr" and len(sym.args) >= 2:
                name = sym.args[1]
                if isinstance(name, SConst) and isinstance(name.value, str):
                    return self.value(SAttr(sym.args[0], name.value))
                return UNKNOWN
        if isinstance(func, SAttr):
            callee: Value | Method = self.method(self.value(func.value), func.attr)
        else:
            callee = self.value(func)
        if isinstance(callee, Method):
            return self._call_method(callee, sym)
        result = self.call_value(callee, sym)
        if result is UNKNOWN and isinstance(func, SName | SAttr):
            return self._by_name(sym)
        return result

    def call_value(self, callee: Value, sym: SCall) -> Value:
        if isinstance(callee, Ref):
            name = _typing_name(callee.qualname)
            if name == "typing.cast" and sym.args:
                return self.annotation(sym.args[0])
            if callee.qualname == "functools.partial" and sym.args:
                return self.value(sym.args[0])  # calling it calls the function or class
            found = knowledge.known(callee.qualname)
            if found is not None:
                return found.instance
            if knowledge.raw_client_accessor(callee.qualname):
                return RedisType(Kind.CLIENT, is_async=False, is_cluster=None)
            return self._external(callee.qualname)
        if isinstance(callee, TreeClass):
            base = self.world.class_redis_base(callee.module, callee.name)
            return base if base is not None else TreeInstance(callee.module, callee.name)
        if isinstance(callee, TreeFunction):
            return self.world.function_return(callee.module, callee.qualname)
        if callee is OTHER or callee is NONE:
            return OTHER
        return UNKNOWN

    def _external(self, qualname: str) -> Value:
        """A call to (or an instance of) something imported from outside the tree."""
        if qualname in knowledge.DYNAMIC_IMPORTS:
            return UNKNOWN  # ``import_string(settings.CLIENT_CLASS)``: whatever it names
        if qualname in knowledge.NOT_CLIENTS or qualname.startswith("builtins."):
            return OTHER
        if knowledge.is_redis_library(qualname):
            return OTHER  # exceptions, connections, retry policies: not clients
        if any(p in qualname.lower() for p in self.world.patterns):
            return UNKNOWN  # a Redis helper library we do not know: let the name decide
        return OTHER

    def _call_method(self, method: Method, sym: SCall) -> Value:
        owner = method.owner
        if isinstance(owner, Container):
            if method.name in ("get", "pop", "setdefault", "__getitem__"):
                return owner.element
            if method.name in ("values", "copy"):
                return owner  # iterated, it gives the elements
            return UNKNOWN
        name = method.name
        if owner.kind in (Kind.CLIENT, Kind.SENTINEL):
            derived = api.result(owner.kind, name)
            if derived is Kind.PIPELINE:
                return owner.with_kind(Kind.PIPELINE, transaction=_transaction_flag(sym, owner))
            if derived is None:
                return OTHER
            if name == "get_redis_connection":  # one node's own client, not the cluster
                return replace(owner.with_kind(derived), is_cluster=False)
            return owner.with_kind(derived)
        if owner.kind is Kind.PIPELINE and name not in ("execute", "reset", "watch", "multi"):
            return owner  # pipeline commands return the pipeline (chaining)
        if owner.kind is Kind.POOL and name == "from_url":
            return owner
        return OTHER

    def subscript(self, base: Value) -> Value:
        if isinstance(base, Container):
            return base.element
        if isinstance(base, Ref):
            found = knowledge.known(base.qualname)
            if found is not None and found.is_class:
                return base  # Redis[bytes] is the class Redis
            if knowledge.keeps_path(base.qualname):
                return Ref(f"{base.qualname}[]")
            return self._external(base.qualname)
        if base is OTHER or base is NONE:
            return OTHER
        return UNKNOWN

    def element(self, base: Value) -> Value:
        if isinstance(base, Container):
            return base.element
        return UNKNOWN if base is UNKNOWN else OTHER

    # -- annotations -----------------------------------------------------------------
    def annotation(self, sym: Sym) -> Value:
        """The instance a type annotation describes."""
        if isinstance(sym, SConst):
            if isinstance(sym.value, str):
                return self.annotation(parse_annotation_string(sym.value))
            return NONE if sym.value is None else OTHER
        if isinstance(sym, SAlt):
            return merge([self.annotation(o) for o in sym.options])
        if isinstance(sym, SSub):
            return self._generic(self.value(sym.value), sym.index)
        return self.instance_of(self.value(sym))

    def _generic(self, origin: Value, args: tuple[Sym, ...]) -> Value:
        if isinstance(origin, Ref) and args:
            name = _typing_name(origin.qualname)
            if name == "typing.Optional":
                return merge([self.annotation(args[0]), NONE])
            if name == "typing.Union":
                return merge([self.annotation(a) for a in args])
            if name in _WRAPPERS:
                return self.annotation(args[0])
            if name in _CLASS_OF:  # ``-> type[Redis]``: the class itself, not an instance
                classes = [self._class_of(a) for a in _alternatives(args[0])]
                return classes[0] if len(set(classes)) == 1 else merge_classes(self, classes)
            if name in _MAPPINGS:
                return Container(self.annotation(args[-1]))
            if name in _SEQUENCES:
                return Container(self.annotation(args[0]))
        return self.instance_of(origin)

    def _class_of(self, sym: Sym) -> Value:
        """What ``type[sym]`` stands for: the class ``sym`` names, when it is one."""
        if isinstance(sym, SConst) and isinstance(sym.value, str):
            sym = parse_annotation_string(sym.value)
        value = self.value(sym)
        return value if isinstance(value, Ref | TreeClass) else UNKNOWN

    def instance_of(self, cls: Value) -> Value:
        if isinstance(cls, Ref):
            if _typing_name(cls.qualname) in _SAY_NOTHING:
                return UNKNOWN  # ``Redis | Any``, ``X: TypeAlias = Redis``: the value tells
            found = knowledge.known(cls.qualname)
            if found is not None and found.is_class:
                return found.instance
            return self._external(cls.qualname)
        if isinstance(cls, TreeClass):
            base = self.world.class_redis_base(cls.module, cls.name)
            if base is not None:
                return base
            if self.world.is_protocol(cls.module, cls.name):
                # a structural type: whatever has the methods; one declaring redis-py's API
                # is a client
                return self.world.protocol_client(cls.module, cls.name) or UNKNOWN
            return TreeInstance(cls.module, cls.name)
        if cls is NONE:
            return NONE
        return UNKNOWN if cls is UNKNOWN else OTHER


def _transaction_flag(sym: SCall, owner: RedisType) -> bool | None:
    """``pipeline(transaction=...)``: redis-py defaults to True, cluster pipelines to False."""
    flag = sym.kwarg("transaction")
    if flag is None and sym.args:
        flag = sym.args[0]
    if flag is None:
        return not owner.is_cluster
    if isinstance(flag, SConst) and isinstance(flag.value, bool):
        return flag.value
    return None


def builtin_value(name: str) -> Value:
    """What an unbound name means: a builtin, or nothing known."""
    return Ref(f"builtins.{name}") if name in _BUILTINS else UNKNOWN
