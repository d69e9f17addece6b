"""RL807 client-without-timeout: Client built without socket_timeout: a stalled server hangs the caller forever."""

from __future__ import annotations

from typing import TYPE_CHECKING

from redislint.diagnostics import Severity
from redislint.rules.base import Rule
from redislint.semantic import constructions, urls
from redislint.semantic.arguments import literal
from redislint.semantic.context import FileContext
from redislint.semantic.model import Construction

if TYPE_CHECKING:
    import libcst as cst
else:
    from redislint._lazy import cst


def _url_literal(construction: Construction, ctx: FileContext) -> str | None:
    node = constructions.url_argument(construction)
    if isinstance(node, cst.Name):
        node = ctx.module_constant(node.value)
    return urls.literal_text(node) if node is not None else None


class ClientWithoutTimeout(Rule):
    """
    ## What it does
    Flags a client, connection pool or Sentinel built without `socket_timeout` (or with
    `socket_timeout=None`), unless it shares an existing pool or its URL literal sets
    `?socket_timeout=`. Off by default.

    ## Why is this bad?
    redis-py's default `socket_timeout` is `None`: a command waits forever for a reply.
    A server that stalls (a long `KEYS`, a fork on a large instance, a network
    partition without a reset) then hangs every worker that talks to it, instead of
    failing fast and letting retries or circuit breakers act.

    ## Example
    ```python
    r = redis.Redis(host="cache")
    ```

    ## Use instead
    ```python
    r = redis.Redis(host="cache", socket_timeout=2, socket_connect_timeout=2)
    ```

    ## Fix safety
    No automatic fix: the right timeout depends on the slowest legitimate command
    (blocking pops need a longer one, or their own `timeout`).

    ## References
    - [redis-py connection options](https://redis.readthedocs.io/en/stable/connections.html)
    """

    code = "RL807"
    name = "client-without-timeout"
    severity = Severity.INFO
    default_enabled = False
    summary = "Client built without socket_timeout: a stalled server hangs the caller forever"
    tags = ("reliability", "connections")
    precision = "high"

    def check_construction(self, construction: Construction, ctx: FileContext) -> None:
        if not constructions.is_connection_source(construction):
            return
        if constructions.shares_pool(construction):
            return
        args = constructions.arguments(construction)
        if args.unpacked or not constructions.is_library_call(construction):
            return
        node = args.get("socket_timeout")
        if node is not None and literal(node) is not None:
            return
        url = _url_literal(construction, ctx)
        if url is not None and "socket_timeout=" in url:
            return
        ctx.report(
            self,
            construction.node,
            f"{constructions.display_name(construction)}() has no socket_timeout: a command waits forever when "
            "the server stalls; pass socket_timeout=<seconds> (and socket_connect_timeout)",
        )
