"""The rule pass: one traversal of a file's libcst tree that records what rules need.

It tracks scopes (module, class, function, lambda) in execution order, the branch arms
and loops around every statement, local names and what they are bound to (Redis objects
through ``clients.resolve``, key templates, which command results flow into them),
pipelines and transactions; and it records every command on a recognised Redis object
and every client construction. Rules then read ``model.Scope`` objects: no rule walks
the tree itself.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Iterator, Sequence

import libcst as cst

from redislint.clients.cst_sym import from_cst
from redislint.clients.evidence import sym_text
from redislint.clients.knowledge import PUBSUB_SUBSCRIPTIONS, known
from redislint.clients.resolve import Method, Resolver
from redislint.clients.sym import Sym
from redislint.clients.types import (
    NONE,
    OTHER,
    UNKNOWN,
    Kind,
    RedisType,
    Ref,
    TreeClass,
    TreeFunction,
    TreeInstance,
    Value,
    merge,
)
from redislint.commands import (
    MethodInfo,
    all_methods,
    key_positions,
    method_info,
    module_method_info,
    module_methods,
)
from redislint.keys.shape import KeyShape, code, shape_of
from redislint.semantic.arguments import literal
from redislint.semantic.binding import bind_args, client_params
from redislint.semantic.key_helpers import helper_call
from redislint.semantic.loops import is_wait
from redislint.semantic.model import (
    BoundArgs,
    Command,
    Construction,
    Guard,
    Key,
    Pipe,
    Scope,
    StringLiteral,
    TryContext,
    TxMode,
    execute_command_info,
)
from redislint.semantic.project import Project

_SKIPPED_FIELDS = frozenset(
    {
        "lpar",
        "rpar",
        "comma",
        "semicolon",
        "leading_lines",
        "lines_after_decorators",
        "header",
        "footer",
        "newline",
        "trailing_whitespace",
        "empty_lines",
        "operator",
        "dot",
        "colon",
        "equal",
        "star",
        "asynchronous",
        "default_comma",
        "keyword",
        "attr",
        "whitespace",
        "lbracket",
        "rbracket",
        "lbrace",
        "rbrace",
    }
)
_FIELDS: dict[type[cst.CSTNode], tuple[str, ...]] = {}
# How many expression nodes a command's argument bindings are followed through.
_BINDING_BUDGET = 256

_STRINGY = (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)
_COMMAND_METHODS = all_methods() | {"execute_command"}
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
# Pipeline methods that do not return the pipeline.
_PIPE_CONTROL = frozenset({"execute", "reset", "watch", "multi", "unwatch", "discard"})
_KIND_METHODS: dict[Kind, frozenset[str]] = {
    Kind.PUBSUB: PUBSUB_SUBSCRIPTIONS
    | frozenset(
        {
            "get_message",
            "get_sharded_message",
            "listen",
            "run_in_thread",
            "close",
            "aclose",
            "reset",
            "ping",
            "execute_command",
            "parse_response",
            "check_health",
        }
    ),
    Kind.LOCK: frozenset({"acquire", "release", "extend", "reacquire", "locked", "owned"}),
    Kind.SENTINEL: frozenset(
        {
            "master_for",
            "slave_for",
            "replica_for",
            "discover_master",
            "discover_slaves",
            "discover_replicas",
            "execute_command",
            "close",
            "aclose",
        }
    ),
    Kind.POOL: frozenset({"get_connection", "release", "disconnect", "reset"}),
    Kind.MONITOR: frozenset({"next_command", "listen"}),
    Kind.SCRIPT: frozenset(),
    Kind.JSON: module_methods("json"),
}
_CLIENT_METHODS = frozenset(
    {
        "pipeline",
        "pubsub",
        "lock",
        "register_script",
        "transaction",
        "monitor",
        "client",
        "execute",
        "reset",
        "multi",
        "close",
        "aclose",
        "scan_iter",
        "hscan_iter",
        "sscan_iter",
        "zscan_iter",
        # the redis-py module namespaces (RedisJSON, RediSearch, TimeSeries, probabilistic)
        "json",
        "ft",
        "ts",
        "bf",
        "cf",
        "cms",
        "topk",
        "tdigest",
    }
)
# Every method whose call on a Redis object the analyzer records (engine/focus.py: a call
# of any other method records nothing, whatever its receiver).
RECORDED_METHODS = (
    _COMMAND_METHODS
    | _CLIENT_METHODS
    | frozenset({"watch"})
    | frozenset().union(*_KIND_METHODS.values())
)


def _fields(node_type: type[cst.CSTNode]) -> tuple[str, ...]:
    names = _FIELDS.get(node_type)
    if names is None:
        names = tuple(
            f.name
            for f in dataclasses.fields(node_type)
            if f.name not in _SKIPPED_FIELDS and not f.name.startswith("whitespace")
        )
        _FIELDS[node_type] = names
    return names


def children(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """The children of ``node`` that can hold code (no whitespace, commas, parens)."""
    for name in _fields(type(node)):
        value = getattr(node, name)
        if isinstance(value, cst.CSTNode):
            yield value
        elif isinstance(value, tuple | list):
            for item in value:
                if isinstance(item, cst.CSTNode):
                    yield item


class _ScopeView:
    """Adapts a ``model.Scope`` to the resolver's ``Scope`` protocol."""

    __slots__ = ("analyzer", "scope")

    def __init__(self, analyzer: Analyzer, scope: Scope) -> None:
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


Handler = Callable[["Analyzer", cst.CSTNode], None]


