"""The project index: module facts of every linted file, linked into one ``World``.

It answers what a name imported from another module of the tree is, what a function of
the tree returns, which attributes a class (and its bases, wherever they are defined)
gives its instances, and whether a class subclasses a Redis client.

Longer than the other modules (about 850 lines) on purpose: its questions call each other
through one memo (``_cached``), whose cut of a cycle must be shared by all of them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import PurePath

from redislint.clients import evidence, knowledge
from redislint.clients.resolve import Resolver, builtin_value, declared, merge_classes
from redislint.clients.sym import SAnnot, SAttr, SCall, SConst, SName, Sym
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
from redislint.commands import method_info
from redislint.semantic.digest import digest
from redislint.semantic.index import CallSite, ClassFacts, FunctionFacts, ModuleFacts
from redislint.semantic.reach import Reach

_PROTOCOLS = frozenset({"typing.Protocol", "typing_extensions.Protocol"})


def _dotted_sym(dotted_name: str) -> Sym:
    """``a.b.c`` (a decorator as the index records it) as the expression it is."""
    parts = dotted_name.split(".")
    sym: Sym = SName(parts[0])
    for part in parts[1:]:
        sym = SAttr(sym, part)
    return sym


class _ModuleScope:
    """Names at module level of one indexed file (flow-insensitive)."""

    __slots__ = ("path", "project")

    def __init__(self, project: Project, path: str) -> None:
        self.project = project
        self.path = path

    def lookup(self, name: str) -> Value:
        return self.project.global_value(self.path, name)

    def super_value(self) -> Value:
        return UNKNOWN

    def evidence(self, sym: Sym) -> RedisType | None:
        text = evidence.sym_text(sym)
        return self.project.evidence_global(self.path, text) if text is not None else None


class _MethodScope(_ModuleScope):
    """A method body as the index sees it: ``self`` is an instance of the class."""

    __slots__ = ("cls", "self_name")

    def __init__(self, project: Project, path: str, cls: str, self_name: str | None) -> None:
        super().__init__(project, path)
        self.cls = cls
        self.self_name = self_name

    def lookup(self, name: str) -> Value:
        if name == self.self_name:
            return self.project.instance_value(self.path, self.cls)
        return super().lookup(name)

    def evidence(self, sym: Sym) -> RedisType | None:
        text = evidence.sym_text(sym)
        if text is not None and self.self_name and text.startswith(f"{self.self_name}."):
            return self.project.evidence_attr(self.path, self.cls, text.split(".", 1)[1])
        return super().evidence(sym)


_CONTEXT_MANAGERS = ("contextmanager", "asynccontextmanager")


class Project:
    """All module facts of one run, and the ``World`` the resolver asks about the tree."""

    def __init__(self, modules: Iterable[ModuleFacts], patterns: Sequence[str]) -> None:
        self._patterns = tuple(patterns)
        self.by_path: dict[str, ModuleFacts] = {}
        self._by_name: dict[str, list[ModuleFacts]] = {}
        self._memo: dict[tuple[str, str, str], Value] = {}
        self._active: set[tuple[str, str, str]] = set()
        self._found: dict[tuple[str, str], ModuleFacts | None] = {}
        self._direct: dict[str, list[str]] = {}  # file -> files it imports directly
        self._digests: dict[str, str] = {}  # file -> dependency_digest
        self._last_parts: set[str] = set()
        self._callers: dict[tuple[str, str], list[tuple[str, CallSite]]] = {}
        self._calling: dict[str, list[ModuleFacts]] | None = None
        self._reach: Reach | None = None
        self._evidence: dict[str, bool] = {}
        self._redis_packages: set[str] | None = None
        self._key_helpers: set[str] = set()  # names of the tree's key helpers
        self._protocols: dict[tuple[str, str], RedisType | None] = {}
        for facts in modules:
            self.add(facts)

    @property
    def patterns(self) -> Sequence[str]:
        """The client-name-patterns of the name fallback."""
        return self._patterns

    def add(self, facts: ModuleFacts) -> None:
        self.by_path[facts.path] = facts
        self._by_name.setdefault(facts.module, []).append(facts)
        self._last_parts.add(facts.module.rsplit(".", 1)[-1])
        for func in facts.functions.values():
            if func.key_template is not None:
                self._key_helpers.add(func.qualname)
        for cls in facts.classes.values():
            for name, method in cls.methods.items():
                if method.key_template is not None:
                    self._key_helpers.add(name)
        self.forget()

    def forget(self) -> None:
        """Drop every answer computed so far. A cycle (``a`` needs ``b`` needs ``a``) is
        cut where it is entered, so answers depend on the order of the questions: the
        lint starts afresh after the run has asked its own (the importers' search), as a
        worker process, which builds its own index, does."""
        self._memo = {}
        self._found = {}
        self._direct = {}
        self._digests = {}
        self._callers = {}
        self._calling = None
        self._reach = None
        self._evidence = {}
        self._redis_packages = None
        self._protocols = {}

    @property
    def reach(self) -> Reach:
        """What can lead to a Redis object in this tree (for ``engine/focus.py``)."""
        if self._reach is None:
            self._reach = Reach(self)
        return self._reach

    # -- finding modules ---------------------------------------------------------------
    def find_module(self, name: str, importer: str) -> ModuleFacts | None:
        """The tree module ``name`` as seen from the file ``importer``."""
        key = (name, importer)
        if key in self._found:
            return self._found[key]
        found = self._find_module(name, importer)
        self._found[key] = found
        return found

    def _find_module(self, name: str, importer: str) -> ModuleFacts | None:
        if name.rsplit(".", 1)[-1] not in self._last_parts:
            return None  # no module of the tree has that name (os, typing, redis...)
        candidates = self._by_name.get(name)
        if not candidates:
            candidates = self._by_path_suffix(name)
        if not candidates:
            return None
        if len(candidates) == 1:
            return candidates[0]
        here = PurePath(importer).parts
        return max(candidates, key=lambda f: _common_prefix(PurePath(f.path).parts, here))

    def _by_path_suffix(self, name: str) -> list[ModuleFacts]:
        """Namespace packages: ``a.b`` matches a file ``.../a/b.py`` whatever its root."""
        parts = name.split(".")
        last = parts[-1]
        found = []
        for facts in self._by_name.get(last, []) + self._by_name.get(name.rsplit(".", 1)[-1], []):
            path_parts = PurePath(facts.path).with_suffix("").parts
            if facts.is_package:
                path_parts = path_parts[:-1]
            if tuple(path_parts[-len(parts) :]) == tuple(parts) and facts not in found:
                found.append(facts)
        return found

    def import_value(self, dotted: str, importer: str) -> Value:
        """What ``import dotted`` / ``from x import y`` binds, seen from ``importer``."""
        if knowledge.known(dotted) is not None:
            return Ref(dotted)
        parts = dotted.split(".")
        # a Redis library's own submodules are the tree's when the tree is that library
        # (``walrus.tests.base`` while linting walrus); its top level never is
        last = 1 if knowledge.is_redis_library(dotted) else 0
        for cut in range(len(parts), last, -1):
            facts = self.find_module(".".join(parts[:cut]), importer)
            if facts is None:
                continue
            value: Value = TreeModule(facts.path)
            resolver = Resolver(_ModuleScope(self, facts.path), self)
            for attr in parts[cut:]:
                value = resolver.attribute(value, attr)
            return value
        return Ref(dotted)

    # -- the World protocol ------------------------------------------------------------
    def _cached(self, key: tuple[str, str, str], compute: Callable[[], Value]) -> Value:
        if key in self._memo:
            return self._memo[key]
        if key in self._active:
            return UNKNOWN  # a cycle (a = b; b = a): no evidence
        self._active.add(key)
        try:
            value = compute()
        finally:
            self._active.discard(key)
        self._memo[key] = value
        return value

    def global_value(self, path: str, name: str) -> Value:
        """A module-level name of file ``path`` (falling back to builtins)."""
        value = self.module_attr(path, name)
        if value is UNKNOWN and not self._defines(path, name):
            return builtin_value(name)
        return value

    def _defines(self, path: str, name: str) -> bool:
        facts = self.by_path.get(path)
        return facts is not None and (
            name in facts.bindings
            or name in facts.functions
            or name in facts.imports
            or name in facts.classes
        )

    def module_attr(self, module: str, name: str) -> Value:
        return self._cached(("mod", module, name), lambda: self._module_attr(module, name))

    # -- evidence (clients/evidence.py) -----------------------------------------------
    def evidence_applies(self, path: str) -> bool:
        """Whether file ``path`` may recognise clients by evidence: it imports a Redis
        library, or imports from a module of the tree that does (and names Redis itself,
        or imports a client from it), or belongs to a package of which a module does and
        names Redis itself (``huey/contrib/helpers.py``, whose
        Lua calls ``redis.call``, beside ``huey/storage.py``).
        Read from the imports alone, so the answer never depends on what evidence finds
        elsewhere."""
        found = self._evidence.get(path)
        if found is None:
            self._evidence[path] = False  # a cycle of imports: no evidence from it
            found = self._evidence[path] = self._imports_redis(path) or self._package_redis(path)
        return found

    def _imports_library(self, facts: ModuleFacts) -> bool:
        """Whether ``facts``' module imports a Redis library (not the tree's own modules,
        when the tree is that library)."""
        return any(
            evidence.from_library(dotted) and self.module_of(dotted, facts.path) is None
            for dotted in [*facts.imports.values(), *facts.local_imports.values()]
        )

    def _package_redis(self, path: str) -> bool:
        facts = self.by_path.get(path)
        if facts is None or "." not in facts.module or not facts.mentions_redis:
            return False
        if self._redis_packages is None:
            self._redis_packages = {
                other.module.split(".", 1)[0]
                for other in self.by_path.values()
                if "." in other.module and self._imports_library(other)
            }
        return facts.module.split(".", 1)[0] in self._redis_packages

    def _imports_redis(self, path: str) -> bool:
        facts = self.by_path.get(path)
        if facts is None:
            return False
        if self._imports_library(facts):
            return True
        for dotted in facts.imports.values():
            parts = dotted.split(".")
            for cut in range(len(parts), 0, -1):
                module = self.find_module(".".join(parts[:cut]), path)
                if module is not None:
                    # a file that names no Redis is linted only when what it imports gives
                    # a client (the prefilter): so is its evidence
                    if (
                        module.path != path
                        and self._imports_library(module)
                        and (
                            facts.mentions_redis
                            or self.reach.leads(self.import_value(dotted, path))
                        )
                    ):
                        return True
                    break
        return False

    def evidence_global(self, path: str, text: str) -> RedisType | None:
        """A receiver rooted in a module-level name of ``path``, by evidence."""
        facts = self.by_path.get(path)
        kind = facts.evidence_globals.get(text) if facts is not None else None
        return self._evidence_found(path, kind)

    def evidence_attr(self, path: str, cls: str, chain: str) -> RedisType | None:
        """``self.<chain>`` in the methods of class ``cls`` (or of a subclass defined in
        the same file), by evidence."""
        facts = self.by_path.get(path)
        kind = facts.evidence_attrs.get(cls, {}).get(chain) if facts is not None else None
        return self._evidence_found(path, kind)

    def evidence_local(self, path: str, function: str, text: str) -> RedisType | None:
        """A receiver rooted in the names or calls of ``function``, by evidence."""
        facts = self.by_path.get(path)
        kind = facts.evidence_locals.get(function, {}).get(text) if facts is not None else None
        return self._evidence_found(path, kind)

    def evidence_param(self, path: str, cls: str, name: str) -> RedisType | None:
        """The parameter ``name`` of a method of class ``cls``, by evidence in a method of
        the class that takes a parameter of that name."""
        facts = self.by_path.get(path)
        kind = facts.evidence_params.get(cls, {}).get(name) if facts is not None else None
        return self._evidence_found(path, kind)

    def _evidence_found(self, path: str, kind: str | None) -> RedisType | None:
        """What a receiver filed as ``kind`` in file ``path`` is, where evidence applies."""
        if kind is None or not self.evidence_applies(path):
            return None
        return evidence.found(kind)

    def _module_attr(self, path: str, name: str) -> Value:
        facts = self.by_path.get(path)
        if facts is None:
            return UNKNOWN
        values: list[Value] = []
        resolver = Resolver(_ModuleScope(self, path), self)
        if name in facts.bindings:
            values.append(
                _filled(resolver, declared(resolver, facts.bindings[name]), facts.items.get(name))
            )
        if name in facts.functions:
            values.append(TreeFunction(path, name))
        if name in facts.classes:
            values.append(TreeClass(path, name))
        if name in facts.imports:
            values.append(self.import_value(facts.imports[name], path))
        if values:
            value = merge(values)
            opaque = isinstance(value, Ref) and evidence.opaque(value)
            if value is UNKNOWN or (opaque and name not in facts.imports):
                return self.evidence_global(path, name) or value
            return value
        if facts.is_package:
            sub = self.find_module(f"{facts.module}.{name}", path)
            if sub is not None:
                return TreeModule(sub.path)
        for star in facts.star_imports:
            target = self.import_value(f"{star}.{name}", path)
            if target is UNKNOWN:
                continue
            # a name a tree module imported (``import redis`` there) comes along with
            # ``from tree_module import *``; from outside the tree nothing is known
            if not isinstance(target, Ref) or (
                target.qualname != f"{star}.{name}" and self.find_module(star, path) is not None
            ):
                return target
        if name in facts.local_imports:
            target = self.import_value(facts.local_imports[name], path)
            if target is not UNKNOWN:
                return target
        return self.evidence_global(path, name) or UNKNOWN

    def _class(self, path: str, cls: str) -> ClassFacts | None:
        facts = self.by_path.get(path)
        return facts.classes.get(cls) if facts is not None else None

    def _bases(self, path: str, cls: ClassFacts) -> list[Value]:
        resolver = Resolver(_ModuleScope(self, path), self)
        return [resolver.value(b) for b in cls.bases]

    def class_redis_base(self, module: str, cls: str) -> RedisType | None:
        value = self._cached(("base", module, cls), lambda: self._class_redis_base(module, cls))
        return value if isinstance(value, RedisType) else None

    def _class_redis_base(self, path: str, name: str) -> Value:
        cls = self._class(path, name)
        if cls is None:
            return UNKNOWN
        for base in self._bases(path, cls):
            if isinstance(base, Ref):
                found = knowledge.known(base.qualname)
                if found is not None and found.is_class:
                    return found.instance
            elif isinstance(base, TreeClass):
                inherited = self.class_redis_base(base.module, base.name)
                if inherited is not None:
                    return inherited
        return UNKNOWN

    def lazy_client(self, module: str, qualname: str) -> RedisType | None:
        """A module-level factory turned into the object it builds by a decorator from
        outside the tree (``@LazyObject def redis_client(): return Redis()``, then
        ``redis_client.flushdb()``): the client, when the factory returns one."""
        func = self.function(module, qualname)
        if func is None or func.class_qualname is not None or not func.decorators:
            return None
        resolver = Resolver(_ModuleScope(self, module), self)
        for dotted_name in func.decorators:
            if not isinstance(resolver.value(_dotted_sym(dotted_name)), Ref):
                return None  # a decorator of the tree, or one nothing is known of
        found = self.function_return(module, qualname)
        return found if isinstance(found, RedisType) and found.kind is Kind.CLIENT else None

    def is_protocol(self, module: str, cls: str) -> bool:
        """Whether the tree's class ``cls`` is a ``typing.Protocol``."""
        facts = self._class(module, cls)
        return facts is not None and any(
            isinstance(b, Ref) and b.qualname in _PROTOCOLS for b in self._bases(module, facts)
        )

    def protocol_client(self, module: str, cls: str) -> RedisType | None:
        """A ``typing.Protocol`` of the tree that declares redis-py's own API: two or more
        methods named as Redis commands, each taking only redis-py's parameters of that
        method, the first one first (``async def set(self, name, value, *, nx, px)``,
        ``def eval(self, script, numkeys, *keys_and_args)``). Code typed with it talks to
        a client without importing redis; a cache protocol's ``get(self, key)`` is not one."""
        key = (module, cls)
        if key not in self._protocols:
            self._protocols[key] = self._protocol_client(module, cls)
        return self._protocols[key]

    def _protocol_client(self, module: str, cls: str) -> RedisType | None:
        facts = self._class(module, cls)
        if facts is None or not self.is_protocol(module, cls):
            return None
        matched = []
        for name, method in facts.methods.items():
            info = method_info(name)
            params = [p for p in method.params if p != method.self_name]
            if info is None or info.command is None or not params or not info.params:
                continue
            if params[0] == info.params[0][0] and set(params) <= {p for p, _ in info.params}:
                matched.append(method)
        if len(matched) < 2:
            return None
        asynchronous = {m.is_async for m in matched}
        return RedisType(
            kind=Kind.CLIENT,
            is_async=asynchronous.pop() if len(asynchronous) == 1 else None,
            is_cluster=None,
        )

    def instance_value(self, path: str, cls: str) -> Value:
        base = self.class_redis_base(path, cls)
        return base if base is not None else TreeInstance(path, cls)

    def class_attr(self, module: str, cls: str, attr: str) -> Value:
        return self._cached(
            ("cattr", module, f"{cls}.{attr}"), lambda: self._attr(module, cls, attr, False)
        )

    def instance_attr(self, module: str, cls: str, attr: str) -> Value:
        return self._cached(
            ("iattr", module, f"{cls}.{attr}"), lambda: self._instance_attr(module, cls, attr)
        )

    def _instance_attr(self, path: str, cls: str, attr: str) -> Value:
        value = self._attr(path, cls, attr, True)
        if value is UNKNOWN:
            return self.evidence_attr(path, cls, attr) or value
        return value

    def _attr(self, path: str, name: str, attr: str, instance: bool) -> Value:
        cls = self._class(path, name)
        if cls is None:
            return UNKNOWN
        method = cls.methods.get(attr)
        if method is not None:
            if instance and method.is_property:
                return self.function_return(path, method.qualname)
            return TreeFunction(path, method.qualname)
        nested = self._class(path, f"{name}.{attr}")
        if nested is not None:
            return TreeClass(path, nested.qualname)
        syms = cls.attrs.get(attr)
        getter = _property_getter(cls, syms) if instance else None
        if getter is not None:  # ``redis = property(_get_redis, _set_redis)``
            return self.function_return(path, getter.qualname)
        items = cls.items.get(attr)
        if syms or items:
            resolver = Resolver(_MethodScope(self, path, name, "self"), self)
            value = declared(resolver, syms) if syms else UNKNOWN
            return _filled(resolver, value, items)
        for base in self._bases(path, cls):
            if isinstance(base, TreeClass):
                inherited = self._attr(base.module, base.name, attr, instance)
                if inherited is not UNKNOWN:
                    return inherited
        return UNKNOWN

    def may_be_key_helper(self, name: str) -> bool:
        """Whether some function or method of the tree named ``name`` only builds a key."""
        return name in self._key_helpers

    def function(self, path: str, qualname: str) -> FunctionFacts | None:
        facts = self.by_path.get(path)
        if facts is None:
            return None
        if "." not in qualname:
            return facts.functions.get(qualname)
        cls_name, _, method = qualname.rpartition(".")
        cls = facts.classes.get(cls_name)
        return cls.methods.get(method) if cls is not None else None

    def function_return(self, module: str, qualname: str) -> Value:
        return self._cached(
            ("ret", module, qualname), lambda: self._function_return(module, qualname)
        )

    def _function_return(self, path: str, qualname: str) -> Value:
        func = self.function(path, qualname)
        if func is None:
            return UNKNOWN
        if func.class_qualname is not None:
            scope: _ModuleScope = _MethodScope(self, path, func.class_qualname, func.self_name)
        else:
            scope = _ModuleScope(self, path)
        resolver = Resolver(scope, self)
        # a ``@contextmanager`` gives what it yields to ``with ... as``; a generator gives
        # it to ``for``
        manager = any(d.endswith(_CONTEXT_MANAGERS) for d in func.decorators)
        if func.returns is not None:
            declared = resolver.value(func.returns)
            if declared is not UNKNOWN or not (func.return_values or func.yield_values):
                return declared.element if manager and isinstance(declared, Container) else declared
            # ``-> Any``, ``-> SomeProtocol``: the annotation says nothing; the values tell
        if func.yield_values:
            yielded = merge([resolver.value(v) for v in func.yield_values])
            if manager or yielded is UNKNOWN:
                return yielded
            return Container(yielded)
        if not func.return_values:
            return UNKNOWN
        return merge_classes(resolver, [resolver.value(v) for v in func.return_values])

    def _direct_dependencies(self, facts: ModuleFacts) -> list[str]:
        """The files of the tree that ``facts``' module imports itself (computed once)."""
        found = self._direct.get(facts.path)
        if found is None:
            found = []
            for target in [*facts.imports.values(), *facts.star_imports]:
                module = self.module_of(target, facts.path)
                if module is not None:
                    found.append(module.path)
            self._direct[facts.path] = found
        return found

    def imported_constant(self, path: str, name: str) -> str | None:
        """The string a name imported into ``path`` from a tree module is bound to, when
        that module binds it once to a literal (``from config import TOPIC``)."""
        facts = self.by_path.get(path)
        dotted = facts.imports.get(name) if facts is not None else None
        if dotted is None or "." not in dotted:
            return None
        module, _, attr = dotted.rpartition(".")
        source = self.find_module(module, path)
        if source is None or not source.shapes_keys(attr):
            return None
        return self.module_constant(source.path, attr)

    def module_constant(self, path: str, name: str) -> str | None:
        """The string a module-level name of ``path`` is bound to, when it is bound once,
        to a literal."""
        source = self.by_path.get(path)
        if source is None:
            return None
        bound = [s for s in source.bindings.get(name, ()) if not isinstance(s, SAnnot)]
        if len(bound) == 1 and isinstance(bound[0], SConst) and isinstance(bound[0].value, str):
            return bound[0].value
        return None

    def module_of(self, dotted: str, importer: str) -> ModuleFacts | None:
        """The tree module that ``dotted`` (a module or a name in one) is found in."""
        parts = dotted.split(".")
        for cut in range(len(parts), 0, -1):
            found = self.find_module(".".join(parts[:cut]), importer)
            if found is not None:
                return found
        return None

    def dependency_digest(self, path: str) -> str:
        """A fingerprint of the facts ``path``'s results depend on: its own and those of
        every tree module it reaches through imports, and whether evidence applies to it
        (which a package-mate's imports decide)."""
        if not self._digests:
            self._digests = self._component_digests()
        found = self._digests.get(path) or _facts_digest([])
        return found + ("+evidence" if self.evidence_applies(path) else "") + self._passed(path)

    def _passed(self, path: str) -> str:
        """What callers elsewhere in the tree pass to this file's functions (their files
        are not among its imports): part of its results' fingerprint."""
        facts = self.by_path.get(path)
        if facts is None:
            return ""
        funcs = [*facts.functions.values()]
        funcs += [m for c in facts.classes.values() for m in c.methods.values()]
        passed = [
            f"{f.qualname}:{p}"
            for f in funcs
            for p in f.command_receivers
            if isinstance(self.parameter_value(path, f.qualname, p), RedisType)
        ]
        return "+" + ",".join(passed) if passed else ""

    def _component_digests(self) -> dict[str, str]:
        """``dependency_digest`` of every file at once, in time linear in the import graph.

        Files that import each other in a cycle reach the same files, so they share one
        fingerprint: the facts of the cycle's files and the fingerprints of the cycles
        they import (Tarjan's strongly connected components, which come out dependencies
        first; iterative, so deep import chains cannot overflow the stack).
        """
        index: dict[str, int] = {}
        low: dict[str, int] = {}
        stack: list[str] = []
        on_stack: set[str] = set()
        component_of: dict[str, int] = {}
        digests: list[str] = []
        out: dict[str, str] = {}
        for root in self.by_path:
            if root in index:
                continue
            work = [(root, 0)]
            while work:
                node, edge = work.pop()
                if edge == 0:
                    index[node] = low[node] = len(index)
                    stack.append(node)
                    on_stack.add(node)
                edges = self._direct_dependencies(self.by_path[node])
                if edge < len(edges):
                    work.append((node, edge + 1))
                    nxt = edges[edge]
                    if nxt not in index:
                        work.append((nxt, 0))
                    elif nxt in on_stack:
                        low[node] = min(low[node], index[nxt])
                    continue
                if low[node] == index[node]:
                    this, members = len(digests), []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        members.append(member)
                        component_of[member] = this
                        if member == node:
                            break
                    reached = sorted(
                        {
                            digests[component_of[d]]
                            for m in members
                            for d in self._direct_dependencies(self.by_path[m])
                            if component_of[d] != this
                        }
                    )
                    parts = sorted(
                        f"{m}={self.by_path[m].module}={self.by_path[m].digest}" for m in members
                    )
                    digests.append(_facts_digest([*parts, "->", *reached]))
                    for member in members:
                        out[member] = digests[-1]
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
        return out

    def callers(self, path: str, qualname: str) -> list[tuple[str, CallSite]]:
        """Where the tree function ``qualname`` of file ``path`` is called, as
        (file, call site), in the indexed files (imports under another name included)."""
        key = (path, qualname)
        found = self._callers.get(key)
        if found is None:
            found = self._find_callers(path, qualname)
            self._callers[key] = found
        return found

    def _find_callers(self, path: str, qualname: str) -> list[tuple[str, CallSite]]:
        name = qualname.rsplit(".", 1)[-1]
        target = TreeFunction(path, qualname)
        found: list[tuple[str, CallSite]] = []
        for facts in self._modules_calling(name):
            names = {name} | {
                alias
                for alias, dotted in facts.imports.items()
                if dotted.rsplit(".", 1)[-1] == name
            }
            for called in names:
                for site in facts.calls.get(called, ()):
                    if self._call_value(facts, site) == target:
                        found.append((facts.path, site))
        return found

    def parameter_value(self, path: str, qualname: str, param: str) -> Value:
        """What the callers in the tree pass as parameter ``param`` of function
        ``qualname``: a Redis object when every call site that passes it passes one (or
        passes nothing known), else UNKNOWN. Asked only of parameters the function calls
        Redis-command-named methods on."""
        return self._cached(
            ("param", path, f"{qualname}:{param}"),
            lambda: self._parameter_value(path, qualname, param),
        )

    def _parameter_value(self, path: str, qualname: str, param: str) -> Value:
        func = self.function(path, qualname)
        facts = self.by_path.get(path)
        # a file that names no Redis is linted only when it imports a client (the
        # prefilter): what its callers pass never makes it one
        if func is None or facts is None or not facts.mentions_redis:
            return UNKNOWN
        if param not in func.command_receivers:
            return UNKNOWN
        index = func.params.index(param)
        if func.self_name is not None:
            index -= 1  # called as obj.method(...): the instance is not an argument
        values: list[Value] = []
        for caller_path, site in self.callers(path, qualname):
            if site.args is None:
                return UNKNOWN  # ``f(*args)``: what reaches the parameter is unknown
            passed = dict(site.kwargs).get(param)
            if passed is None and 0 <= index < len(site.args):
                passed = site.args[index]
            if passed is None:
                continue
            values.append(self._site_value(caller_path, site, passed))
        values += self._decorator_passes(path, func, func.params.index(param))
        found = merge(values) if values else UNKNOWN
        return found if isinstance(found, RedisType) else UNKNOWN

    def _decorator_passes(self, path: str, func: FunctionFacts, index: int) -> list[Value]:
        """What the tree decorators of ``func`` pass as its parameter number ``index``
        (``@with_redis`` whose wrapper calls ``func(get_redis(), *args)``)."""
        values: list[Value] = []
        resolver = Resolver(_ModuleScope(self, path), self)
        for dotted_name in func.decorators:
            decorator = resolver.value(_dotted_sym(dotted_name))
            if not isinstance(decorator, TreeFunction):
                continue
            facts = self.function(decorator.module, decorator.qualname)
            if facts is None:
                continue
            for args in facts.forwarded:
                if index >= len(args):
                    continue
                passed = args[index]
                scope: _ModuleScope = _ModuleScope(self, decorator.module)
                first = args[0]
                if (
                    func.class_qualname is not None
                    and decorator.module == path
                    and isinstance(first, SName)
                ):
                    # ``method(self, client, ...)``: the wrapper's ``self`` is the instance
                    scope = _MethodScope(self, path, func.class_qualname, first.id)
                values.append(Resolver(scope, self).value(passed))
        return values

    def _site_value(self, path: str, site: CallSite, sym: Sym) -> Value:
        facts = self.by_path[path]
        caller = self.function(facts.path, site.caller) if site.caller is not None else None
        scope: _ModuleScope
        if caller is not None and caller.class_qualname is not None:
            scope = _MethodScope(self, facts.path, caller.class_qualname, caller.self_name)
        else:
            scope = _ModuleScope(self, facts.path)
        return Resolver(scope, self).value(sym)

    def _modules_calling(self, name: str) -> list[ModuleFacts]:
        """The modules (in index order) that call something named ``name``, directly or
        under the name of an import: one pass over the index, not one per question (the
        questions grow with the tree too)."""
        if self._calling is None:
            calling: dict[str, list[ModuleFacts]] = {}
            for facts in self.by_path.values():
                names = set(facts.calls)
                names.update(
                    dotted.rsplit(".", 1)[-1]
                    for alias, dotted in facts.imports.items()
                    if alias in facts.calls
                )
                for called in names:
                    calling.setdefault(called, []).append(facts)
            self._calling = calling
        return self._calling.get(name, [])

    def _call_value(self, facts: ModuleFacts, site: CallSite) -> Value:
        return self._site_value(facts.path, site, site.func)

    def transaction_callback_receivers(self, path: str, func_name: str) -> list[Sym]:
        facts = self.by_path.get(path)
        if facts is None:
            return []
        return facts.transaction_callbacks.get(func_name, [])

    def exports_clients(self, path: str) -> bool:
        """Whether any module-level name of ``path`` is a Redis object, or a function or
        class of the tree that gives one (also when imported: a module re-exporting a
        client factory hands it on to its importers)."""
        facts = self.by_path.get(path)
        if facts is None:
            return False
        for name in list(facts.bindings) + list(facts.imports):
            value = self.module_attr(path, name)
            if isinstance(value, RedisType):
                return True
            if isinstance(value, TreeFunction) and isinstance(
                self.function_return(value.module, value.qualname), RedisType
            ):
                return True
            if isinstance(value, TreeClass) and self.class_redis_base(value.module, value.name):
                return True
        return (
            any(isinstance(self.function_return(path, f), RedisType) for f in facts.functions)
            or any(self.class_redis_base(path, c) is not None for c in facts.classes)
            or any(self._holds_clients(path, c) for c in facts.classes.values())
        )

    def _holds_clients(self, path: str, cls: ClassFacts) -> bool:
        """Whether instances of ``cls`` hand out a Redis object: a method returning one
        (``Store().connect()``) or an attribute holding one (``store.conn``)."""
        if any(
            isinstance(self.function_return(path, m.qualname), RedisType)
            for m in cls.methods.values()
        ):
            return True
        return any(
            isinstance(self.instance_attr(path, cls.qualname, a), RedisType) for a in cls.attrs
        )


def _common_prefix(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _facts_digest(parts: list[str]) -> str:

    return digest(*parts)


def _property_getter(cls: ClassFacts, syms: list[Sym] | None) -> FunctionFacts | None:
    """The getter of a class attribute bound to ``property(getter, ...)``."""
    for sym in syms or ():
        if (
            isinstance(sym, SCall)
            and isinstance(sym.func, SName)
            and sym.func.id == "property"
            and sym.args
            and isinstance(sym.args[0], SName)
        ):
            return cls.methods.get(sym.args[0].id)
    return None


def _filled(resolver: Resolver, value: Value, items: list[Sym] | None) -> Value:
    """A container known by what is put into it: ``self.nodes = {}`` then
    ``self.nodes[name] = Redis(...)`` holds clients."""
    if not items or isinstance(value, RedisType | Container):
        return value
    element = merge([resolver.value(s) for s in items])
    if element is UNKNOWN or element is OTHER or element is NONE:
        return value
    return Container(element)
