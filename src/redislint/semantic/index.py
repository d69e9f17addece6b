"""The first, cheap pass: module-level facts of one file, read with the standard ``ast``.

These facts (imports, module-level bindings, functions and what they return, classes
with their bases and attributes) are all that other files need to know about this one,
and all the rule pass needs about its own module-level names. They are plain data so
they can be cached and sent between processes.

Longer than the other modules (about 950 lines) on purpose: it is one ``ast`` visitor whose
statement and expression cases feed the same facts; split, each part would need the
visitor's whole state.
"""

from __future__ import annotations

import ast
import builtins
import dataclasses
import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from redislint.clients.evidence import is_evidence, receiver_text
from redislint.clients.sym import (
    SUNKNOWN,
    SAlt,
    SAnnot,
    SAttr,
    SAwait,
    SCall,
    SIter,
    SName,
    SSub,
    Sym,
    authenticates,
    dotted,
    from_ast,
    masked,
    masked_auth,
)
from redislint.commands import all_methods
from redislint.credentials import secret_name
from redislint.semantic.mentions import may_define_keys, names_redis
from redislint.semantic.modules import is_package_init, module_name
from redislint.semantic.pyparse import lenient_parse

# Imported names worth following into a module with no Redis token (``session_key``,
# ``JOBS_CHANNEL``, ``from app import keys``).
_KEY_NAME_WORDS = ("key", "channel", "queue", "topic", "prefix", "stream")


def names_a_key(name: str) -> bool:
    """Whether an imported name says it is (or holds) a key, channel or key helper."""
    lowered = name.lower()
    return any(word in lowered for word in _KEY_NAME_WORDS)


@dataclass
class FunctionFacts:
    """A function or method: what it returns, how it is decorated."""

    qualname: str
    returns: Sym | None = None
    return_values: list[Sym] = field(default_factory=list)
    yield_values: list[Sym] = field(default_factory=list)  # a generator's ``yield x``
    params: tuple[str, ...] = ()  # positional and keyword parameter names, in order
    # parameters on which the body calls a method named like a Redis command: the ones
    # whose callers are worth asking what they pass
    command_receivers: tuple[str, ...] = ()
    is_property: bool = False
    is_async: bool = False
    decorators: tuple[str, ...] = ()
    class_qualname: str | None = None
    self_name: str | None = None
    # as a decorator: the positional arguments its wrapper passes to the function it
    # wraps (``return func(get_redis(), *args)`` -> ``(get_redis(),)``), which become
    # the decorated function's first parameters
    forwarded: tuple[tuple[Sym, ...], ...] = ()
    # a key helper (``def user_key(uid): return f"user:{uid}"``): the source of the string
    # template its body returns, which key shapes inline at its call sites
    key_template: str | None = None


@dataclass(frozen=True)
class CallSite:
    """A call of a named function or method (``get_client()``, ``self.connect()``).

    ``caller``: the qualname of the function it is in (None at module or class level;
    calls inside nested functions are not recorded). ``fate``: what happens to the
    result: "stored" (an attribute, an item or a global), "returned", or "other".
    """

    caller: str | None
    func: Sym
    fate: str
    line: int
    # the arguments (the caller's locals substituted); None when some are unpacked
    args: tuple[Sym, ...] | None = ()
    kwargs: tuple[tuple[str, Sym], ...] = ()


@dataclass
class ClassFacts:
    """A class: its bases and the attributes its instances carry."""

    qualname: str
    bases: list[Sym] = field(default_factory=list)
    attrs: dict[str, list[Sym]] = field(default_factory=dict)
    methods: dict[str, FunctionFacts] = field(default_factory=dict)
    # what is put into an attribute that is a container (``self.nodes[k] = Redis()``,
    # ``self.nodes.append(...)``): its elements
    items: dict[str, list[Sym]] = field(default_factory=dict)


