"""RL203 lock-release-without-token: Lock taken with SET NX released by a plain DEL (can delete another holder's lock)."""

from __future__ import annotations

from redislint.diagnostics import Severity
from redislint.rules.atomicity.common import ACQUIRE_NAMES, lock_release, lock_text
from redislint.rules.base import Rule, version_tuple
from redislint.rules.shared import call_text
from redislint.semantic.context import FileContext
from redislint.semantic.model import Command


def _safe_release(version: tuple[int, ...] | None) -> str:
    better = "delete it only if it still holds your token, in one atomic step: "
    if version is None or version >= version_tuple("8.4"):
        better += "delex(key, ifeq=token) (Redis 8.4+), "
    return better + "a compare-and-delete Lua script, or redis-py's Lock"


class LockReleaseWithoutToken(Rule):
    """
    ## What it does
    Flags the release of a lock taken with `set(key, token, nx=True, ...)` or `setnx()`
    (anywhere in the linted code) by a plain `delete(key)` / `unlink(key)`, or by
    `get(key)`, a comparison with the token and then `delete(key)` as separate commands.

    Keys are matched by their shape: a key with literal text (`f"lock:{job}"`) or built
    from module-level names is matched across the whole tree; a key held in a `self`
    attribute within its class in the same file; a bare local name or parameter only
    within its function. Deletes in test code are not reported.

    ## Why is this bad?
    A lock with a TTL can expire while its holder is still working (a GC pause, a slow
    call). Another process then takes it. When the first process finishes, a plain
    `DEL` removes the *other* process's lock, and a third process can enter the
    critical section. Checking the value with `GET` first does not help: the lock can
    expire and change hands between the `GET` and the `DEL`.

    ## Example
    ```python
    token = uuid.uuid4().hex
    if r.set(f"lock:{job}", token, nx=True, ex=30):
        try:
            run(job)
        finally:
            r.delete(f"lock:{job}")
    ```

    ## Use instead
    ```python
    RELEASE = r.register_script(
        "if redis.call('get', KEYS[1]) == ARGV[1] then "
        "return redis.call('del', KEYS[1]) end return 0"
    )
    ...
        finally:
            RELEASE(keys=[f"lock:{job}"], args=[token])
    ```
    The script works on every Redis version; on Redis 8.4+,
    `r.delex(f"lock:{job}", ifeq=token)` does the same in one command (suggested only
    when `target-redis-version` allows it). redis-py's `Lock`
    (`with r.lock(name, timeout=30):`) releases with a token check.

    ## Fix safety
    No automatic fix: the release needs the token the lock was taken with.

    ## References
    - [Distributed locks with Redis](https://redis.io/docs/latest/develop/use/patterns/distributed-locks/) ("remove the key only if it exists and the value stored at the key is exactly the one I expect")
    - [DELEX](https://redis.io/docs/latest/commands/delex/) (Redis 8.4)
    - [redis-py Lock](https://redis-py.readthedocs.io/en/stable/lock.html)
    """

    code = "RL203"
    name = "lock-release-without-token"
    severity = Severity.ERROR
    summary = "Lock taken with SET NX released by a plain DEL (can delete another holder's lock)"
    tags = ("correctness", "locks")
    precision = "high"
    tree_commands = ACQUIRE_NAMES

    def check_command(self, cmd: Command, ctx: FileContext) -> None:
        release = lock_release(cmd, ctx)
        if release is None:
            return
        taken = (
            f"taken with {call_text(release.acquire)} on line {ctx.line_of(release.acquire.node)}"
            if release.acquire is not None
            else "taken with SET NX elsewhere"
        )
        better = _safe_release(self.settings.target_redis_version)
        lock = lock_text(cmd)
        if release.check is not None:
            message = (
                f"{call_text(release.check)} on line {ctx.line_of(release.check.node)} and this "
                f"{call_text(cmd)} of {lock} ({taken}) are separate commands: the lock "
                "can expire and pass to another process in between, and this deletes that "
                f"holder's lock; {better}"
            )
        else:
            message = (
                f"{call_text(cmd)} releases {lock} ({taken}) without checking that it "
                "still holds it: if the lock expired and another process took it, this "
                f"deletes that holder's lock; {better}"
            )
        ctx.report(self, cmd.node, message, when=release.condition)
