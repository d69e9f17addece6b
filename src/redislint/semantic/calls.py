"""How the analyzer records a call: a command on a recognised Redis object (its keys,
arguments, pipeline and transaction state, where its result goes) or a client
construction, and the method tables that decide which calls count.

``CallRecorder`` is a base class of ``analyzer.Analyzer`` (above the scope store): the
walk (``Analyzer.visit_Call``) calls ``record_call`` once it has walked the call.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from redislint.clients.cst_sym import from_cst
from redislint.clients.knowledge import PUBSUB_SUBSCRIPTIONS, known
from redislint.clients.resolve import Method
from redislint.clients.types import Kind, RedisType, Ref, TreeClass, Value
from redislint.commands import (
    MethodInfo,
    all_methods,
    key_positions,
    method_info,
    module_method_info,
    module_methods,
)
from redislint.keys.shape import code
from redislint.semantic.binding import bind_args, client_params
from redislint.semantic.model import (
    BoundArgs,
    Command,
    Construction,
    Key,
    Pipe,
    TxMode,
    execute_command_info,
)
from redislint.semantic.nodes import _argv_value, _elements, _int_literal, _is_none, children
from redislint.semantic.scopes import ScopeStore

if TYPE_CHECKING:
    import libcst as cst
else:
    from redislint._lazy import cst

# How many expression nodes a command's argument bindings are followed through.
_BINDING_BUDGET = 256
_COMMAND_METHODS = all_methods() | {"execute_command"}
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


class CallRecorder(ScopeStore):
    """Records the calls of the walk: commands and constructions (see the module docstring)."""

    commands: list[Command]

    # -- calls -----------------------------------------------------------------------------
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


def _accepts(receiver: RedisType, method: str) -> bool:
    if receiver.kind in (Kind.CLIENT, Kind.PIPELINE):
        return method in _COMMAND_METHODS or method in _CLIENT_METHODS or method == "watch"
    return method in _KIND_METHODS.get(receiver.kind, frozenset())


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