@dataclass
class ModuleFacts:
    """Everything the project index knows about one file."""

    path: str
    module: str
    is_package: bool
    # the text names Redis (the prefilter's default tokens): a file that does not is
    # linted only when it imports a client, so package-wide evidence never reaches it
    mentions_redis: bool = False
    # the text may define key helpers or key/channel constants (``prefilter.may_define_keys``)
    defines_keys: bool = False

    def shapes_keys(self, name: str) -> bool:
        """Whether this module's key helper or constant ``name`` may shape keys elsewhere:
        the same answer whether or not the prefilter ran (with it, a module with no Redis
        token is indexed only for names like these, see ``names_a_key``)."""
        return self.mentions_redis or (self.defines_keys and names_a_key(name))

    imports: dict[str, str] = field(default_factory=dict)
    star_imports: list[str] = field(default_factory=list)
    # what is put into a module-level container (``NODES[name] = Redis()``)
    items: dict[str, list[Sym]] = field(default_factory=dict)
    # imports inside functions (``from .._redis import get_client`` in ``__init__``): the
    # name's meaning wherever the module binds it nowhere else
    local_imports: dict[str, str] = field(default_factory=dict)
    bindings: dict[str, list[Sym]] = field(default_factory=dict)
    functions: dict[str, FunctionFacts] = field(default_factory=dict)
    classes: dict[str, ClassFacts] = field(default_factory=dict)
    # function name -> receivers of ``receiver.transaction(function, ...)`` calls
    transaction_callbacks: dict[str, list[Sym]] = field(default_factory=dict)
    # a fingerprint of the file these facts were read from (the cache key of dependents)
    digest: str = ""
    # whether the file is test code (``test-paths``): its calls are not the program's work
    is_test: bool = False
    # the last name of a called function or method -> its call sites
    calls: dict[str, list[CallSite]] = field(default_factory=dict)
    # Evidence (clients/evidence.py): receivers on which Redis-only commands are called,
    # each "client" or "pipeline" (``execute()`` is called on it too). Per function
    # qualname, receivers rooted in its own names or calls; per class qualname, the
    # attribute chains of ``self``; and receivers rooted in module-level names.
    evidence_locals: dict[str, dict[str, str]] = field(default_factory=dict)
    evidence_attrs: dict[str, dict[str, str]] = field(default_factory=dict)
    evidence_globals: dict[str, str] = field(default_factory=dict)
    # per class qualname, parameters of its methods (by name) on which one of them calls
    # Redis-only commands: a class passes one kind of object under one parameter name
    evidence_params: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def package(self) -> str:
        if self.is_package:
            return self.module
        return self.module.rpartition(".")[0]


_BUILTINS = frozenset(dir(builtins))
_PROPERTY_DECORATORS = ("property", "cached_property", "functools.cached_property")


def absolute_import(package: str, module: str | None, level: int) -> str:
    """Resolve ``from ..x import`` against the importing module's package."""
    if level == 0:
        return module or ""
    parts = package.split(".") if package else []
    if level - 1:
        parts = parts[: len(parts) - (level - 1)] if level - 1 <= len(parts) else []
    if module:
        parts.append(module)
    return ".".join(parts)


