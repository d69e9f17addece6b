"""RL207 lock-constant-token: Lock taken with a constant value: no holder can prove the lock is its own."""

from __future__ import annotations

from typing import TYPE_CHECKING

from redislint.diagnostics import Severity
from redislint.rules.atomicity.common import _DELETES, about_locks, is_acquire, lock_text
from redislint.rules.base import Rule
from redislint.rules.shared import call_text
from redislint.semantic.arguments import constant, is_literal
from redislint.semantic.context import FileContext
from redislint.semantic.keyreach import key_reach, partner
from redislint.semantic.model import Command
from redislint.semantic.treefacts import TreeCondition, TreeQuery

if TYPE_CHECKING:
    import libcst as cst
else:
    from redislint._lazy import cst


def _token_node(cmd: Command) -> cst.BaseExpression | None:
    if cmd.method == "execute_command":
        return cmd.args.varargs[2] if len(cmd.args.varargs) > 2 else None
    return cmd.args.get("value")


class LockConstantToken(Rule):
    """
    ## What it does
    Flags a lock taken with `set(key, <constant>, nx=True, ...)` or
    `setnx(key, <constant>)`, where the value is a literal (`1`, `"locked"`, `True`) or
    a name bound to one, when the code releases that key with `delete()`/`unlink()`
    (in the same function; in the same class for `self` attributes; anywhere in the
    linted tree for keys with literal text, module-level names, or local names in code
    about locks, as RL203 matches them). Keys that are only set and left to expire (a
    throttle such as "run at most once a minute", a `seen:{id}` marker) are not
    reported: without a release, the value does not matter.

    ## Why is this bad?
    Every holder writes the same value, so no process can prove the lock is still its
    own. A safe release (compare the value, then delete, atomically) is impossible, and
    a process whose lock expired will delete or extend the next holder's lock.

    ## Example
    ```python
    if r.set(f"lock:{job}", 1, nx=True, ex=30):
        ...
    ```

    ## Use instead
    ```python
    token = uuid.uuid4().hex  # or secrets.token_hex(16)
    if r.set(f"lock:{job}", token, nx=True, ex=30):
        ...
    ```
    and release with a compare-and-delete (see RL203), or use redis-py's `Lock`, which
    generates the token for you.

    ## Fix safety
    No automatic fix: the token must be kept and passed to the release.

    ## References
    - [Distributed locks with Redis](https://redis.io/docs/latest/develop/use/patterns/distributed-locks/) ("this value must be unique across all clients and all lock requests")
    """

    code = "RL207"
    name = "lock-constant-token"
    severity = Severity.WARNING
    summary = "Lock taken with a constant value: no holder can prove the lock is its own"
    tags = ("correctness", "locks")
    precision = "high"
    tree_commands = _DELETES

    def check_command(self, cmd: Command, ctx: FileContext) -> None:
        if not is_acquire(cmd) or len(cmd.keys) != 1:
            return
        value = constant(_token_node(cmd), lambda name: ctx.binding(cmd, name))
        if not is_literal(value):
            return
        shown = repr(value.decode("utf-8", "replace") if isinstance(value, bytes) else value)
        message = (
            f"{call_text(cmd)} takes {lock_text(cmd)} with the constant value {shown}: "
            "every holder writes the same value, so none can prove the lock is still its own "
            "and a safe release is impossible; store a unique token (uuid.uuid4().hex, "
            "secrets.token_hex(16)) and release with a compare-and-delete, or use "
            "redis-py's Lock"
        )
        key = cmd.keys[0].shape
        by_name = about_locks(cmd)
        release = partner(cmd, ctx, lambda c: c.name in _DELETES, by_name=by_name)
        if release is not None:
            message += f" (it is released on line {ctx.line_of(release.node)})"
            ctx.report(self, cmd.node, message)
        elif key_reach(cmd, by_name=by_name) == "tree":  # released anywhere in the tree
            query = TreeQuery(_DELETES, key, exact=True)
            ctx.report(self, cmd.node, message, when=TreeCondition(query, expected=True))
