"""The analyzer's scope store: the scopes of one walk, what their names are bound to, and
the questions asked of them (a name's value, a receiver's evidence, an expression's key
shape, which command results flow into a node, where a value goes).

``ScopeStore`` is a base class of ``analyzer.Analyzer``: it only reads and updates the
state the walk keeps (``Analyzer.__init__`` sets it), it never walks the tree itself.
"""

from __future__ import annotations

import libcst as cst

from redislint.clients.cst_sym import from_cst
from redislint.clients.evidence import sym_text
from redislint.clients.resolve import Resolver
from redislint.clients.sym import Sym
from redislint.clients.types import (
    OTHER,
    UNKNOWN,
    Kind,
    RedisType,
    TreeClass,
    TreeInstance,
    Value,
    merge,
)
from redislint.keys.shape import KeyShape, shape_of
from redislint.semantic.key_helpers import helper_call
from redislint.semantic.model import (
    Command,
    Construction,
    Guard,
    Pipe,
    Scope,
    TryContext,
)
from redislint.semantic.nodes import _all_params, _iterables, _parameters, _results, children
from redislint.semantic.project import Project

# Methods that hand out an object holding their receiver (a client from a Sentinel, a
# pipeline or a lock from a client).
_DERIVING = frozenset(
    {
        "master_for",
        "slave_for",
        "pipeline",
        "pubsub",
        "lock",
        "client",
        "register_script",
        "monitor",
        "json",
    }
)
_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)
# Nodes through which a value flows unchanged into the enclosing expression.
_PASS_THROUGH = (
    cst.Await,
    cst.List,
    cst.Tuple,
    cst.Set,
    cst.Dict,
    cst.Element,
    cst.DictElement,
    cst.StarredElement,
    cst.StarredDictElement,
    cst.IfExp,
    cst.BooleanOperation,
    *_COMPREHENSIONS,
)


class _ScopeView:
    """Adapts a ``model.Scope`` to the resolver's ``Scope`` protocol."""

    __slots__ = ("analyzer", "scope")

    def __init__(self, analyzer: ScopeStore, scope: Scope) -> None:
        self.analyzer = analyzer
        self.scope = scope

    def lookup(self, name: str) -> Value:
        return self.analyzer.lookup(self.scope, name)

    def super_value(self) -> Value:
        cls = self.scope.enclosing_class
        if cls is None:
            return UNKNOWN
        base = self.analyzer.project.class_redis_base(self.analyzer.path, cls)
        return base if base is not None else OTHER

    def evidence(self, sym: Sym) -> RedisType | None:
        text = sym_text(sym)
        return self.analyzer.evidence(self.scope, text) if text is not None else None


