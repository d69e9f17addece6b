"""The rule pass: one traversal of a file's libcst tree that records what rules need.

It tracks scopes (module, class, function, lambda) in execution order, the branch arms
and loops around every statement, local names and what they are bound to (Redis objects
through ``clients.resolve``, key templates, which command results flow into them),
pipelines and transactions; and it records every command on a recognised Redis object
and every client construction. Rules then read ``model.Scope`` objects: no rule walks
the tree itself.

This module holds the walk; the scope store it reads and updates (``scopes.ScopeStore``)
and the recording of calls (``calls.CallRecorder``) are its base classes, and the helpers
over nodes it uses are in ``nodes``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

import libcst as cst

from redislint.clients.cst_sym import from_cst
from redislint.clients.resolve import Resolver
from redislint.clients.types import (
    NONE,
    OTHER,
    UNKNOWN,
    Kind,
    RedisType,
    TreeClass,
    TreeFunction,
    Value,
    merge,
)
from redislint.keys.shape import code
from redislint.semantic.calls import _PIPE_CONTROL, RECORDED_METHODS, CallRecorder
from redislint.semantic.key_helpers import helper_call
from redislint.semantic.loops import is_wait
from redislint.semantic.model import (
    Command,
    Construction,
    Guard,
    Pipe,
    Scope,
    StringLiteral,
    TryContext,
    TxMode,
)
from redislint.semantic.nodes import (
    _all_params,
    _always_exits,
    _dotted,
    _element_sources,
    _exiting_arm,
    _nested_exits,
    children,
)
from redislint.semantic.project import Project

_STRINGY = (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)


Handler = Callable[["Analyzer", cst.CSTNode], None]


class Analyzer(CallRecorder):
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

    # -- scopes ----------------------------------------------------------------------------
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

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self.walk(node.value)

    def visit_Arg(self, node: cst.Arg) -> None:
        self.walk(node.value)

    # -- control flow --------------------------------------------------------------------
    def _arm(self, branch: int, arm: int, body: object) -> None:
        self._arms.append((branch, arm))
        self.walk_all(body)
        self._arms.pop()

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
            if not _always_exits(handler.body):  # ``except E: raise Http404``: nothing after
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


__all__ = ["RECORDED_METHODS", "Analyzer", "analyze"]