class Analyzer:
    """Walks one module once and records scopes, commands and constructions."""

    _handlers: dict[type[cst.CSTNode], Handler] = {}

    def __init__(self, path: str, project: Project) -> None:
        self.path = path
        self.project = project
        # False for a file the index could not read: its module scope is this walk's own.
        self._indexed = path in project.by_path
        self.scopes: list[Scope] = []
        self.commands: list[Command] = []
        self.command_by_node: dict[cst.Call, Command] = {}
        # per loop node (by id): the calls inside it that pause (sleep, wait...)
        self.loop_waits: dict[int, list[cst.Call]] = {}
        # per loop node (by id): the names bound inside it (their values vary per iteration)
        self.loop_bound: dict[int, set[str]] = {}
        self.url_literals: list[StringLiteral] = []
        self._holding = False  # whether any scope holds a client or pipeline (``_hold``)
        self.stack: list[cst.CSTNode] = []
        self.scope: Scope = Scope(kind="module", node=cst.Module([]), name="<module>", parent=None)
        self._resolvers: dict[int, Resolver] = {}
        self._arms: list[tuple[int, int]] = []
        self._loops: list[cst.CSTNode] = []
        self._guards: list[Guard] = []
        self._partial: list[Guard] = []
        self._trys: list[TryContext] = []
        self._class_names: list[str] = []
        self._branch_ids = itertools.count(1)
        self._in_test = 0
        # the lambda passed to client.transaction(), its pipe parameter and the client
        self._lambda_callback: tuple[cst.Lambda, str, RedisType] | None = None
        self._saved: list[
            tuple[
                list[tuple[int, int]], list[cst.CSTNode], list[Guard], list[TryContext], list[Guard]
            ]
        ] = []

    # -- traversal -----------------------------------------------------------------------
    def run(self, module: cst.Module) -> list[Scope]:
        self.scope = Scope(kind="module", node=module, name="<module>", parent=None)
        self.scopes.append(self.scope)
        self.stack.append(module)
        self.walk_all(module.body)
        self.stack.pop()
        return self.scopes

    def walk(self, node: cst.CSTNode) -> None:
        self.stack.append(node)
        handler = self._handlers.get(type(node))
        if handler is not None:
            handler(self, node)
        else:
            for child in children(node):
                self.walk(child)
        self.stack.pop()

    def walk_all(self, nodes: object) -> None:
        if isinstance(nodes, cst.CSTNode):
            self.walk(nodes)
        elif isinstance(nodes, tuple | list):
            for node in nodes:
                if isinstance(node, cst.CSTNode):
                    self.walk(node)

    def walk_children(self, node: cst.CSTNode) -> None:
        for child in children(node):
            self.walk(child)

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
    def bind(
        self, target: cst.BaseExpression, value_node: cst.BaseExpression | None, value: Value
    ) -> None:
        scope = self.scope
        if isinstance(target, cst.Name):
            name = target.value
            for loop in self._loops:
                self.loop_bound.setdefault(id(loop), set()).add(name)
            scope.names[name] = value
            old_version = scope.versions.get(name, 0)
            scope.versions[name] = old_version + 1
            scope.elements.pop(name, None)
            scope.pipes.pop(name, None)
            chained = (
                self.command_by_node.get(value_node) if isinstance(value_node, cst.Call) else None
            )
            if (
                chained is not None
                and chained.pipe is not None
                and chained.method not in _PIPE_CONTROL
                and chained.tx in (TxMode.QUEUED, TxMode.TRANSACTION)  # after watch(): a value
            ):
                # ``p = p.lrem(...)`` / ``q = p.zrange(...)``: pipeline commands return the
                # pipeline itself, so the name now stands for the same pipeline
                scope.pipes[name] = chained.pipe
                held = self._held_for(chained.receiver_node)
                if held:
                    scope.held[(name, old_version + 1)] = held
            if value_node is not None and (
                _is_stringy(value_node)
                or (
                    isinstance(value_node, cst.Call)
                    and helper_call(self.project, self.resolve, value_node) is not None
                )
            ):
                scope.strings[name] = value_node
            else:
                scope.strings.pop(name, None)
            if value_node is not None:
                scope.exprs[name] = value_node
            else:
                scope.exprs.pop(name, None)
            scope.origins[name] = (
                self.origins_of(value_node) if value_node is not None else frozenset()
            )
        elif isinstance(target, cst.Tuple | cst.List):
            elements = (
                value_node.elements
                if isinstance(value_node, cst.Tuple | cst.List)
                and len(value_node.elements) == len(target.elements)
                else None
            )
            flows = self.origins_of(value_node) if value_node is not None else frozenset()
            for i, element in enumerate(target.elements):
                inner = element.value
                if elements is not None:
                    sub = elements[i].value
                    self.bind(inner, sub, self.resolve(sub))
                else:
                    self.bind(inner, None, UNKNOWN)
                    if isinstance(inner, cst.Name) and flows:
                        # ``converted, ok = convert(value)``: each part comes from it
                        self.scope.origins[inner.value] = flows
        elif isinstance(target, cst.StarredElement):
            self.bind(target.value, None, OTHER)
        else:
            # attribute and subscript targets: their bases are loads
            self.walk(target)
            if (
                isinstance(target, cst.Subscript)
                and isinstance(target.value, cst.Name)
                and value_node is not None
            ):
                # ``updates[field] = value``: what flows into the item is in the container
                name = target.value.value
                scope = self.scope
                scope.origins[name] = scope.origins.get(name, frozenset()) | self.origins_of(
                    value_node
                )

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

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.walk_all(node.decorators)
        for arg in node.bases:
            self.walk(arg.value)
        for arg in node.keywords:
            self.walk(arg.value)
        qualname = ".".join([*self._class_names, node.name.value])
        self._class_names.append(node.name.value)
        self.push_scope("class", node, qualname)
        self.walk(node.body)
        self.pop_scope()
        self._class_names.pop()
        self.bind(node.name, None, TreeClass(self.path, qualname))

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.walk_all(node.decorators)
        params = node.params
        for param in _all_params(params):
            if param.default is not None:
                self.walk(param.default)
            if param.annotation is not None:
                self.walk(param.annotation.annotation)
        if node.returns is not None:
            self.walk(node.returns.annotation)
        outer = self.scope
        decorators = tuple(
            code(d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator)
            for d in node.decorators
        )
        scope = self.push_scope(
            "function", node, node.name.value, is_async=node.asynchronous is not None
        )
        scope.decorators = decorators
        in_class = outer.kind == "class"
        if in_class:
            scope.class_qualname = outer.name
        self.bind_params(scope, params, in_class, decorators, outer)
        self.walk(node.body)
        self.pop_scope()
        self.bind(
            node.name,
            None,
            OTHER if outer.kind != "module" else self.lookup(outer, node.name.value),
        )

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

    def visit_Lambda(self, node: cst.Lambda) -> None:
        for param in _all_params(node.params):
            if param.default is not None:
                self.walk(param.default)
        scope = self.push_scope("lambda", node, "<lambda>")
        for param in _all_params(node.params):
            scope.names[param.name.value] = UNKNOWN
        callback = self._lambda_callback
        if callback is not None and callback[0] is node:
            self.bind_callback_pipe(scope, callback[1], callback[2])
        self.walk(node.body)
        self.pop_scope()

    def visit_Global(self, node: cst.Global) -> None:
        self.scope.declared_global.update(n.name.value for n in node.names)

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        pass

    # -- imports -------------------------------------------------------------------------
    def _imports_indexed(self) -> bool:
        """Module-level imports are in the project index, unless the index could not read
        the file (Python 2 syntax libcst accepts): then this walk binds them itself."""
        return self.scope.kind == "module" and self._indexed

    def visit_Import(self, node: cst.Import) -> None:
        if self._imports_indexed():
            return
        for alias in node.names:
            dotted = code(alias.name)
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self.bind(alias.asname.name, None, self.project.import_value(dotted, self.path))
            else:
                head = dotted.split(".", 1)[0]
                self.bind(cst.Name(head), None, self.project.import_value(head, self.path))

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if self._imports_indexed() or isinstance(node.names, cst.ImportStar):
            return
        from redislint.semantic.index import absolute_import

        facts = self.project.by_path.get(self.path)
        package = facts.package if facts is not None else ""
        module = code(node.module) if node.module is not None else None
        base = absolute_import(package, module, len(node.relative))
        for alias in node.names:
            name = code(alias.name)
            target = alias.asname.name if alias.asname is not None else alias.name
            if isinstance(target, cst.Name):
                dotted = f"{base}.{name}" if base else name
                self.bind(target, None, self.project.import_value(dotted, self.path))

    # -- statements that bind ----------------------------------------------------------
    def visit_Assign(self, node: cst.Assign) -> None:
        before = len(self.scope.commands)
        made = len(self.scope.constructions)
        self.walk(node.value)
        value = self.resolve(node.value)
        for target in node.targets:
            self.bind(target.target, node.value, value)
        self._note_results(before, [t.target for t in node.targets])
        self._hold(before, made, [t.target for t in node.targets])

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self.walk(node.annotation.annotation)
        before = len(self.scope.commands)
        made = len(self.scope.constructions)
        if node.value is not None:
            self.walk(node.value)
        annotated = self.resolver().annotation(from_cst(node.annotation.annotation))
        if node.value is not None and annotated in (UNKNOWN, NONE, OTHER):
            value = merge([annotated, self.resolve(node.value)])
        else:
            value = annotated  # the declared type says what the name holds
        if isinstance(node.target, cst.Name):
            self.bind(node.target, node.value, value)
            self._note_results(before, [node.target])
            self._hold(before, made, [node.target])
        else:
            self.walk(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self.walk(node.value)
        if isinstance(node.target, cst.Name):
            name = node.target.value
            self._load(name)
            scope = self.scope
            scope.versions[name] = scope.versions.get(name, 0) + 1
            scope.strings.pop(name, None)
            scope.origins[name] = scope.origins.get(name, frozenset()) | self.origins_of(node.value)
        else:
            self.walk(node.target)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        before = len(self.scope.commands)
        made = len(self.scope.constructions)
        self.walk(node.value)
        self.bind(node.target, node.value, self.resolve(node.value))
        self._hold(before, made, [node.target])

    def _note_results(self, before: int, targets: list[cst.BaseExpression]) -> None:
        names = [t.value for t in targets if isinstance(t, cst.Name)]
        if not names:
            return
        for cmd in self.scope.commands[before:]:
            if cmd.usage == "assigned":
                cmd.result_names.extend((n, self.version(n)) for n in names)

    def visit_With(self, node: cst.With) -> None:
        for item in node.items:
            before = len(self.scope.commands)
            made = len(self.scope.constructions)
            self.walk(item.item)
            if item.asname is not None:
                target = item.asname.name
                self.bind(target, item.item, self.resolve(item.item))
                self._hold(before, made, [target])
        self.walk(node.body)

    def _hold(self, before: int, made: int, targets: Sequence[cst.BaseExpression]) -> None:
        """Follow what happens to a client built, or a pipeline made, right here and bound
        to local names: later loads of those names record their fate (``Analyzer.fate``)."""
        scope = self.scope
        names = [t.value for t in targets if isinstance(t, cst.Name)]
        if not names:
            return
        held: list[Construction | Pipe] = []
        for construction in scope.constructions[made:]:
            if construction.fate in ("local", "context"):
                construction.names.extend(names)
                held.append(construction)
        for cmd in scope.commands[before:]:
            if (
                cmd.method == "pipeline"
                and (cmd.usage == "assigned" or cmd.fate == "context")
                and cmd.receiver.kind is Kind.CLIENT
            ):
                for name in names:
                    value = scope.names.get(name)
                    transaction = value.transaction if isinstance(value, RedisType) else None
                    pipe = Pipe(name, transaction, created=cmd)
                    scope.pipes[name] = pipe
                    held.append(pipe)
        if held:
            self._holding = True
            for name in names:
                scope.held[(name, scope.versions.get(name, 0))] = held

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

    def visit_Name(self, node: cst.Name) -> None:
        self._load(node.value)
        self._note_use(node.value)

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        if "://" in node.value:
            self._url_literal(node)

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        if any(isinstance(p, cst.FormattedStringText) and "://" in p.value for p in node.parts):
            self._url_literal(node)
        self.walk_children(node)

    def _url_literal(self, node: cst.SimpleString | cst.FormattedString) -> None:
        stack = self.stack
        i = len(stack) - 2
        while i >= 0 and isinstance(stack[i], cst.ConcatenatedString):
            i -= 1
        parent = stack[i] if i >= 0 else None
        if isinstance(parent, cst.Expr):
            return  # a docstring or a bare string statement
        child = stack[i + 1]
        if isinstance(parent, cst.Arg) and i > 0:
            child, parent = parent, stack[i - 1]
        call = parent if isinstance(parent, cst.Call) and parent.func is not child else None
        keyword = None
        if call is not None:
            arg = next((a for a in call.args if a is child or a.value is child), None)
            if arg is not None and arg.keyword is not None:
                keyword = arg.keyword.value
        self.url_literals.append(StringLiteral(node, self.scope, call, keyword))

    def _load(self, name: str) -> None:
        key = (name, self.scope.versions.get(name, 0))
        self.scope.loads.setdefault(key, []).append(self._in_test > 0)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self.walk(node.value)

    def visit_Arg(self, node: cst.Arg) -> None:
        self.walk(node.value)

    # -- control flow --------------------------------------------------------------------
    def _arm(self, branch: int, arm: int, body: object) -> None:
        self._arms.append((branch, arm))
        self.walk_all(body)
        self._arms.pop()

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

    def visit_If(self, node: cst.If) -> None:
        self._in_test += 1
        self.walk(node.test)
        self._in_test -= 1
        self.scope.conditions.append((node.test, len(self.scope.commands)))
        branch = next(self._branch_ids)
        origins = self.origins_of(node.test)
        before = self._snapshot()
        versions = dict(self.scope.versions)
        narrowed = self._narrowing(node.test)
        if narrowed is not None:
            self.scope.names[narrowed[0]] = narrowed[1]
        self._guards.append(Guard(node.test, 0, origins, block=tuple(node.body.body)))
        self._arm(branch, 0, node.body)
        self._guards.pop()
        after_body = self._snapshot()
        if narrowed is not None and after_body.get(narrowed[0]) is narrowed[1]:
            # not rebound in the body: after the ``if`` the name is what it was
            if narrowed[0] in before:
                after_body[narrowed[0]] = before[narrowed[0]]
            else:
                del after_body[narrowed[0]]
        self.scope.names = dict(before)
        arms = [after_body]
        if node.orelse is not None:
            orelse = node.orelse
            other = orelse.body if isinstance(orelse, cst.Else) else orelse
            block = tuple(other.body) if isinstance(other, cst.BaseSuite) else (other,)
            self._guards.append(Guard(node.test, 1, origins, block=block))
            self._arm(branch, 1, other)
            self._guards.pop()
            arms.append(self._snapshot())
            self.scope.names = dict(before)
        self._join(before, arms, exhaustive=node.orelse is not None)
        self._join_held(versions)

    def _narrowing(self, test: cst.BaseExpression) -> tuple[str, Value] | None:
        """``isinstance(name, T)`` (also first in an ``and``): the name, and the instance
        of ``T`` it is in the ``if`` body, when ``T`` is known."""
        if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.And):
            test = test.left
        if not (
            isinstance(test, cst.Call)
            and isinstance(test.func, cst.Name)
            and test.func.value == "isinstance"
            and len(test.args) == 2
            and isinstance(test.args[0].value, cst.Name)
        ):
            return None
        types = test.args[1].value
        elements = [e.value for e in types.elements] if isinstance(types, cst.Tuple) else [types]
        resolver = self.resolver()
        value = merge([resolver.instance_of(self.resolve(e)) for e in elements])
        return None if value is UNKNOWN else (test.args[0].value.value, value)

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        """A block's statements; after ``if test: ... return`` (or ``if test: ... else:
        raise``), the rest of the block runs only on the test's other arm: it is guarded
        by it. After an exit nested deeper in an ``if``, the rest is partly guarded."""
        pushed = partial = 0
        for i, stmt in enumerate(node.body):
            self.walk(stmt)
            if not isinstance(stmt, cst.If):
                continue
            rest = tuple(node.body[i + 1 :])
            arm = _exiting_arm(stmt)
            if arm is not None:
                origins = self.origins_of(stmt.test)
                self._guards.append(Guard(stmt.test, arm, origins, exit=True, block=rest))
                pushed += 1
                continue
            outer: frozenset[Command] | None = None
            for test, exit_arm in _nested_exits(stmt.body):
                if outer is None:
                    outer = self.origins_of(stmt.test)
                origins = outer | self.origins_of(test)
                self._partial.append(Guard(test, exit_arm, origins, exit=True, block=rest))
                partial += 1
        del self._guards[len(self._guards) - pushed :]
        del self._partial[len(self._partial) - partial :]

    def visit_IfExp(self, node: cst.IfExp) -> None:
        self._in_test += 1
        self.walk(node.test)
        self._in_test -= 1
        branch = next(self._branch_ids)
        self._arm(branch, 0, node.body)
        self._arm(branch, 1, node.orelse)

    def _try(self, node: cst.Try | cst.TryStar) -> None:
        branch = next(self._branch_ids)
        before = self._snapshot()
        versions = dict(self.scope.versions)
        depth = len(self._loops)
        self._trys.append(TryContext(node, "body", depth))
        self._arm(branch, 0, node.body)
        self._trys.pop()
        if node.orelse is not None:
            self._trys.append(TryContext(node, "else", depth))
            self._arm(branch, 0, node.orelse.body)
            self._trys.pop()
        arms = [self._snapshot()]
        handlers: Sequence[cst.ExceptHandler | cst.ExceptStarHandler] = node.handlers
        for i, handler in enumerate(handlers, start=1):
            self.scope.names = dict(before)
            if handler.type is not None:
                self.walk(handler.type)
            if handler.name is not None and isinstance(handler.name.name, cst.Name):
                self.bind(handler.name.name, None, OTHER)
            self._trys.append(TryContext(node, "handler", depth, handler))
            self._arm(branch, i, handler.body)
            self._trys.pop()
            if not _jumps_away(handler.body):  # ``except E: raise Http404``: nothing after
                arms.append(self._snapshot())
        self.scope.names = dict(before)
        self._join(before, arms, exhaustive=True)
        self._join_held(versions)
        if node.finalbody is not None:
            self._trys.append(TryContext(node, "finally", depth))
            self.walk(node.finalbody.body)
            self._trys.pop()

    def visit_Try(self, node: cst.Try) -> None:
        self._try(node)

    def visit_TryStar(self, node: cst.TryStar) -> None:
        self._try(node)

    def visit_Match(self, node: cst.Match) -> None:
        self.walk(node.subject)
        branch = next(self._branch_ids)
        for i, case in enumerate(node.cases):
            if case.guard is not None:
                self.walk(case.guard)
            self._arm(branch, i, case.body)

    def visit_For(self, node: cst.For) -> None:
        self.walk(node.iter)
        iterable = self.resolve(node.iter)
        self._loops.append(node)
        element = self.resolver().element(iterable)
        self.bind(node.target, None, element if element is not OTHER else UNKNOWN)
        self._bind_elements(node.target, node.iter)
        self.walk(node.body)
        self._loops.pop()
        if node.orelse is not None:
            self.walk(node.orelse.body)

    def _bind_elements(self, target: cst.BaseExpression, iterable: cst.BaseExpression) -> None:
        """Loop names that take the elements of a collection: which collection (for keys),
        and the commands whose replies flow into it (for dataflow)."""
        scope = self.scope
        origins = self.origins_of(iterable)
        for name, collection in _element_sources(target, iterable):
            if origins:
                scope.origins[name] = origins
            identity = self._collection_identity(collection)
            if identity is None:
                continue
            template = scope.collected.get(identity)
            if template is not None:
                scope.strings[name] = template  # ``keys.append(f"user:{u}")`` earlier
            else:
                scope.elements[name] = identity

    def _collection_identity(self, node: cst.BaseExpression) -> str | None:
        """``"in:names#2"``: a collection named by a local name (at its binding version) or
        an attribute chain, the same text for every loop over the same collection."""
        text = _dotted(node)
        if text is None:
            return None
        root = text.split(".", 1)[0]
        return f"in:{text}#{self.scope.versions.get(root, 0)}"

    def _note_append(self, node: cst.Call) -> None:
        """``keys.append(key)``: ``key`` is now an element of ``keys``, so a later loop over
        ``keys`` goes over that key."""
        func = node.func
        if not (
            isinstance(func, cst.Attribute)
            and func.attr.value == "append"
            and len(node.args) == 1
            and node.args[0].keyword is None
            and not node.args[0].star
        ):
            return
        identity = self._collection_identity(func.value)
        if identity is None:
            return
        scope = self.scope
        value = node.args[0].value
        template = scope.strings.get(value.value) if isinstance(value, cst.Name) else None
        if template is None and _is_stringy(value):
            template = value
        if template is not None:
            scope.collected[identity] = template
        elif isinstance(value, cst.Name) and scope.versions.get(value.value, 0):
            scope.elements[value.value] = identity

    def _note_mutation(self, node: cst.Call) -> None:
        """``ts.ParseFromString(raw)``, ``seen.update(reply)``: a method of a local object
        called with a value may keep it, so what flows into the value flows into the object."""
        func = node.func
        if not (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name)):
            return
        name = func.value.value
        scope = self.scope
        if not scope.versions.get(name, 0):
            return
        flows = frozenset().union(*(self.origins_of(a.value) for a in node.args))
        if flows:
            scope.origins[name] = scope.origins.get(name, frozenset()) | flows

    def visit_While(self, node: cst.While) -> None:
        self._loops.append(node)
        self._in_test += 1
        self.walk(node.test)
        self._in_test -= 1
        self.scope.conditions.append((node.test, len(self.scope.commands)))
        origins = self.origins_of(node.test)
        self._guards.append(Guard(node.test, 0, origins))
        self.walk(node.body)
        self._guards.pop()
        self._loops.pop()
        if node.orelse is not None:
            self.walk(node.orelse.body)

    def _comprehension(self, node: cst.BaseComp) -> None:
        first = node.for_in
        self.walk(first.iter)
        self._loops.append(node)
        level: cst.CompFor | None = first
        while level is not None:
            if level is not first:
                self.walk(level.iter)
            self.bind(level.target, None, UNKNOWN)
            self._bind_elements(level.target, level.iter)
            for cond in level.ifs:
                self.walk(cond.test)
            level = level.inner_for_in
        if isinstance(node, cst.DictComp):
            self.walk(node.key)
            self.walk(node.value)
        else:
            self.walk(node.elt)  # type: ignore[attr-defined]
        self._loops.pop()

    def visit_ListComp(self, node: cst.ListComp) -> None:
        self._comprehension(node)

    def visit_SetComp(self, node: cst.SetComp) -> None:
        self._comprehension(node)

    def visit_GeneratorExp(self, node: cst.GeneratorExp) -> None:
        self._comprehension(node)

    def visit_DictComp(self, node: cst.DictComp) -> None:
        self._comprehension(node)

    # -- calls -----------------------------------------------------------------------------
    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        receiver: Value | None = None
        if isinstance(func, cst.Attribute):
            self.walk(func.value)
            receiver = self.resolve(func.value)
            if isinstance(receiver, TreeFunction):  # ``@LazyObject def client(): ...``
                receiver = self.project.lazy_client(receiver.module, receiver.qualname) or receiver
            if (
                isinstance(receiver, RedisType)
                and receiver.kind is Kind.CLIENT
                and func.attr.value == "transaction"
                and node.args
                and isinstance(node.args[0].value, cst.Lambda)
                and node.args[0].value.params.params
            ):
                lam = node.args[0].value
                self._lambda_callback = (lam, lam.params.params[0].name.value, receiver)
        else:
            self.walk(func)
        for arg in node.args:
            self.walk(arg.value)
        self._lambda_callback = None
        if receiver is not None and not isinstance(receiver, RedisType):
            self._note_append(node)
            self._note_mutation(node)
        if self._loops and is_wait(node):
            for loop in self._loops:
                self.loop_waits.setdefault(id(loop), []).append(node)
        self.record_call(node, receiver)

    def record_call(self, node: cst.Call, receiver: Value | None) -> None:
        func = node.func
        resolver = self.resolver()
        if isinstance(func, cst.Attribute):
            assert receiver is not None
            method = func.attr.value
            if isinstance(receiver, RedisType):
                if _accepts(receiver, method):
                    self.add_command(node, receiver, func.value, method)
                return
            callee = resolver.method(receiver, method)
        else:
            callee = resolver.value(from_cst(func))
            if isinstance(callee, RedisType) and callee.kind is Kind.SCRIPT:
                self.add_command(node, callee, func, "__call__")
                return
        if isinstance(callee, Method):
            return
        self.maybe_construction(node, callee)

    def maybe_construction(self, node: cst.Call, callee: Value) -> None:
        qualname = None
        instance: RedisType | None = None
        if isinstance(callee, Ref):
            found = known(callee.qualname)
            if found is not None:
                qualname, instance = callee.qualname, found.instance
        elif isinstance(callee, TreeClass):
            base = self.project.class_redis_base(callee.module, callee.name)
            if base is not None:
                qualname, instance = callee.name, base
        if qualname is None or instance is None:
            return
        usage, _, parent = self._usage(node)
        self.scope.constructions.append(
            Construction(
                node=node,
                qualname=qualname,
                type=instance,
                scope=self.scope,
                loops=tuple(self._loops),
                usage=usage,
                parent=parent,
                fate=self.fate(),
            )
        )

    def add_command(
        self, node: cst.Call, receiver: RedisType, receiver_node: cst.BaseExpression, method: str
    ) -> None:
        if receiver.kind in (Kind.CLIENT, Kind.PIPELINE):
            info = method_info(method)
        elif receiver.kind is Kind.JSON:
            info = module_method_info("json", method)
        else:
            info = None
        params = info.params if info is not None else client_params(receiver.kind, method)
        args = bind_args(node, params)
        command_info = info.command if info is not None else None
        if method == "execute_command":
            command_info = execute_command_info(args)
        keys = self.keys_of(info, command_info, args, method)
        usage, awaited, parent = self._usage(node)
        fate = self.fate()
        pipe, tx = self.transaction_state(receiver, receiver_node, method)
        scope = self.scope
        cmd = Command(
            node=node,
            method=method,
            name=command_info.name if command_info is not None else method,
            receiver=receiver,
            receiver_node=receiver_node,
            receiver_text=pipe.ident if pipe is not None else code(receiver_node),
            info=command_info,
            method_info=info,
            args=args,
            keys=keys,
            scope=scope,
            arms=tuple(self._arms),
            loops=tuple(self._loops),
            guards=tuple(self._guards),
            trys=tuple(self._trys),
            partial_guards=tuple(self._partial),
            tx=tx,
            pipe=pipe,
            usage=usage,
            awaited=awaited,
            parent=parent,
            index=len(scope.commands),
            fate=fate,
        )
        cmd.statement, cmd.block = self.statement_of_call()
        if method == "execute" and pipe is not None:
            cmd.replies = _queued_since_execute(scope.commands, pipe)
            for queued in cmd.replies:
                queued.replied_by = cmd
        cmd.arg_origins = self.origins_of_args(node, keys)
        cmd.bindings = self.bindings_of(node)
        if isinstance(receiver_node, cst.Name) and receiver_node.value in scope.exprs:
            cmd.bindings[receiver_node.value] = scope.exprs[receiver_node.value]
        scope.commands.append(cmd)
        self.commands.append(cmd)
        self.command_by_node[node] = cmd

    def statement_of_call(
        self,
    ) -> tuple[cst.BaseStatement | None, cst.Module | cst.IndentedBlock | None]:
        """The innermost statement on the stack and the block holding it."""
        stack = self.stack
        for i in range(len(stack) - 1, 0, -1):
            node = stack[i]
            if isinstance(node, cst.BaseStatement):
                block = stack[i - 1]
                if isinstance(block, cst.Module | cst.IndentedBlock):
                    return node, block
                return node, None
            if isinstance(node, cst.SimpleStatementSuite | cst.Lambda):
                return None, None
        return None, None

    def bindings_of(self, node: cst.Call) -> dict[str, cst.BaseExpression]:
        """What the names used in the arguments are bound to when the call runs.

        Transitively (the names those expressions use too), within a small budget, so a
        rule can follow ``data = f.read()`` back to ``with open(p) as f``. Names a function
        does not bind itself are looked up among the module's bindings.
        """
        scope = self.scope
        module = self.scopes[0]
        found: dict[str, cst.BaseExpression] = {}
        todo: list[cst.CSTNode] = [arg.value for arg in node.args]
        budget = _BINDING_BUDGET
        while todo and budget > 0:
            current = todo.pop()
            budget -= 1
            if isinstance(current, cst.Name):
                name = current.value
                if name in found:
                    continue
                bound = scope.exprs.get(name)
                if bound is None and scope is not module and name not in scope.versions:
                    bound = module.exprs.get(name)
                if bound is not None:
                    found[name] = bound
                    todo.append(bound)
                continue
            if isinstance(current, cst.Lambda | cst.FunctionDef | cst.ClassDef):
                continue
            todo.extend(children(current))
        return found

    def origins_of_args(self, node: cst.Call, keys: tuple[Key, ...]) -> frozenset[Command]:
        """Commands whose results flow into the call's non-key arguments (its values)."""
        key_nodes = {id(k.node) for k in keys}
        found: frozenset[Command] = frozenset()
        for arg in node.args:
            if id(arg.value) not in key_nodes:
                found |= self.origins_of(arg.value)
        return found

    def keys_of(
        self,
        info: MethodInfo | None,
        command_info: object,
        args: BoundArgs,
        method: str,
    ) -> tuple[Key, ...]:
        nodes: list[cst.BaseExpression] = []
        if method == "execute_command":
            nodes = _execute_command_keys(args)
        elif method == "__call__":  # a registered Script: script(keys=[...], args=[...])
            bound = args.get("keys")
            if bound is not None:
                nodes.extend(_elements(bound))
        elif info is not None:
            kinds = dict(info.params)
            for param in info.key_params:
                if param == "keys_and_args":
                    numkeys = args.get("numkeys")
                    count = _int_literal(numkeys)
                    if count is not None:
                        nodes.extend(args.varargs[:count])
                    continue
                if kinds.get(param) == "var_positional":
                    for arg in args.varargs:
                        nodes.extend(_elements(arg))
                    continue
                bound = args.get(param)
                if bound is None or _is_none(bound):
                    continue
                if isinstance(bound, cst.Dict):
                    nodes.extend(e.key for e in bound.elements if isinstance(e, cst.DictElement))
                else:
                    nodes.extend(_elements(bound))
        return tuple(Key(n, self.shape_in(n, self.scope)) for n in nodes)

    def transaction_state(
        self, receiver: RedisType, receiver_node: cst.BaseExpression, method: str
    ) -> tuple[Pipe | None, TxMode]:
        if receiver.kind is not Kind.PIPELINE:
            return None, TxMode.IMMEDIATE
        ident = self.pipe_ident(receiver_node)
        scope = self.scope
        pipe = scope.pipes.get(ident)
        if pipe is None:
            pipe = Pipe(ident, receiver.transaction)
            scope.pipes[ident] = pipe
            if isinstance(receiver_node, cst.Call):
                made = self.command_by_node.get(receiver_node)
                if made is not None and made.method == "pipeline":
                    pipe.created = made
        if method == "watch":
            pipe.mode = "watch"
            return pipe, TxMode.WATCHING
        if method == "multi":
            pipe.mode = "multi"
            return pipe, TxMode.TRANSACTION
        if method in ("execute", "reset", "discard"):
            pipe.mode = "buffer"
            pipe.executed = pipe.executed or method == "execute"
            return pipe, TxMode.QUEUED
        if pipe.mode == "watch":
            return pipe, TxMode.WATCHING
        if pipe.mode == "multi" or pipe.transaction:
            return pipe, TxMode.TRANSACTION
        return pipe, TxMode.QUEUED

    def pipe_ident(self, receiver_node: cst.BaseExpression) -> str:
        if isinstance(receiver_node, cst.Call):
            inner = self.command_by_node.get(receiver_node)
            if inner is not None and inner.pipe is not None:
                return inner.pipe.ident
            return f"<call {id(receiver_node)}>"
        return code(receiver_node)

    def _usage(self, node: cst.Call) -> tuple[str, bool, cst.CSTNode | None]:
        stack = self.stack
        child: cst.CSTNode = node
        i = len(stack) - 2
        awaited = False
        while i >= 0 and isinstance(stack[i], cst.Await):
            awaited = True
            child = stack[i]
            i -= 1
        parent = stack[i] if i >= 0 else None
        if isinstance(parent, cst.Expr):
            usage = "awaited" if awaited else "discarded"
        elif isinstance(parent, cst.Return | cst.Yield):
            usage = "returned"
        elif isinstance(parent, cst.Assign | cst.AnnAssign | cst.NamedExpr | cst.AugAssign):
            usage = "assigned" if getattr(parent, "value", None) is child else "used"
        elif isinstance(parent, cst.Arg | cst.Element | cst.StarredElement | cst.DictElement):
            usage = "argument"
        elif isinstance(parent, cst.If | cst.While | cst.IfExp) or self._in_test:
            usage = "condition"
        elif isinstance(parent, cst.For | cst.CompFor):
            usage = "iterated" if parent.iter is child else "used"
        elif isinstance(parent, cst.WithItem):
            usage = "context"
        elif isinstance(parent, cst.Attribute):
            usage = "chained"
        else:
            usage = "used"
        return usage, awaited, parent


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


