"""Where a command's argument values come from.

Rules about what is written ask where a value was produced: read whole from a file or an
HTTP response body (RL402), encoded with ``json.dumps`` from a dict (RL403). The analyzer
records, per command, what the names used in its arguments were bound to when it ran
(``Command.bindings``, followed a few steps); these helpers follow an argument back
through those bindings, ``await`` and size-preserving conversions, and name imported
callables through the one resolver.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from redislint.clients.cst_sym import from_cst
from redislint.clients.types import Ref
from redislint.keys.shape import code
from redislint.semantic.arguments import literal
from redislint.semantic.model import Command

if TYPE_CHECKING:
    import libcst as cst
else:
    from redislint._lazy import cst

if TYPE_CHECKING:
    from redislint.semantic.context import FileContext

_FOLLOW_LIMIT = 12

# Conversions that keep a value's size (up to a constant factor).
_SAME_SIZE_METHODS = frozenset({"decode", "encode", "strip", "rstrip", "lstrip", "hex"})
_SAME_SIZE_CALLS = frozenset(
    {
        "builtins.str",
        "builtins.bytes",
        "builtins.bytearray",
        "base64.b64encode",
        "base64.b64decode",
        "base64.urlsafe_b64encode",
        "base64.encodebytes",
        "binascii.hexlify",
        "binascii.b2a_base64",
    }
)
# Callables that open a file (their result's read() reads it whole).
_OPENERS = frozenset(
    {
        "builtins.open",
        "io.open",
        "codecs.open",
        "gzip.open",
        "bz2.open",
        "lzma.open",
        "aiofiles.open",
        "anyio.open_file",
    }
)
_HTTP_LIBRARIES = ("requests.", "httpx.", "aiohttp.", "urllib3.", "niquests.")
_HTTP_VERBS = frozenset(
    {"get", "post", "put", "patch", "delete", "head", "options", "request", "send", "stream"}
)
_HTTP_FUNCTIONS = frozenset({"urllib.request.urlopen", "urllib2.urlopen"})
_HTTP_SESSIONS = frozenset(
    {
        "requests.Session",
        "requests.session",
        "requests.sessions.Session",
        "httpx.Client",
        "httpx.AsyncClient",
        "aiohttp.ClientSession",
        "urllib3.PoolManager",
        "urllib3.HTTPConnectionPool",
        "urllib3.HTTPSConnectionPool",
        "niquests.Session",
        "niquests.AsyncSession",
    }
)
_HTTP_RESPONSES = frozenset(
    {
        "requests.Response",
        "requests.models.Response",
        "httpx.Response",
        "aiohttp.ClientResponse",
        "urllib3.HTTPResponse",
        "urllib3.response.HTTPResponse",
        "http.client.HTTPResponse",
    }
)
# The whole body of a response: attributes and (possibly awaited) methods.
_BODY_ATTRIBUTES = frozenset({"content", "text", "data"})
_BODY_METHODS = frozenset({"read", "text", "aread"})
JSON_DUMPS = frozenset(
    {"json.dumps", "orjson.dumps", "ujson.dumps", "simplejson.dumps", "rapidjson.dumps"}
)


@dataclass(frozen=True)
class Source:
    """Where a written value comes from: ``kind`` is "file" or "http"."""

    kind: str
    node: cst.BaseExpression  # the expression that reads it
    what: str  # for messages: "open(...).read()", "requests.get(...).content"


class Flow:
    """Follows one command's argument values through its recorded bindings."""

    def __init__(self, cmd: Command, ctx: FileContext) -> None:
        self.cmd = cmd
        self.ctx = ctx
        self._resolver = ctx.analyzer.resolver(cmd.scope)

    def follow(self, node: cst.BaseExpression) -> cst.BaseExpression:
        """Through local names bound before the command ran, ``await`` and parentheses."""
        for _ in range(_FOLLOW_LIMIT):
            if isinstance(node, cst.Await):
                node = node.expression
            elif isinstance(node, cst.Name) and node.value in self.cmd.bindings:
                bound = self.cmd.bindings[node.value]
                if bound is node:
                    break
                node = bound
            else:
                break
        return node

    def qualname(self, node: cst.BaseExpression) -> str | None:
        """The dotted name of an imported callable or class (``requests.get``), if known."""
        if not isinstance(node, cst.Name | cst.Attribute):
            return None
        value = self._resolver.value(from_cst(node))
        return value.qualname if isinstance(value, Ref) else None

    def called(self, node: cst.BaseExpression) -> str | None:
        """For a call, the dotted name of what it calls (``open``, ``requests.get``)."""
        if isinstance(node, cst.Call):
            return self.qualname(node.func)
        return None

    # -- whole reads -----------------------------------------------------------------
    def whole_read(self, node: cst.BaseExpression) -> Source | None:
        """The value read whole from a file or an HTTP response body, if that is its origin."""
        for _ in range(_FOLLOW_LIMIT):
            node = self.follow(node)
            inner = self._same_size_inner(node)
            if inner is None:
                break
            node = inner
        if isinstance(node, cst.Attribute):
            if node.attr.value in _BODY_ATTRIBUTES and self.is_response(node.value):
                return Source("http", node, f"{_short(node.value)}.{node.attr.value}")
            return None
        if not isinstance(node, cst.Call) or not isinstance(node.func, cst.Attribute):
            return None
        method = node.func.attr.value
        receiver = node.func.value
        if method in ("read_bytes", "read_text") and not _positional(node):
            return Source("file", node, f"{_short(receiver)}.{method}()")
        if method in _BODY_METHODS and _reads_all(node):
            if method == "read" and self.is_open_file(receiver):
                return Source("file", node, f"{_short(receiver)}.read()")
            if self.is_response(receiver):
                return Source("http", node, f"{_short(receiver)}.{method}()")
        return None

    def _same_size_inner(self, node: cst.BaseExpression) -> cst.BaseExpression | None:
        if not isinstance(node, cst.Call):
            return None
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value in _SAME_SIZE_METHODS:
            return func.value
        if node.args and self.called(node) in _SAME_SIZE_CALLS:
            return node.args[0].value
        return None

    def is_open_file(self, node: cst.BaseExpression) -> bool:
        """``open(p)``, ``path.open()``, ``gzip.open(p)``... or a name bound to one."""
        node = self.follow(node)
        if not isinstance(node, cst.Call):
            return False
        if isinstance(node.func, cst.Attribute) and node.func.attr.value == "open":
            return self.qualname(node.func) is None or self.called(node) in _OPENERS
        return self.called(node) in _OPENERS

    def is_response(self, node: cst.BaseExpression) -> bool:
        """An HTTP response: from requests/httpx/aiohttp/urllib3/urlopen, or annotated so."""
        node = self.follow(node)
        if isinstance(node, cst.Name):
            return self._annotated_response(node.value)
        if not isinstance(node, cst.Call):
            return False
        name = self.called(node)
        if name is not None:
            if name in _HTTP_FUNCTIONS:
                return True
            last = name.rsplit(".", 1)[-1]
            return name.startswith(_HTTP_LIBRARIES) and last in _HTTP_VERBS
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value in _HTTP_VERBS:
            session = self.follow(func.value)
            if isinstance(session, cst.Call):
                return self.called(session) in _HTTP_SESSIONS
            if isinstance(session, cst.Name):
                return self._annotated(session.value, _HTTP_SESSIONS)
        return False

    def _annotated_response(self, name: str) -> bool:
        return self._annotated(name, _HTTP_RESPONSES)

    def _annotated(self, name: str, classes: frozenset[str]) -> bool:
        """Whether ``name`` is a parameter of the command's function annotated with a class."""
        function = self.cmd.scope.node
        if not isinstance(function, cst.FunctionDef) or name in self.cmd.scope.versions:
            return False
        params = function.params
        for param in (*params.posonly_params, *params.params, *params.kwonly_params):
            if param.name.value == name and param.annotation is not None:
                annotation = param.annotation.annotation
                if isinstance(annotation, cst.SimpleString):
                    text = annotation.evaluated_value
                    if not isinstance(text, str):
                        return False
                    try:
                        annotation = cst.parse_expression(text)
                    except cst.ParserSyntaxError:
                        return False
                return self.qualname(annotation) in classes
        return False

    # -- JSON ---------------------------------------------------------------------------
    def json_dumps_arg(self, node: cst.BaseExpression) -> cst.BaseExpression | None:
        """For ``json.dumps(obj)`` (or orjson/ujson..., optionally ``.decode()``d), ``obj``."""
        for _ in range(_FOLLOW_LIMIT):
            node = self.follow(node)
            if (
                isinstance(node, cst.Call)
                and isinstance(node.func, cst.Attribute)
                and node.func.attr.value in ("decode", "encode")
            ):
                node = node.func.value
                continue
            break
        if isinstance(node, cst.Call) and node.args and self.called(node) in JSON_DUMPS:
            first = node.args[0]
            if first.keyword is None and not first.star:
                return first.value
        return None


def _positional(call: cst.Call) -> bool:
    return any(a.keyword is None for a in call.args)


def _reads_all(call: cst.Call) -> bool:
    """``read()``, ``read(-1)``, ``read(None)``: no size limit."""
    args = [a for a in call.args if a.keyword is None or a.keyword.value in ("size", "n")]
    if not args:
        return True
    value = literal(args[0].value)
    return value is None or (isinstance(value, int) and value < 0)


def _short(node: cst.BaseExpression) -> str:
    """``requests.get(...).content``: an expression for messages, arguments left out."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_short(node.value)}.{node.attr.value}"
    if isinstance(node, cst.Call):
        return f"{_short(node.func)}({'...' if node.args else ''})"
    if isinstance(node, cst.Await):
        return f"await {_short(node.expression)}"
    text = code(node)
    return text if len(text) <= 30 else "..."