class ScopeStore:
    """The scopes of one walk and what they bind (see the module docstring)."""

    path: str
    project: Project
    _indexed: bool
    scopes: list[Scope]
    command_by_node: dict[cst.Call, Command]
    _holding: bool
    stack: list[cst.CSTNode]
    scope: Scope
    _resolvers: dict[int, Resolver]
    _arms: list[tuple[int, int]]
    _loops: list[cst.CSTNode]
    _guards: list[Guard]
    _partial: list[Guard]
    _trys: list[TryContext]
    _in_test: int
    _saved: list[
        tuple[list[tuple[int, int]], list[cst.CSTNode], list[Guard], list[TryContext], list[Guard]]
    ]

    # -- resolution ----------------------------------------------------------------------
    def resolver(self, scope: Scope | None = None) -> Resolver:
        scope = scope or self.scope
        found = self._resolvers.get(id(scope))
        if found is None:
            found = Resolver(_ScopeView(self, scope), self.project)
            self._resolvers[id(scope)] = found
        return found

    def resolve(self, node: cst.BaseExpression) -> Value:
        return self.resolver().value(from_cst(node))

    def lookup(self, scope: Scope, name: str) -> Value:
        current: Scope | None = scope
        while current is not None:
            if current.kind == "module":
                if name in current.names and (current is scope or not self._indexed):
                    return current.names[name]
                return self.project.global_value(self.path, name)
            if name in current.declared_global:
                return self.project.global_value(self.path, name)
            if (current is scope or current.kind != "class") and name in current.names:
                return current.names[name]
            current = current.parent
        return UNKNOWN

    def evidence(self, scope: Scope, text: str) -> RedisType | None:
        """A receiver of ``scope`` taken for a Redis object by the commands called on it
        (``clients/evidence.py``): in the function the index knows (the outermost one,
        nested functions being part of it), on ``self`` of the class, or at module level."""
        project = self.project
        root, _, rest = text.partition(".")
        local = False
        top: Scope | None = None  # the outermost function: the index files evidence there
        current: Scope | None = scope
        while current is not None and current.kind != "module":
            if current.kind in ("function", "lambda"):
                local = local or root in current.names
                if current.kind == "function":
                    top = current
            current = current.parent
        if top is not None:
            owner = top.class_qualname
            qualname = f"{owner}.{top.name}" if owner else top.name
            found = project.evidence_local(self.path, qualname, text)
            if found is not None:
                return found
            if owner and not rest and root in _parameters(top.node):
                found = project.evidence_param(self.path, owner, root)
                if found is not None:
                    return found
        if rest:
            base = self.lookup(scope, root)
            if isinstance(base, TreeInstance) and base.module == self.path:
                found = project.evidence_attr(self.path, base.name, rest)
                if found is not None:
                    return found
        if local or root.endswith(")"):
            return None
        return project.evidence_global(self.path, text)

    # -- bindings ------------------------------------------------------------------------
    def version(self, name: str) -> int:
        return self.scope.versions.get(name, 0)

    def shape_in(self, node: cst.BaseExpression, scope: Scope) -> KeyShape:
        """The key shape of an expression of ``scope``: its names inlined as the scope binds
        them (else as module-level or imported constants), key helpers' calls as their
        templates."""

        def lookup(name: str) -> tuple[cst.BaseExpression | None, int | str]:
            version = scope.versions.get(name, 0)
            if version:
                bound = scope.strings.get(name)
                if bound is None and name in scope.elements:
                    return None, scope.elements[name]
                return bound, version
            found = self.scopes[0].strings.get(name)
            if found is None:
                # a constant imported from a module of the tree (``from config import PREFIX``)
                constant = self.project.imported_constant(self.path, name)
                if constant is not None:
                    found = cst.SimpleString(repr(constant))
            return found, 0

        def calls(
            call: cst.Call,
        ) -> tuple[cst.BaseExpression, dict[str, cst.BaseExpression]] | None:
            return helper_call(
                self.project, lambda n: self.resolver(scope).value(from_cst(n)), call
            )

        return shape_of(node, lookup, calls)

    def origins_of(self, node: cst.CSTNode) -> frozenset[Command]:
        """Commands whose results flow into ``node`` (directly or through local names)."""
        found: set[Command] = set()
        todo = [node]
        scope = self.scope
        while todo:
            current = todo.pop()
            if isinstance(current, cst.Call):
                cmd = self.command_by_node.get(current)
                if cmd is not None:
                    found.add(cmd)
                    found.update(cmd.replies)
            elif isinstance(current, cst.Name):
                found.update(scope.origins.get(current.value, ()))
                continue
            elif isinstance(current, cst.Lambda | cst.FunctionDef):
                continue
            todo.extend(children(current))
        return frozenset(found)

    # -- scopes ----------------------------------------------------------------------------
    def push_scope(self, kind: str, node: cst.CSTNode, name: str, is_async: bool = False) -> Scope:
        scope = Scope(kind=kind, node=node, name=name, parent=self.scope, is_async=is_async)
        self.scopes.append(scope)
        self.scope = scope
        self._saved.append((self._arms, self._loops, self._guards, self._trys, self._partial))
        self._arms, self._loops, self._guards, self._trys, self._partial = [], [], [], [], []
        return scope

    def pop_scope(self) -> None:
        assert self.scope.parent is not None
        self.scope = self.scope.parent
        self._arms, self._loops, self._guards, self._trys, self._partial = self._saved.pop()

    def bind_params(
        self,
        scope: Scope,
        params: cst.Parameters,
        in_class: bool,
        decorators: tuple[str, ...],
        outer: Scope,
    ) -> None:
        resolver = self.resolver(outer)
        positional = [*params.posonly_params, *params.params]
        first = positional[0].name.value if positional else None
        # a function of the module or a method: the index knows its callers
        qualname = (
            (f"{scope.class_qualname}.{scope.name}" if in_class else scope.name)
            if outer.kind in ("module", "class")
            else None
        )
        for param in _all_params(params):
            name = param.name.value
            value: Value = UNKNOWN
            if param.annotation is not None:
                value = resolver.annotation(from_cst(param.annotation.annotation))
            elif param.default is not None:
                value = merge([UNKNOWN, resolver.value(from_cst(param.default))])
            if value is UNKNOWN and qualname is not None and not (in_class and name == first):
                value = self.project.parameter_value(self.path, qualname, name)
            scope.names[name] = value
        if isinstance(params.star_arg, cst.Param):
            scope.names[params.star_arg.name.value] = OTHER
        if params.star_kwarg is not None:
            scope.names[params.star_kwarg.name.value] = OTHER
        if in_class and first is not None and "staticmethod" not in decorators:
            cls = scope.class_qualname
            assert cls is not None
            if "classmethod" in decorators:
                scope.names[first] = TreeClass(self.path, cls)
            else:
                scope.names[first] = self.project.instance_value(self.path, cls)
        func_name = scope.name
        if first is not None and not in_class:
            self.bind_callback(scope, func_name, first)
        elif in_class and len(positional) > 1:
            self.bind_callback(scope, func_name, positional[1].name.value)

    def bind_callback(self, scope: Scope, func_name: str, param: str) -> None:
        """The first parameter of a ``client.transaction(func)`` callback is its pipeline."""
        for receiver in self.project.transaction_callback_receivers(self.path, func_name):
            value = self.resolver(scope.parent).value(receiver)
            if isinstance(value, RedisType) and value.kind is Kind.CLIENT:
                self.bind_callback_pipe(scope, param, value)
                return

    def bind_callback_pipe(self, scope: Scope, param: str, client: RedisType) -> None:
        """The callback's pipe starts in WATCH mode; commands after ``multi()`` are queued."""
        scope.names[param] = client.with_kind(Kind.PIPELINE, transaction=True)
        scope.pipes[param] = Pipe(param, True, mode="watch", callback=True)
        scope.callback_param = param

    # -- statements that bind ----------------------------------------------------------
    def fate(self) -> str:
        """Where the value of the node on top of the stack goes, looking through
        ``await``, containers, comprehensions, ``x if c else y`` and ``a or b``."""
        return self._fate_at(len(self.stack) - 1)

    def _fate_at(self, i: int) -> str:
        """Where the value of the node at ``self.stack[i]`` goes (see ``fate``)."""
        stack = self.stack
        child = stack[i]
        i -= 1
        while i >= 0:
            parent = stack[i]
            if isinstance(parent, cst.IfExp) and parent.test is child:
                return "condition"
            if isinstance(parent, _COMPREHENSIONS) and child not in _results(parent):
                return "iterated" if _iterables(parent, child) else "condition"
            if not isinstance(parent, _PASS_THROUGH):
                break
            child = parent
            i -= 1
        if i < 0:
            return "other"
        parent = stack[i]
        # The traversal walks a call's receiver, its argument values and ``with`` items
        # directly (no Attribute/Arg/WithItem node between): recognise them here.
        if isinstance(parent, cst.Call):
            func = parent.func
            if isinstance(func, cst.Attribute) and func.value is child:
                if func.attr.value in _DERIVING:
                    # ``sentinel.master_for(...)``: the derived client keeps this object
                    # alive, so this object goes where the derived one goes
                    return self._fate_at(i)
                return "receiver"
            return "other" if func is child else "argument"
        if isinstance(parent, cst.With):
            return "context"
        if isinstance(parent, cst.Return | cst.Yield):
            return "returned"
        if isinstance(parent, cst.Assign | cst.AnnAssign):
            if parent.value is not child:
                return "other"
            targets = (
                [t.target for t in parent.targets]
                if isinstance(parent, cst.Assign)
                else [parent.target]
            )
            return "local" if all(self._is_local_name(t) for t in targets) else "stored"
        if isinstance(parent, cst.NamedExpr):
            return "local"
        if isinstance(parent, cst.AugAssign):
            return "stored"
        if isinstance(parent, cst.Arg):
            return "argument"
        if isinstance(parent, cst.Attribute | cst.Subscript) and parent.value is child:
            above = stack[i - 1] if i > 0 else None
            if isinstance(parent, cst.Attribute) and not (
                isinstance(above, cst.Call) and above.func is parent
            ):
                return "method"  # ``p.execute`` taken without calling it: it may run later
            return "receiver"
        if isinstance(parent, cst.WithItem):
            return "context"
        if isinstance(parent, cst.Expr):
            return "discarded"
        if isinstance(parent, cst.For | cst.CompFor) and parent.iter is child:
            return "iterated"
        if isinstance(parent, cst.If | cst.While) or self._in_test:
            return "condition"
        return "other"

    def _is_local_name(self, target: cst.BaseExpression) -> bool:
        scope = self.scope
        return (
            isinstance(target, cst.Name)
            and scope.kind in ("function", "lambda")
            and target.value not in scope.declared_global
        )

    def _held_for(self, receiver: cst.BaseExpression) -> list[Construction | Pipe] | None:
        """The held objects a pipeline receiver name stands for (see ``_hold``)."""
        while isinstance(receiver, cst.Call) and isinstance(receiver.func, cst.Attribute):
            receiver = receiver.func.value
        if not isinstance(receiver, cst.Name):
            return None
        scope = self.scope
        return scope.held.get((receiver.value, scope.versions.get(receiver.value, 0)))

    def _note_use(self, name: str) -> None:
        """A load of a name bound to a held client or pipeline (also from a nested
        function, where it counts as "closure": the object may outlive the call)."""
        if not self._holding:
            return
        scope: Scope | None = self.scope
        while scope is not None:
            version = scope.versions.get(name, 0)
            objects = scope.held.get((name, version)) if scope.held else None
            if objects:
                fate = self.fate() if scope is self.scope else "closure"
                for obj in objects:
                    obj.uses.append(fate)
                return
            if version or scope.kind == "module" or name in scope.names:
                return  # bound here to something else
            scope = scope.parent
            while scope is not None and scope.kind == "class":
                scope = scope.parent

    def _load(self, name: str) -> None:
        key = (name, self.scope.versions.get(name, 0))
        self.scope.loads.setdefault(key, []).append(self._in_test > 0)

    # -- control flow --------------------------------------------------------------------
    def _snapshot(self) -> dict[str, Value]:
        return dict(self.scope.names)

    def _join(
        self, before: dict[str, Value], arms: list[dict[str, Value]], exhaustive: bool
    ) -> None:
        """After a branch: a name bound differently in the arms may hold any of them."""
        names = self.scope.names
        changed = {
            n
            for arm in arms
            for n, v in arm.items()
            if before.get(n, UNKNOWN) is not v or n not in before
        }
        for name in changed:
            options = [arm.get(name, before.get(name, UNKNOWN)) for arm in arms]
            if not exhaustive:
                options.append(before.get(name, UNKNOWN))
            if name in before or all(name in arm for arm in arms):
                names[name] = merge(options)

    def _join_held(self, versions_before: dict[str, int]) -> None:
        """After a branch, a held client or pipeline bound in any arm (or before the
        branch) may be what a name stands for: later uses count for all of them."""
        scope = self.scope
        if not scope.held:
            return
        for name, version in scope.versions.items():
            old = versions_before.get(name, 0)
            if version == old:
                continue
            merged: list[Construction | Pipe] = []
            for v in range(old, version + 1):
                for obj in scope.held.get((name, v), ()):
                    if obj not in merged:
                        merged.append(obj)
            if merged:
                scope.held[(name, version)] = merged