def _results(comp: cst.BaseComp) -> tuple[cst.BaseExpression, ...]:
    """The expressions a comprehension produces its items from."""
    if isinstance(comp, cst.DictComp):
        return (comp.key, comp.value)
    return (comp.elt,)  # type: ignore[attr-defined]


def _iterables(comp: cst.BaseComp, child: cst.CSTNode) -> bool:
    level: cst.CompFor | None = comp.for_in
    while level is not None:
        if level.iter is child:
            return True
        level = level.inner_for_in
    return False


def _all_params(params: cst.Parameters) -> list[cst.Param]:
    out = [*params.posonly_params, *params.params, *params.kwonly_params]
    if isinstance(params.star_arg, cst.Param):
        out.append(params.star_arg)
    if params.star_kwarg is not None:
        out.append(params.star_kwarg)
    return out


def _jumps_away(body: cst.BaseSuite) -> bool:
    """Whether a block ends by leaving (``raise``, ``return``, ``continue``, ``break``), so
    the code after its statement never sees its bindings."""
    small: Sequence[cst.BaseSmallStatement] = ()
    if isinstance(body, cst.IndentedBlock):
        last = body.body[-1] if body.body else None
        if isinstance(last, cst.SimpleStatementLine):
            small = last.body
    elif isinstance(body, cst.SimpleStatementSuite):
        small = body.body
    return bool(small) and isinstance(small[-1], cst.Raise | cst.Return | cst.Continue | cst.Break)


