"""Two rules of a company's own conventions, written against redislint's rule API
(docs/custom-rules.md): every key starts with the service's prefix, and no code switches
databases (the company runs Redis Cluster, which has only database 0).

Installed (``pip install .``), the entry point in pyproject.toml registers them; a project
can also name this module in ``plugins = ["acme_redis_rules"]``.
"""

from __future__ import annotations

from redislint.diagnostics import Severity
from redislint.rules.base import Rule
from redislint.semantic.context import FileContext
from redislint.semantic.model import Command

KEY_PREFIX = "acme:"
BANNED = {
    "select": "database numbers do not exist on Redis Cluster; use a key prefix",
    "swapdb": "database numbers do not exist on Redis Cluster",
    "move": "database numbers do not exist on Redis Cluster",
}


class KeyPrefix(Rule):
    """
    ## What it does
    Flags a command whose key starts with literal text other than `acme:`.

    ## Why is this bad?
    Every service of the company shares the Redis deployment; the prefix says which
    service owns a key, and the memory dashboards group keys by it.

    ## Example
    ```python
    r.set(f"user:{uid}", data, ex=60)
    ```

    ## Use instead
    ```python
    r.set(f"acme:user:{uid}", data, ex=60)
    ```

    ## Fix safety
    Not fixable: renaming a key changes where the data lives.

    ## References
    - The platform team's key naming guide
    """

    code = "ACM101"
    name = "acme-key-prefix"
    severity = Severity.WARNING
    summary = "Key without the acme: prefix"

    def check_command(self, cmd: Command, ctx: FileContext) -> None:
        for key in cmd.keys:
            prefix = key.shape.prefix
            if prefix and not prefix.startswith(KEY_PREFIX):
                ctx.report(
                    self,
                    key.node,
                    f"key {key.shape.display()!r} does not start with {KEY_PREFIX!r}",
                )


class BannedCommand(Rule):
    """
    ## What it does
    Flags `select()`, `swapdb()` and `move()` on a Redis client.

    ## Why is this bad?
    The company runs Redis Cluster, where only database 0 exists: the call fails there.

    ## Example
    ```python
    r.select(2)
    ```

    ## Use instead
    A key prefix per purpose, in database 0.

    ## Fix safety
    Not fixable.

    ## References
    - [Redis Cluster specification](https://redis.io/docs/latest/operate/oss_and_stack/reference/cluster-spec/)
    """

    code = "ACM102"
    name = "acme-banned-command"
    severity = Severity.ERROR
    summary = "A command the platform does not allow"

    def check_command(self, cmd: Command, ctx: FileContext) -> None:
        why = BANNED.get(cmd.name)
        if why is not None:
            ctx.report(self, cmd.node, f"{cmd.method}(): {why}")
