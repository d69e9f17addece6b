"""RL906 dangerous-commands-enabled: KEYS, FLUSHALL, FLUSHDB, DEBUG or CONFIG usable by the default user."""

from __future__ import annotations

from redislint import redisconf
from redislint.commands import command_info
from redislint.diagnostics import Severity
from redislint.redisconf import Conf, Directive
from redislint.rules.base import Rule
from redislint.rules.config_files.common import DANGEROUS
from redislint.semantic.confcontext import ConfContext


class DangerousCommandsEnabled(Rule):
    """
    ## What it does
    Flags a configuration in which clients that do not authenticate as another user can
    still run `KEYS`, `FLUSHALL`, `FLUSHDB`, `DEBUG` or `CONFIG` (`CONFIG SET`): the
    command is neither renamed (`rename-command`) nor taken away from the default user
    by an ACL rule (`user default ... -@dangerous`, `-flushall`...). `DEBUG` counts only
    where it is enabled: Redis 7+ disables it unless `enable-debug-command` is `yes` or
    `local`. The finding, at line 1, lists the commands. Files that take their users
    from an `aclfile` are not judged.

    ## Why is this bad?
    One mistaken or malicious client can wipe the data set (`FLUSHALL`), stall the
    server (`KEYS *` on millions of keys, `DEBUG SLEEP`), or reconfigure it
    (`CONFIG SET dir`). Restricting them limits the blast radius of a leaked password or
    a buggy script.

    ## Example
    ```
    requirepass s3cr3t-from-vault
    ```

    ## Use instead
    ```
    user default off
    user app on >s3cr3t-from-vault ~* &* +@all -@dangerous
    user admin on >another-secret ~* &* +@all
    ```
    or, on servers without ACLs, `rename-command FLUSHALL ""` (removes it) for each
    command.

    ## Fix safety
    No automatic fix: admin tooling may rely on these commands.

    ## References
    - [ACL categories (@dangerous)](https://redis.io/docs/latest/operate/oss_and_stack/management/security/acl/#command-categories)
    - [rename-command](https://redis.io/docs/latest/operate/oss_and_stack/management/security/#disallowing-specific-commands)
    """

    code = "RL906"
    name = "dangerous-commands-enabled"
    severity = Severity.INFO
    default_enabled = False
    summary = "KEYS, FLUSHALL, FLUSHDB, DEBUG or CONFIG usable by the default user"
    tags = ("config", "security")
    precision = "medium"

    def check_config(self, conf: Conf, ctx: ConfContext) -> None:
        user = redisconf.default_user(conf)
        if user is None or user.selectors or not user.enabled or not conf.complete:
            return
        renamed = {d.args[0].lower() for d in conf.every("rename-command")}
        debug = conf.last("enable-debug-command")
        debug_on = (debug is not None and debug.value.lower() in ("yes", "local")) or (
            ctx.settings.target_redis_version is not None
            and ctx.settings.target_redis_version < (7,)
        )
        enabled = []
        for command, checked in DANGEROUS:
            if command in renamed or (command == "debug" and not debug_on):
                continue
            info = command_info(checked)
            categories = info.acl if info is not None else frozenset()
            if user.allows(checked, categories):
                enabled.append(command.upper())
        if enabled:
            ctx.report(self, None, _dangerous_message(enabled, user.source))


def _dangerous_message(commands: list[str], source: Directive | None) -> str:
    who = "the default user" + (
        f" (line {source.line})" if source is not None and source.name == "user" else ""
    )
    return (
        f"{', '.join(commands)} can be run by {who}: rename them away "
        '(rename-command NAME "") or deny them with an ACL rule such as -@dangerous'
    )