class _Extractor:
    def __init__(self, facts: ModuleFacts) -> None:
        self.facts = facts
        self._caller: FunctionFacts | None = None
        # local name -> call sites whose result it holds (``pool = create_pool()``): their
        # fate becomes that of the name if it is later returned or stored
        self._local_sites: dict[str, list[tuple[str, int]]] = {}
        self._globals: set[str] = set()
        # the method calls (``x.m(...)``) of the function being read, nested ones included
        self._calls: list[ast.Call] = []

    # -- module and class bodies ---------------------------------------------------------
    def body(self, stmts: list[ast.stmt], cls: ClassFacts | None) -> None:
        for stmt in stmts:
            self.statement(stmt, cls)

    def statement(self, stmt: ast.stmt, cls: ClassFacts | None) -> None:
        facts = self.facts
        target = cls.attrs if cls is not None else facts.bindings
        if isinstance(stmt, ast.Import | ast.ImportFrom) and cls is None:
            self.imports(stmt, facts.imports)
        elif isinstance(stmt, ast.Assign):
            for t in stmt.targets:
                _bind_target(t, stmt.value, target)
                if cls is None and isinstance(t, ast.Subscript):
                    self.item(t.value, from_ast(stmt.value), None, None, {})
        elif cls is None and isinstance(stmt, ast.Expr) and _is_insertion(stmt.value):
            assert isinstance(stmt.value, ast.Call) and isinstance(stmt.value.func, ast.Attribute)
            self.item(stmt.value.func.value, from_ast(stmt.value.args[-1]), None, None, {})
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            values = target.setdefault(stmt.target.id, [])
            values.append(SAnnot(from_ast(stmt.annotation)))
            if stmt.value is not None:
                values.append(from_ast(stmt.value))
        elif isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            func = self.function(stmt, cls)
            if cls is None:
                facts.functions[stmt.name] = func
            elif not (stmt.name in cls.methods and _accessor_of(stmt)):
                # ``@redis.setter def redis(...)`` keeps the getter: reads go through it
                cls.methods[stmt.name] = func
        elif isinstance(stmt, ast.ClassDef):
            self.class_def(stmt, cls)
        if cls is None:
            self.evidence(_attribute_calls(_expressions(stmt)), None, None, set())
        if isinstance(stmt, ast.Try) or _is_try_star(stmt):
            handlers = [h.body for h in getattr(stmt, "handlers", ())]
            for block in _blocks(stmt):
                if block in handlers:
                    # ``try: from redis import asyncio as aioredis`` / ``except ImportError:
                    # import aioredis``: the import tried first is the one that names
                    saved = dict(facts.imports)
                    self.body(block, cls)
                    facts.imports.update(saved)
                else:
                    self.body(block, cls)
        elif isinstance(stmt, ast.If | ast.While):
            for block in _blocks(stmt):
                self.body(block, cls)
        elif isinstance(stmt, ast.For | ast.AsyncFor):
            _bind_target(stmt.target, None, target, SIter(from_ast(stmt.iter)))
            self.body(stmt.body, cls)
            self.body(stmt.orelse, cls)
        elif isinstance(stmt, ast.With | ast.AsyncWith):
            for item in stmt.items:
                if item.optional_vars is not None:
                    _bind_target(item.optional_vars, item.context_expr, target)
            self.body(stmt.body, cls)
        self.callbacks(stmt, None)

    def imports(self, stmt: ast.Import | ast.ImportFrom, into: dict[str, str]) -> None:
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.asname:
                    into[alias.asname] = alias.name
                else:
                    head = alias.name.split(".", 1)[0]
                    into[head] = head
            return
        base = absolute_import(self.facts.package, stmt.module, stmt.level)
        for alias in stmt.names:
            if alias.name == "*":
                self.facts.star_imports.append(base)
                continue
            into[alias.asname or alias.name] = f"{base}.{alias.name}" if base else alias.name

    def class_def(self, node: ast.ClassDef, outer: ClassFacts | None) -> None:
        qualname = f"{outer.qualname}.{node.name}" if outer else node.name
        cls = ClassFacts(qualname=qualname, bases=[from_ast(b) for b in node.bases])
        self.facts.classes[qualname] = cls
        self.body(node.body, cls)
        if outer is None:
            self.facts.bindings.setdefault(node.name, [])

    # -- functions ---------------------------------------------------------------------
    def function(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef, cls: ClassFacts | None
    ) -> FunctionFacts:
        decorators = tuple(
            d
            for d in (
                dotted(from_ast(dec.func if isinstance(dec, ast.Call) else dec))
                for dec in node.decorator_list
            )
            if d is not None
        )
        qualname = f"{cls.qualname}.{node.name}" if cls else node.name
        func = FunctionFacts(
            qualname=qualname,
            returns=SAnnot(from_ast(node.returns)) if node.returns is not None else None,
            is_property=any(d.endswith(_PROPERTY_DECORATORS) for d in decorators),
            is_async=isinstance(node, ast.AsyncFunctionDef),
            decorators=decorators,
            class_qualname=cls.qualname if cls else None,
        )
        positional = node.args.posonlyargs + node.args.args
        if cls is not None and positional and "staticmethod" not in decorators:
            func.self_name = positional[0].arg
        outer = (self._caller, self._globals, self._local_sites, self._calls)
        self._caller, self._globals, self._local_sites, self._calls = func, set(), {}, []
        local: dict[str, Sym] = {}
        for arg in [*positional, *node.args.kwonlyargs]:
            if arg.annotation is not None:
                local[arg.arg] = SAnnot(from_ast(arg.annotation))
            else:
                local[arg.arg] = SUNKNOWN
        if func.self_name is not None:
            local.pop(func.self_name, None)
        self.function_body(node.body, func, cls, local)
        calls, declared = self._calls, self._globals
        self._caller, self._globals, self._local_sites, self._calls = outer
        names = {*local, *(a.arg for a in (node.args.vararg, node.args.kwarg) if a is not None)}
        if func.self_name is not None:
            names.add(func.self_name)
        func.params = tuple(a.arg for a in [*positional, *node.args.kwonlyargs])
        self.evidence(calls, func, cls, names - declared)
        func.forwarded = _forwarded(node)
        func.command_receivers = _command_receivers(calls, func.params)
        func.key_template = _key_template(node)
        return func

    def evidence(
        self,
        calls: list[ast.Call],
        func: FunctionFacts | None,
        cls: ClassFacts | None,
        local: set[str],
    ) -> None:
        """Receivers of Redis-only commands among ``calls`` (the method calls of a
        function, nested functions included, or of a module-level statement's own
        expressions), filed by what they are rooted in."""
        found: dict[str, str] = {}
        executed: set[str] = set()
        for sub in calls:
            assert isinstance(sub.func, ast.Attribute)
            method = sub.func.attr
            if method in _PIPELINE_ONLY:
                text = receiver_text(sub.func.value)
                if text is not None:
                    executed.add(text)
                continue
            keywords = tuple(k.arg for k in sub.keywords if k.arg is not None)
            if not is_evidence(method, len(sub.args), keywords):
                continue
            text = receiver_text(sub.func.value)
            if text is not None:
                found.setdefault(text, "client")
        if not found:
            return
        facts = self.facts
        self_name = func.self_name if func is not None else None
        for text, kind in found.items():
            if text in executed or _PIPELINE_NAME.search(text.rsplit(".", 1)[-1]):
                kind = "pipeline"
            root = text.split(".", 1)[0]
            if cls is not None and root == self_name and "." in text:
                attrs = facts.evidence_attrs.setdefault(cls.qualname, {})
                attrs.setdefault(text.split(".", 1)[1], kind)
            elif func is not None and (root in local or root.endswith(")")):
                facts.evidence_locals.setdefault(func.qualname, {})[text] = kind
                if cls is not None and text == root and root in func.params:
                    facts.evidence_params.setdefault(cls.qualname, {}).setdefault(root, kind)
            elif root != self_name:
                facts.evidence_globals.setdefault(text, kind)

    def item(
        self,
        container: ast.expr,
        element: Sym,
        func: FunctionFacts | None,
        cls: ClassFacts | None,
        local: dict[str, Sym],
    ) -> None:
        """``container[k] = element`` or ``container.append(element)``, for a container
        in a ``self`` attribute or a module-level name."""
        if (
            cls is not None
            and func is not None
            and isinstance(container, ast.Attribute)
            and isinstance(container.value, ast.Name)
            and container.value.id == func.self_name
        ):
            cls.items.setdefault(container.attr, []).append(element)
        elif isinstance(container, ast.Name) and container.id not in local:
            self.facts.items.setdefault(container.id, []).append(element)

    def function_body(
        self,
        stmts: list[ast.stmt],
        func: FunctionFacts,
        cls: ClassFacts | None,
        local: dict[str, Sym],
    ) -> None:
        for stmt in stmts:
            self._settle_local_sites(stmt)
            if isinstance(stmt, ast.Return) and stmt.value is not None:
                func.return_values.append(_substitute(from_ast(stmt.value), local))
            elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Yield):
                if stmt.value.value is not None:
                    func.yield_values.append(_substitute(from_ast(stmt.value.value), local))
            elif isinstance(stmt, ast.Assign | ast.AnnAssign):
                value = stmt.value
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                for t in targets:
                    if isinstance(t, ast.Tuple | ast.List):
                        for elt in t.elts:
                            if isinstance(elt, ast.Name):
                                local[elt.id] = SUNKNOWN
                            elif isinstance(elt, ast.Starred) and isinstance(elt.value, ast.Name):
                                local[elt.value.id] = SUNKNOWN
                    if isinstance(t, ast.Name):
                        if isinstance(stmt, ast.AnnAssign):
                            local[t.id] = SAnnot(from_ast(stmt.annotation))
                        elif value is not None:
                            local[t.id] = _substitute(from_ast(value), local)
                    elif (
                        cls is not None
                        and isinstance(t, ast.Attribute)
                        and isinstance(t.value, ast.Name)
                        and t.value.id == func.self_name
                    ):
                        values = cls.attrs.setdefault(t.attr, [])
                        if isinstance(stmt, ast.AnnAssign):
                            values.append(SAnnot(from_ast(stmt.annotation)))
                        if value is not None:
                            values.append(_substitute(from_ast(value), local))
                if isinstance(stmt, ast.Assign) and value is not None:
                    for t in stmt.targets:
                        if isinstance(t, ast.Subscript):
                            self.item(
                                t.value, _substitute(from_ast(value), local), func, cls, local
                            )
            elif isinstance(stmt, ast.Expr) and _is_insertion(stmt.value):
                assert isinstance(stmt.value, ast.Call) and isinstance(
                    stmt.value.func, ast.Attribute
                )
                element = _substitute(from_ast(stmt.value.args[-1]), local)
                self.item(stmt.value.func.value, element, func, cls, local)
            elif isinstance(stmt, ast.For | ast.AsyncFor) and isinstance(stmt.target, ast.Name):
                local[stmt.target.id] = SIter(_substitute(from_ast(stmt.iter), local))
            elif isinstance(stmt, ast.With | ast.AsyncWith):
                for item in stmt.items:
                    if isinstance(item.optional_vars, ast.Name):
                        local[item.optional_vars.id] = _substitute(
                            from_ast(item.context_expr), local
                        )
            elif isinstance(stmt, ast.Import | ast.ImportFrom):
                found: dict[str, str] = {}
                self.imports(stmt, found)
                for name, target in found.items():
                    self.facts.local_imports.setdefault(name, target)
                continue
            elif isinstance(stmt, ast.Global):
                self._globals.update(stmt.names)
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                # nested definitions: only transaction callbacks matter to the index, and
                # their names and method calls to evidence
                self.callbacks(stmt, local)
                nested_names, nested_calls = _scan(stmt)
                self._calls.extend(nested_calls)
                for name in nested_names:
                    local.setdefault(name, SUNKNOWN)
                continue
            self.callbacks(stmt, local)
            if isinstance(stmt, ast.If | ast.Try | ast.Match) or _is_try_star(stmt):
                self.branches(stmt, func, cls, local)
            else:
                for block in _blocks(stmt):
                    self.function_body(block, func, cls, local)

    def branches(
        self, stmt: ast.stmt, func: FunctionFacts, cls: ClassFacts | None, local: dict[str, Sym]
    ) -> None:
        """The arms of an ``if``/``try``/``match``, each from the names as they were
        before it; after it, a name the arms bind differently is one of those values."""
        before = dict(local)
        arms: list[dict[str, Sym]] = []
        narrowed = _isinstance_narrowing(stmt.test) if isinstance(stmt, ast.If) else None
        for i, block in enumerate(_blocks(stmt)):
            arm = dict(before)
            if i == 0 and narrowed is not None:
                arm[narrowed[0]] = narrowed[1]  # ``if isinstance(x, Redis):`` x is a Redis
            self.function_body(block, func, cls, arm)
            arms.append(arm)
        for name in {n for arm in arms for n in arm}:
            options: list[Sym] = []
            for arm in arms:
                sym = arm.get(name)
                if sym is not None and sym not in options:
                    options.append(sym)
            local[name] = options[0] if len(options) == 1 else SAlt(tuple(options))

    def callbacks(self, stmt: ast.stmt, local: dict[str, Sym] | None) -> None:
        """Record ``receiver.transaction(func, ...)`` calls and call sites in ``stmt``'s
        expressions."""
        for node in _expressions(stmt):
            for sub in _walk(node):
                if isinstance(sub, ast.Call):
                    self.call_site(stmt, sub, local)
                    if local is not None and isinstance(sub.func, ast.Attribute):
                        self._calls.append(sub)
                if (
                    isinstance(sub, ast.Call)
                    and isinstance(sub.func, ast.Attribute)
                    and sub.func.attr == "transaction"
                    and sub.args
                    and isinstance(sub.args[0], ast.Name)
                ):
                    receiver = from_ast(sub.func.value)
                    if local is not None:
                        receiver = _substitute(receiver, local)
                    self.facts.transaction_callbacks.setdefault(sub.args[0].id, []).append(receiver)

    def call_site(self, stmt: ast.stmt, call: ast.Call, local: dict[str, Sym] | None) -> None:
        # Helpers are called by name or as an attribute of a name (``self.connect()``,
        # ``db.get_client()``); builtins are not helpers.
        func = call.func
        if isinstance(func, ast.Name):
            name = func.id
            if name in _BUILTINS:
                return
        elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            name = func.attr
        else:
            return
        sym = from_ast(func)
        if local is not None:
            sym = _substitute(sym, local)
        caller = self._caller.qualname if self._caller is not None and local is not None else None
        unpacked = any(isinstance(a, ast.Starred) for a in call.args) or any(
            k.arg is None for k in call.keywords
        )

        def arg(node: ast.expr) -> Sym:
            found = from_ast(node)
            return _substitute(found, local) if local is not None else found

        site = CallSite(
            caller,
            sym,
            self._call_fate(stmt, call, caller is None),
            call.lineno,
            None if unpacked else _positional(call, tuple(arg(a) for a in call.args)),
            ()
            if unpacked
            else tuple(
                (k.arg, masked(arg(k.value)) if secret_name(k.arg) else arg(k.value))
                for k in call.keywords
                if k.arg
            ),
        )
        sites = self.facts.calls.setdefault(name, [])
        sites.append(site)
        if (
            caller is not None
            and isinstance(stmt, ast.Assign)
            and stmt.value is call
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)
        ):
            self._local_sites.setdefault(stmt.targets[0].id, []).append((name, len(sites) - 1))

    def _settle_local_sites(self, stmt: ast.stmt) -> None:
        """A name holding a helper's result is returned or stored: so is the result."""
        if not self._local_sites:
            return
        if isinstance(stmt, ast.Return) and stmt.value is not None:
            fate, value = "returned", stmt.value
        elif isinstance(stmt, ast.Assign) and any(
            not isinstance(t, ast.Name) or t.id in self._globals for t in stmt.targets
        ):
            fate, value = "stored", stmt.value
        else:
            return
        for node in ast.walk(value):
            if isinstance(node, ast.Name) and node.id in self._local_sites:
                for name, index in self._local_sites.pop(node.id):
                    site = self.facts.calls[name][index]
                    self.facts.calls[name][index] = dataclasses.replace(site, fate=fate)

    def _call_fate(self, stmt: ast.stmt, call: ast.Call, module_level: bool) -> str:
        value = getattr(stmt, "value", None)
        if isinstance(value, ast.Await):
            value = value.value
        if isinstance(value, ast.Call) and value is not call:
            # ``return Client(connection_pool=get_pool())``: the helper's result lives on
            # in the object that is returned or stored
            passed = [*value.args, *(k.value for k in value.keywords)]
            if any(arg is call for arg in passed):
                value = call
        if value is not call:
            return "other"
        if isinstance(stmt, ast.Return):
            return "returned"
        if isinstance(stmt, ast.Assign | ast.AnnAssign):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for target in targets:
                if not isinstance(target, ast.Name) or module_level or target.id in self._globals:
                    return "stored"
        return "other"


