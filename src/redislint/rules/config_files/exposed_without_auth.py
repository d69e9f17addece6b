"""RL905 exposed-without-auth: Listening beyond loopback without a password (protected-mode no or bind 0.0.0.0)."""

from __future__ import annotations

from pathlib import PurePath

from redislint import redisconf
from redislint.diagnostics import Severity
from redislint.redisconf import Conf
from redislint.rules.base import Rule
from redislint.semantic.confcontext import ConfContext

_LOOPBACK_PREFIXES = ("127.",)


_WILDCARDS = frozenset({"0.0.0.0", "*", "::", "::*", "[::]"})


def _address(text: str) -> str:
    """A bind address without Redis's ``-`` (optional) prefix."""
    return text[1:] if text.startswith("-") else text


def _is_loopback(address: str) -> bool:
    lowered = address.lower()
    return lowered in ("::1", "localhost") or lowered.startswith(_LOOPBACK_PREFIXES)


def _redis7_or_newer(conf: Conf, ctx: ConfContext) -> bool:
    """Whether the server is known to be Redis 7+ / Valkey (target version or file name)."""
    version = ctx.settings.target_redis_version
    if version is not None:
        return version >= (7,)
    return PurePath(conf.path).name.endswith("valkey.conf")


class ExposedWithoutAuth(Rule):
    """
    ## What it does
    Flags a server that accepts clients from other hosts without a password:
    `protected-mode no` while listening on a non-loopback address (an explicit `bind`,
    or no `bind`, which listens on every interface), or `bind` to every interface
    (`0.0.0.0`, `*`, `::`) — and in both cases no `requirepass`, and no ACL
    `user default` line that requires a password or disables the default user. Files
    that take their users from an `aclfile` are not judged.

    With `protected-mode yes`, Redis 7 and later (and Valkey) refuse remote clients
    while the default user has no password, even with `bind 0.0.0.0`; Redis 6 and
    earlier do not when `bind` is set. A wildcard `bind` with protected mode on is
    therefore reported unless `target-redis-version` is 7 or newer (or the file is a
    `valkey.conf`).

    ## Why is this bad?
    Anyone who reaches the port can run every command: read all data, `FLUSHALL`, or
    use `CONFIG SET dir`/`dbfilename` to write files on the host (a well-known way to
    plant SSH keys or cron jobs). Internet scanners find open Redis ports within hours.

    ## Example
    ```
    bind 0.0.0.0
    protected-mode no
    ```

    ## Use instead
    ```
    bind 10.0.0.5 127.0.0.1
    protected-mode yes
    user default off
    user app on >long-random-secret ~* +@all -@dangerous
    ```
    Or `requirepass` with a long random secret; and keep the port behind a firewall.

    ## Fix safety
    No automatic fix.

    ## References
    - [Redis security: protected mode](https://redis.io/docs/latest/operate/oss_and_stack/management/security/#protected-mode)
    - [ACL](https://redis.io/docs/latest/operate/oss_and_stack/management/security/acl/)
    """

    code = "RL905"
    name = "exposed-without-auth"
    severity = Severity.ERROR
    summary = "Listening beyond loopback without a password (protected-mode no or bind 0.0.0.0)"
    tags = ("config", "security")
    precision = "high"

    def check_config(self, conf: Conf, ctx: ConfContext) -> None:
        user = redisconf.default_user(conf)
        if user is None or not user.anonymous or not conf.complete:
            return
        bind = conf.last("bind")
        addresses = [_address(a) for a in bind.args] if bind is not None else ["*"]
        remote = [a for a in addresses if not _is_loopback(a)]
        if not remote:
            return
        listening = (
            f"bind {' '.join(bind.args)}" if bind is not None else "no bind (every interface)"
        )
        auth = _auth_state(user)
        protected = conf.last("protected-mode")
        if protected is not None and redisconf.parse_yes_no(protected.value) is False:
            ctx.report(
                self,
                protected,
                f"protected-mode no with {listening} and {auth}: any host that reaches the port "
                "can read and delete every key and reconfigure the server; require a password "
                "(requirepass or an ACL user) or bind to loopback",
            )
            return
        wildcard = [a for a in remote if a in _WILDCARDS]
        if bind is not None and wildcard and not _redis7_or_newer(conf, ctx):
            ctx.report(
                self,
                bind,
                f"bind {' '.join(bind.args)} listens on every interface with {auth}: before "
                "Redis 7 protected mode does not apply once bind is set, so any host can run "
                "any command; require a password (requirepass or an ACL user) or bind to the "
                'addresses that need it (set target-redis-version = "7" if the server is 7+)',
            )


def _auth_state(user: redisconf.DefaultUser) -> str:
    if user.source is None:
        return "no requirepass"
    if user.source.name == "user":
        return f"the default user without a password (line {user.source.line})"
    return "an empty requirepass"
