"""RL102 set-then-expire: set() then expire() as two separate commands; set the TTL in the set() itself."""

from __future__ import annotations

from redislint.diagnostics import Severity
from redislint.keys.shape import Relation, code
from redislint.rules.base import Rule
from redislint.rules.expiration.common import is_plain_set, needs
from redislint.rules.shared import SET_OPTION, call_text, key_text, later_expiry, merge_expiry
from redislint.semantic.context import FileContext
from redislint.semantic.model import Command, TxMode


def _separate(first: Command, second: Command) -> bool | None:
    """Whether two commands reach the server as separate commands (not one MULTI/EXEC).

    None when it cannot be known (a pipeline whose ``transaction`` flag is unknown).
    """
    pipe = first.pipe
    if pipe is None or pipe is not second.pipe:
        return True
    if first.tx is TxMode.TRANSACTION and second.tx is TxMode.TRANSACTION:
        between = first.scope.commands[first.index + 1 : second.index]
        return any(c.pipe is pipe and c.method == "execute" for c in between)
    if pipe.transaction is None and TxMode.WATCHING not in (first.tx, second.tx):
        return None
    return True


def _expiry_value(expiry: Command, placeholder: str) -> str:
    """The expire call's time argument as written, when it is short enough to quote."""
    node = expiry.args.get("time") or expiry.args.get("when")
    if node is None or expiry.method == "execute_command":
        return placeholder
    written = code(node)
    return written if len(written) <= 30 else placeholder


class SetThenExpire(Rule):
    """
    ## What it does
    Flags a plain `set()` whose key is given its TTL by a separate `expire()`,
    `pexpire()`, `expireat()` or `pexpireat()` afterwards in the same function, when the
    two are not queued in one transaction (`MULTI`/`EXEC`).

    ## Why is this bad?
    `SET` removes any TTL and the key lives without one until the `EXPIRE` arrives. If
    the process crashes, is killed or loses its connection between the two commands, or
    the second command fails, the key never expires. Until then, other clients can see
    the key without a TTL. It also costs two round trips where one command does the job.

    A non-transactional pipeline (`pipeline(transaction=False)`, and cluster pipelines,
    which are non-transactional by default) sends both commands in one round trip but
    still as two separate commands: the server may run other clients' commands between
    them and nothing makes the pair atomic, so it is reported too. A pipeline whose
    transaction mode cannot be known (a parameter annotated `Pipeline`) is not reported.

    ## Example
    ```python
    r.set(f"session:{sid}", payload)
    r.expire(f"session:{sid}", 3600)
    ```

    ## Use instead
    ```python
    r.set(f"session:{sid}", payload, ex=3600)
    ```
    `ex=` / `px=` work on every Redis version; `expireat()` / `pexpireat()` become
    `exat=` / `pxat=`, which need Redis 6.2 (with an older `target-redis-version`, queue
    both commands in one transaction: `r.pipeline()` is transactional by default).

    ## Fix safety
    `set(K, v)` followed by `expire(K, n)` on the same client becomes
    `set(K, v, ex=n)` and the `expire()` line is removed (`pexpire` gives `px=`,
    `expireat` `exat=` and `pexpireat` `pxat=`, the last two only when
    `target-redis-version` is 6.2 or newer). `set(..., ex=n)` returns the same value as
    the plain `set()`. The fix is safe when the `expire()` is the statement right after
    the `set()`. It is unsafe when other statements run in between (the key now has its
    TTL while they run, and gets it even if they raise or return early); it is then
    offered only when the TTL expression is a literal or a name the function never
    assigns. In a pipeline the fix is safe only when the reply list of `execute()` is
    not used (it becomes one item shorter). An `expire()` with `nx`/`xx`/`gt`/`lt` is
    not merged.

    ## References
    - [SET](https://redis.io/docs/latest/commands/set/) (`EX`, `PX`, `EXAT`, `PXAT` options)
    - [EXPIRE](https://redis.io/docs/latest/commands/expire/)
    - [Transactions](https://redis.io/docs/latest/develop/interact/transactions/)
    """

    code = "RL102"
    name = "set-then-expire"
    severity = Severity.WARNING
    summary = "set() then expire() as two separate commands; set the TTL in the set() itself"
    tags = ("expiration", "atomicity")
    precision = "high"

    def check_command(self, cmd: Command, ctx: FileContext) -> None:
        if not is_plain_set(cmd):
            return
        expiry = later_expiry(cmd)
        if expiry is None or cmd.same_key(expiry) is not Relation.SAME:
            return
        if not _separate(cmd, expiry):
            return
        option, unit, version = SET_OPTION[expiry.name]
        if version is None or needs(self.settings.target_redis_version, version):
            value = _expiry_value(expiry, unit)
            better = f"use set(key, value, {option}={value})"
            if version is not None:
                better += f" (Redis {version}+)"
        else:
            better = (
                f"set(..., {option}=) needs Redis {version}; queue both in one transaction "
                "(pipeline(transaction=True))"
            )
        where = " in a non-transactional pipeline" if cmd.tx is TxMode.QUEUED else ""
        fix = None
        if version is None or needs(self.settings.target_redis_version, version):
            fix = merge_expiry(cmd, expiry, cmd.node, value_safe=True)
        ctx.report(
            self,
            cmd.node,
            f"{call_text(cmd)} of {key_text(cmd)} and {call_text(expiry)} on line "
            f"{ctx.line_of(expiry.node)} "
            f"are two separate commands{where}: if the second never runs, the key never "
            f"expires; {better}",
            fix=fix,
        )