_LEAVES = (ast.Name, ast.Constant, ast.expr_context)


def _walk(node: ast.AST) -> Iterator[ast.AST]:
    """The nodes of ``ast.walk(node)``, in its order, less those that cannot be or hold a
    call: names, constants and load/store markers, which are most of a tree."""
    todo = deque([node])
    while todo:
        node = todo.popleft()
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, ast.AST):
                if not isinstance(value, _LEAVES):
                    todo.append(value)
            elif isinstance(value, list):
                todo.extend(
                    v for v in value if isinstance(v, ast.AST) and not isinstance(v, _LEAVES)
                )
        yield node


# Calls only a pipeline answers, and names people give pipelines (``pipe``, ``tx_pipe``):
# a receiver with evidence and either is a pipeline, whose commands are queued.
_PIPELINE_ONLY = frozenset({"execute", "multi"})
_PIPELINE_NAME = re.compile(r"(?:^|_)(?:pipe|pipeline|pl|tx|transaction)(?:_|$)", re.I)


def _command_receivers(calls: list[ast.Call], params: tuple[str, ...]) -> tuple[str, ...]:
    """The parameters a function calls Redis-command-named methods on (``conn.get(k)``)."""
    methods = all_methods()
    found = {
        sub.func.value.id
        for sub in calls
        if isinstance(sub.func, ast.Attribute)
        and isinstance(sub.func.value, ast.Name)
        and sub.func.attr in methods
    }
    return tuple(p for p in params if p in found)


