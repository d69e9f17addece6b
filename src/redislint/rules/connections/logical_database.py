"""RL808 logical-database: Numbered logical database (select, db=N): shared server, unsupported by Cluster."""

from __future__ import annotations

from typing import TYPE_CHECKING

from redislint.diagnostics import Severity
from redislint.rules.base import Rule
from redislint.semantic import constructions, urls
from redislint.semantic.arguments import literal
from redislint.semantic.context import FileContext
from redislint.semantic.model import Command, Construction

if TYPE_CHECKING:
    import libcst as cst
else:
    from redislint._lazy import cst


def _db_number(node: cst.BaseExpression | None) -> int | None:
    value = literal(node)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


class LogicalDatabase(Rule):
    """
    ## What it does
    Flags `select()` with a database other than 0, a client or pool built with `db=N`
    (N > 0), and a Redis URL literal whose path or `?db=` names a database other than
    0. Off by default.

    ## Why is this bad?
    Numbered databases share one server: one thread, one memory limit, one eviction
    policy, one `FLUSHALL`, one `KEYS`. They give no isolation, Redis Cluster supports
    only database 0, and many managed services and proxies do not support `SELECT`.
    Key prefixes (or separate instances, for real isolation) scale better.

    ## Example
    ```python
    sessions = redis.Redis(host="cache", db=2)
    ```

    ## Use instead
    ```python
    sessions = redis.Redis(host="cache")  # keys under "session:"
    ```

    ## Fix safety
    No automatic fix: the keys of the other databases must be migrated.

    ## References
    - [SELECT](https://redis.io/docs/latest/commands/select/)
    - [Cluster: only database 0](https://redis.io/docs/latest/operate/oss_and_stack/reference/cluster-spec/#implemented-subset)
    """

    code = "RL808"
    name = "logical-database"
    severity = Severity.INFO
    default_enabled = False
    summary = "Numbered logical database (select, db=N): shared server, unsupported by Cluster"
    tags = ("portability",)
    precision = "very-high"

    def check_command(self, cmd: Command, ctx: FileContext) -> None:
        if cmd.name != "select":
            return
        index = cmd.args.get("index")
        if index is None and cmd.method == "execute_command" and len(cmd.args.varargs) > 1:
            index = cmd.args.varargs[1]
        number = _db_number(index)
        if number == 0:
            return
        shown = f"database {number}" if number is not None else "a numbered database"
        ctx.report(self, cmd.node, _db_message("select()", shown))

    def check_construction(self, construction: Construction, ctx: FileContext) -> None:
        if not constructions.is_connection_source(construction):
            return
        number = _db_number(constructions.arguments(construction).get("db"))
        if number:
            ctx.report(
                self,
                construction.node,
                _db_message(
                    f"{constructions.display_name(construction)}(db={number})", f"database {number}"
                ),
            )

    def check_file(self, ctx: FileContext) -> None:
        by_call = {id(c.node): c for scope in ctx.scopes for c in scope.constructions}
        for item in ctx.analyzer.url_literals:
            url_text = urls.literal_text(item.node)
            url = urls.parse(url_text) if url_text is not None else None
            if url is None or url.db is None or not url.db.isdigit() or int(url.db) == 0:
                continue
            construction = by_call.get(id(item.call)) if item.call is not None else None
            anchor: cst.CSTNode = construction.node if construction is not None else item.node
            ctx.report(self, anchor, _db_message("the URL", f"database {int(url.db)}"))


def _db_message(what: str, shown: str) -> str:
    return (
        f"{what} uses {shown}: numbered databases share one server (memory, eviction, "
        "FLUSHALL) and Redis Cluster supports only database 0; prefer key prefixes or a "
        "separate instance"
    )
