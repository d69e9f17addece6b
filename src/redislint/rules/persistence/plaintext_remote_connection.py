"""RL605 plaintext-remote-connection: Plaintext connection to a remote server (redis:// or host= without ssl=True)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from redislint.clients.types import Kind
from redislint.diagnostics import Severity
from redislint.rules.base import Rule
from redislint.rules.persistence.common import _construction_by_call, _redis_url
from redislint.semantic import constructions, urls
from redislint.semantic.arguments import literal, text
from redislint.semantic.context import FileContext
from redislint.semantic.model import Construction

if TYPE_CHECKING:
    import libcst as cst
else:
    from redislint._lazy import cst


def _ssl_given(construction: Construction) -> bool | None:
    """``ssl=True`` or an SSL connection class (True), neither (False), unknowable (None)."""
    args = constructions.arguments(construction)
    node = args.get("ssl")
    if _has_ssl_class(construction):
        return True
    if node is None:
        return None if args.unpacked else False
    value = literal(node)
    if isinstance(value, bool):
        return value
    return None


def _code_text(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return node.attr.value
    return ""


class PlaintextRemoteConnection(Rule):
    """
    ## What it does
    Flags connections to a remote server without TLS: a `redis://` (or `valkey://`) URL
    literal whose host is not local, and a client or pool built with a literal `host=`
    that is not local and without `ssl=True`. Local means loopback (`127.0.0.1`, `::1`,
    `localhost`) or a docker-compose / Kubernetes-style service name without a dot
    (`redis`, `cache`).

    A `redis://` URL stays plaintext even with `ssl=True` (redis-py picks the connection
    class from the scheme), so URL literals are judged by their scheme alone.

    ## Why is this bad?
    Redis's protocol is plain text: the password (`AUTH`) and every key and value cross
    the network readable by anyone on the path, and can be modified in flight.

    ## Example
    ```python
    r = redis.Redis(host="cache.prod.example.com", password=os.environ["REDIS_PASSWORD"])
    r = redis.from_url("redis://cache.prod.example.com:6379/0")
    ```

    ## Use instead
    ```python
    r = redis.Redis(host="cache.prod.example.com", ssl=True, password=...)
    r = redis.from_url("rediss://cache.prod.example.com:6380/0")
    ```

    ## Fix safety
    No automatic fix: the server must offer TLS (Redis 6+ `tls-port`, or the cloud
    service's TLS endpoint).

    ## References
    - [TLS](https://redis.io/docs/latest/operate/oss_and_stack/management/security/encryption/)
    - [redis-py: SSL connections](https://redis.readthedocs.io/en/stable/examples/ssl_connection_examples.html)
    """

    code = "RL605"
    name = "plaintext-remote-connection"
    severity = Severity.WARNING
    summary = "Plaintext connection to a remote server (redis:// or host= without ssl=True)"
    tags = ("security",)
    precision = "high"

    def check_construction(self, construction: Construction, ctx: FileContext) -> None:
        if not constructions.is_connection_source(construction):
            return
        if construction.type.kind is Kind.SENTINEL:
            return  # Sentinel addresses are a list of pairs; their TLS is set separately
        host = text(constructions.arguments(construction).get("host"))
        if host is None or urls.is_local_host(host) or _ssl_given(construction) is not False:
            return
        ctx.report(
            self,
            construction.node,
            f"connection to {host!r} without TLS: the password and all data cross the "
            "network in clear text; pass ssl=True (the server needs a TLS port)",
        )

    def check_file(self, ctx: FileContext) -> None:
        by_call = _construction_by_call(ctx)
        for item in ctx.analyzer.url_literals:
            found = _redis_url(item)
            if found is None:
                continue
            url_text, url = found
            if url.tls or url.host is None or urls.is_local_host(url.host):
                continue
            if url.scheme == "unix":
                continue
            construction = by_call.get(id(item.call)) if item.call is not None else None
            if construction is not None and _has_ssl_class(construction):
                continue
            anchor: cst.CSTNode = construction.node if construction is not None else item.node
            shown = (
                urls.masked(url_text) if url.password_raw else url_text.replace(urls.HOLE, "{...}")
            )
            ctx.report(
                self,
                anchor,
                f"{shown!r} connects to {url.host!r} without TLS: the password and all data "
                f"cross the network in clear text; use {url.scheme}s://",
                redact=(url.password_raw,) if url.password_raw else (),
            )


def _has_ssl_class(construction: Construction) -> bool:
    klass = constructions.arguments(construction).get("connection_class")
    return klass is not None and "ssl" in _code_text(klass).lower()