def _attribute_calls(nodes: list[ast.expr]) -> list[ast.Call]:
    """The method calls (``x.m(...)``) in ``nodes``."""
    return [
        sub
        for node in nodes
        for sub in ast.walk(node)
        if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute)
    ]


_INSERTIONS = frozenset({"append", "appendleft", "add", "insert", "setdefault"})


def _is_insertion(node: ast.expr) -> bool:
    """``x.append(v)``, ``x.add(v)``, ``x.setdefault(k, v)``: ``v`` goes into ``x``."""
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in _INSERTIONS
        and bool(node.args)
        and not node.keywords
    )


def _scan(
    node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef,
) -> tuple[set[str], list[ast.Call]]:
    """One walk over a definition nested in a function: the names it binds (parameters
    and assignment targets, less those it declares global) and its method calls."""
    names: set[str] = set()
    if not isinstance(node, ast.ClassDef):
        args = node.args
        names.update(a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs])
        names.update(a.arg for a in (args.vararg, args.kwarg) if a is not None)
    declared: set[str] = set()
    calls: list[ast.Call] = []
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            if isinstance(sub.func, ast.Attribute):
                calls.append(sub)
        elif isinstance(sub, ast.Name):
            if isinstance(sub.ctx, ast.Store):
                names.add(sub.id)
        elif isinstance(sub, ast.Global | ast.Nonlocal):
            declared.update(sub.names)
        elif isinstance(sub, ast.FunctionDef | ast.AsyncFunctionDef) and sub is not node:
            inner = sub.args
            names.update(a.arg for a in [*inner.posonlyargs, *inner.args, *inner.kwonlyargs])
    return names - declared, calls