def _accepts(receiver: RedisType, method: str) -> bool:
    if receiver.kind in (Kind.CLIENT, Kind.PIPELINE):
        return method in _COMMAND_METHODS or method in _CLIENT_METHODS or method == "watch"
    return method in _KIND_METHODS.get(receiver.kind, frozenset())


def _is_stringy(node: cst.BaseExpression) -> bool:
    if isinstance(node, _STRINGY):
        return True
    if isinstance(node, cst.BinaryOperation):
        return isinstance(node.operator, cst.Add | cst.Modulo) and (
            _is_stringy(node.left) or _is_stringy(node.right)
        )
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
        return isinstance(node.func.value, cst.SimpleString) and node.func.attr.value in (
            "format",
            "join",
        )
    return False


def _elements(value: cst.BaseExpression) -> list[cst.BaseExpression]:
    if isinstance(value, cst.List | cst.Tuple | cst.Set):
        return [e.value for e in value.elements if not isinstance(e, cst.StarredElement)]
    return [value]


def _is_none(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


def _argv_value(node: cst.BaseExpression) -> str | None:
    """A command argument's value as the server sees it, when it is a literal."""
    value = literal(node)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _execute_command_keys(args: BoundArgs) -> list[cst.BaseExpression]:
    """The key arguments of ``execute_command("NAME", ...)``, by the server's key specs."""
    rest = args.varargs
    name = _argv_value(rest[0]) if rest else None
    if name is None or not name.split():
        return []
    words = name.split()
    argv = [*words, *(_argv_value(a) for a in rest[1:])]
    found = key_positions(argv)
    if found is None:
        return []
    shift = len(words) - 1  # "CLIENT PAUSE" as one argument holds two argv words
    return [rest[i - shift] for i in found.positions if 1 <= i - shift < len(rest)]


def _always_exits(body: cst.BaseSuite) -> bool:
    """A block whose last statement leaves it: ``return``, ``raise``, ``continue``,
    ``break``."""
    last: cst.CSTNode | None = body.body[-1] if body.body else None
    if isinstance(last, cst.SimpleStatementLine):
        last = last.body[-1] if last.body else None
    return isinstance(last, cst.Return | cst.Raise | cst.Continue | cst.Break)


def _queued_since_execute(commands: Sequence[Command], pipe: Pipe) -> tuple[Command, ...]:
    """The commands queued on ``pipe`` since its last ``execute()`` (in ``commands``)."""
    queued: list[Command] = []
    for cmd in reversed(commands):
        if cmd.pipe is not pipe:
            continue
        if cmd.method == "execute":
            break
        if cmd.method not in _PIPE_CONTROL and cmd.tx in (TxMode.QUEUED, TxMode.TRANSACTION):
            queued.append(cmd)  # buffered: its reply is in execute()'s (not a watch() read)
    return tuple(reversed(queued))


# Calls that keep the elements of their one collection argument.
_SAME_ELEMENTS = frozenset({"list", "tuple", "set", "sorted", "reversed", "frozenset"})


def _element_sources(
    target: cst.BaseExpression, iterable: cst.BaseExpression
) -> Iterator[tuple[str, cst.BaseExpression]]:
    """Names of a loop target that take the elements of a collection, with the collection:
    ``for k in keys``, ``for k in keys.keys()``, ``for k, v in d.items()``, ``for i, k in
    enumerate(keys)``, ``for k, v in zip(keys, values)``."""
    while (
        isinstance(iterable, cst.Call)
        and isinstance(iterable.func, cst.Name)
        and iterable.func.value in _SAME_ELEMENTS
        and len(iterable.args) == 1
    ):
        iterable = iterable.args[0].value
    if isinstance(iterable, cst.Call) and not any(a.star or a.keyword for a in iterable.args):
        func = iterable.func
        parts = [a.value for a in iterable.args]
        if isinstance(func, cst.Attribute) and func.attr.value in ("keys", "items") and not parts:
            if func.attr.value == "items":
                target = _first_element(target)
            iterable = func.value
        elif isinstance(func, cst.Name) and func.value == "enumerate" and len(parts) == 1:
            if isinstance(target, cst.Tuple | cst.List) and len(target.elements) == 2:
                yield from _element_sources(target.elements[1].value, parts[0])
            return
        elif isinstance(func, cst.Name) and func.value == "zip":
            if isinstance(target, cst.Tuple | cst.List) and len(target.elements) == len(parts):
                for element, part in zip(target.elements, parts, strict=True):
                    yield from _element_sources(element.value, part)
            return
        else:
            return
    if isinstance(target, cst.Name) and _dotted(iterable) is not None:
        yield target.value, iterable


def _first_element(target: cst.BaseExpression) -> cst.BaseExpression:
    if isinstance(target, cst.Tuple | cst.List) and target.elements:
        return target.elements[0].value
    return target


def _dotted(node: cst.BaseExpression) -> str | None:
    """``self.keys`` for a name or an attribute chain; None for anything else."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = _dotted(node.value)
        return None if base is None else f"{base}.{node.attr.value}"
    return None


def _parameters(node: cst.CSTNode) -> set[str]:
    if not isinstance(node, cst.FunctionDef):
        return set()
    return {p.name.value for p in _all_params(node.params)}


def _exiting_arm(node: cst.If) -> int | None:
    """The arm the code after ``node`` is on when one arm always leaves the block:
    1 after ``if test: return``, 0 after ``if test: ... else: raise``."""
    if _always_exits(node.body):
        return 1 if node.orelse is None or not _always_exits_else(node.orelse) else None
    if isinstance(node.orelse, cst.Else) and _always_exits(node.orelse.body):
        return 0
    return None


def _always_exits_else(orelse: cst.If | cst.Else) -> bool:
    return isinstance(orelse, cst.Else) and _always_exits(orelse.body)


def _nested_exits(body: cst.BaseSuite) -> Iterator[tuple[cst.BaseExpression, int]]:
    """Tests of ``if`` statements nested in ``body`` (not in loops or functions) with an
    arm that always leaves the enclosing block, and the arm the code after them is on."""
    if not isinstance(body, cst.IndentedBlock):
        return
    for stmt in body.body:
        if isinstance(stmt, cst.If):
            arm = _exiting_arm(stmt)
            if arm is not None:
                yield stmt.test, arm
            else:
                yield from _nested_exits(stmt.body)


def _int_literal(node: cst.BaseExpression | None) -> int | None:
    if isinstance(node, cst.Integer):
        try:
            return int(node.value, 0)
        except ValueError:
            return None
    return None


for _name in dir(Analyzer):
    if _name.startswith("visit_"):
        _type = getattr(cst, _name[len("visit_") :], None)
        if isinstance(_type, type):
            Analyzer._handlers[_type] = getattr(Analyzer, _name)


def analyze(module: cst.Module, path: str, project: Project) -> Analyzer:
    """Run the rule pass's traversal over ``module``."""
    analyzer = Analyzer(path, project)
    analyzer.run(module)
    return analyzer


__all__ = ["Analyzer", "analyze", "children"]