def _is_try_star(stmt: ast.stmt) -> bool:
    return type(stmt).__name__ == "TryStar"


def _blocks(stmt: ast.stmt) -> list[list[ast.stmt]]:
    blocks: list[list[ast.stmt]] = []
    for name in ("body", "orelse", "finalbody"):
        block = getattr(stmt, name, None)
        if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
            blocks.append(block)
    for handler in getattr(stmt, "handlers", ()) or ():
        blocks.append(handler.body)
    for case in getattr(stmt, "cases", ()) or ():
        blocks.append(case.body)
    return blocks


def _expressions(stmt: ast.stmt) -> list[ast.expr]:
    """The expressions a statement evaluates itself (not those of nested blocks)."""
    if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return []
    out: list[ast.expr] = []
    for name, value in ast.iter_fields(stmt):
        if name in ("body", "orelse", "finalbody", "handlers", "cases"):
            continue
        if isinstance(value, ast.expr):
            out.append(value)
        elif isinstance(value, list):
            out.extend(v for v in value if isinstance(v, ast.expr))
            for v in value:
                if isinstance(v, ast.withitem):
                    out.append(v.context_expr)
    return out


def _bind_target(
    target: ast.expr, value: ast.expr | None, into: dict[str, list[Sym]], sym: Sym | None = None
) -> None:
    if isinstance(target, ast.Name):
        into.setdefault(target.id, []).append(sym if sym is not None else from_ast(value))
    elif isinstance(target, ast.Tuple | ast.List):
        values = value.elts if isinstance(value, ast.Tuple | ast.List) else None
        for i, elt in enumerate(target.elts):
            if values is not None and len(values) == len(target.elts):
                _bind_target(elt, values[i], into)
            else:
                _bind_target(elt, None, into, SUNKNOWN)


def _forwarded(node: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[tuple[Sym, ...], ...]:
    """What a decorator's wrapper passes to the function it wraps: the calls, inside
    functions nested in ``node``, of a parameter of ``node`` or of a nested function that
    itself holds the wrapper (``def deco(func): def inner(*a): return func(conn(), *a)``)."""
    # a decorator defines its wrapper in its body, or (a decorator factory) a decorator
    # that does: two levels of ``def`` directly in the bodies, no walk of the rest
    inner_defs = _defs(node)
    if not inner_defs:
        return ()  # no wrapper inside: not a decorator
    holders = [node, *(d for d in inner_defs if _defs(d))]
    nested = [*inner_defs, *(dd for d in inner_defs for dd in _defs(d))]
    wrapped = {a.arg for h in holders for a in [*h.args.posonlyargs, *h.args.args]}
    found: list[tuple[Sym, ...]] = []
    for inner in nested:
        local: dict[str, Sym] = {}
        for stmt in inner.body:
            if (
                isinstance(stmt, ast.Assign)
                and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Name)
            ):
                local[stmt.targets[0].id] = from_ast(stmt.value)
        for call in _own_nodes(inner):
            if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name)):
                continue
            if call.func.id not in wrapped:
                continue
            args: list[Sym] = []
            for arg in call.args:
                if isinstance(arg, ast.Starred):
                    break
                args.append(_substitute(from_ast(arg), local))
            if args:
                found.append(tuple(args))
    return tuple(found)


def _defs(
    func: ast.FunctionDef | ast.AsyncFunctionDef,
) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    return [s for s in func.body if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef)]


def _own_nodes(func: ast.FunctionDef | ast.AsyncFunctionDef) -> Iterator[ast.AST]:
    """The nodes of ``func``'s body, not those of functions nested in it."""
    todo: list[ast.AST] = list(func.body)
    while todo:
        node = todo.pop()
        yield node
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            todo.extend(ast.iter_child_nodes(node))


def _accessor_of(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """``@name.setter`` / ``@name.deleter`` over a method of the property's name."""
    return any(
        isinstance(d, ast.Attribute)
        and d.attr in ("setter", "deleter")
        and isinstance(d.value, ast.Name)
        and d.value.id == node.name
        for d in node.decorator_list
    )


def _isinstance_narrowing(test: ast.expr) -> tuple[str, Sym] | None:
    """``isinstance(name, T)`` or ``isinstance(name, (T1, T2))``, also as the first
    operand of ``and``: the name, and what it is in the ``if`` body."""
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        test = test.values[0]
    if not (
        isinstance(test, ast.Call)
        and isinstance(test.func, ast.Name)
        and test.func.id == "isinstance"
        and len(test.args) == 2
        and isinstance(test.args[0], ast.Name)
    ):
        return None
    types = test.args[1]
    elements = types.elts if isinstance(types, ast.Tuple) else [types]
    options = tuple(SAnnot(from_ast(e)) for e in elements)
    return test.args[0].id, options[0] if len(options) == 1 else SAlt(options)


def _substitute(sym: Sym, local: dict[str, Sym], depth: int = 0) -> Sym:
    """Replace local names in ``sym`` by what they were bound to (one level deep)."""
    if depth > 8:
        return sym
    if isinstance(sym, SName):
        bound = local.get(sym.id)
        return bound if bound is not None else sym
    if isinstance(sym, SAttr):
        return SAttr(_substitute(sym.value, local, depth + 1), sym.attr)
    if isinstance(sym, SCall):
        return SCall(
            _substitute(sym.func, local, depth + 1),
            sym.args,
            sym.kwargs,
        )
    # ``x if c else redis``, ``a or b``, ``await f()``, ``d[k]``, a ``for`` target: a
    # parameter named like a module (``redis``) is the parameter
    if isinstance(sym, SAlt):
        return SAlt(tuple(_substitute(o, local, depth + 1) for o in sym.options))
    if isinstance(sym, SAwait):
        return SAwait(_substitute(sym.value, local, depth + 1))
    if isinstance(sym, SSub):
        return SSub(_substitute(sym.value, local, depth + 1), sym.index)
    if isinstance(sym, SIter):
        return SIter(_substitute(sym.value, local, depth + 1))
    return sym


def extract(tree: ast.Module, path: str, module: str, is_package: bool) -> ModuleFacts:
    """Module-level facts of a parsed file."""
    facts = ModuleFacts(path=path, module=module, is_package=is_package)
    _Extractor(facts).body(tree.body, None)
    _mask_secret_bindings(facts)
    return facts


def _positional(call: ast.Call, args: tuple[Sym, ...]) -> tuple[Sym, ...]:
    return masked_auth(args) if authenticates(call) else args


def _mask_secret_bindings(facts: ModuleFacts) -> None:
    """Module-level strings that are credentials, masked: names that say so
    (``REDIS_PASSWORD = "..."``) and names passed as one (``Redis(password=PW)``)."""
    passed: set[str] = set()

    def look(sym: Sym) -> None:
        if isinstance(sym, SCall):
            for keyword, value in sym.kwargs:
                if isinstance(value, SName) and secret_name(keyword):
                    passed.add(value.id)
                look(value)
            for arg in sym.args:
                look(arg)

    for syms in facts.bindings.values():
        for sym in syms:
            look(sym)
    for site in (site for sites in facts.calls.values() for site in sites):
        for keyword, value in site.kwargs:
            if isinstance(value, SName) and secret_name(keyword):
                passed.add(value.id)
    for name, syms in facts.bindings.items():
        if name in passed or secret_name(name):
            facts.bindings[name] = [masked(sym) for sym in syms]


def _key_template(node: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    """The string template a function returns when its body is only that (after a
    docstring): ``return f"user:{uid}"``, ``return "{0}:ip:{1}".format(PREFIX, ip)``."""
    body = node.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    if len(body) != 1 or not isinstance(body[0], ast.Return) or body[0].value is None:
        return None
    value = body[0].value
    if _is_template(value) and not isinstance(node, ast.AsyncFunctionDef):
        return ast.unparse(value)
    return None


def _is_template(node: ast.expr) -> bool:
    """A string built from literal text and values (not a bare name or a literal)."""
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.Constant) and v.value for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return isinstance(node.left, ast.Constant) and isinstance(node.left.value, str)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return any(
            (isinstance(side, ast.Constant) and isinstance(side.value, str)) or _is_template(side)
            for side in (node.left, node.right)
        )
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        base = node.func.value
        return (
            node.func.attr in ("format", "join")
            and isinstance(base, ast.Constant)
            and isinstance(base.value, str)
        )
    return False


def index_source(text: str, path: Path, key: str) -> ModuleFacts | None:
    """Module-level facts of one file (None when the standard parser rejects it).

    A tree too deep for this process's recursion limit raises RecursionError: the caller
    retries in a worker, so the result never depends on where indexing ran.
    """
    return index_tree(text, path, key)[0]


def index_tree(text: str, path: Path, key: str) -> tuple[ModuleFacts | None, ast.Module | None]:
    """``index_source`` and the ``ast`` tree it read (which ``engine/focus.py`` reuses)."""
    try:
        tree = lenient_parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None, None
    name, _root = module_name(path)
    facts = extract(tree, key, name, is_package_init(path))
    facts.mentions_redis = names_redis(text)
    facts.defines_keys = may_define_keys(text)
    return facts, tree
