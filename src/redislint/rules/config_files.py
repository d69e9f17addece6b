"""Configuration file rules (RL9xx): redis.conf / valkey.conf settings.

Each rule reads the configuration with its includes expanded (``redislint.redisconf``),
as the server applies it. A rule about a missing directive stays silent when an
``include`` could not be read: the included file may set it.
"""

from __future__ import annotations

import difflib
from pathlib import PurePath

from redislint import redisconf
from redislint.commands import command_info
from redislint.diagnostics import Severity
from redislint.engine.conffiles import ConfContext
from redislint.redisconf import Conf, Directive
from redislint.rules.base import Rule


def _format_bytes(value: int) -> str:
    for unit, size in (("gb", 1024**3), ("mb", 1024**2), ("kb", 1024)):
        if value >= size and value % size == 0:
            return f"{value // size}{unit}"
    return f"{value} bytes"


class MaxmemoryUnset(Rule):
    """
    ## What it does
    Flags a Redis configuration file with no `maxmemory` directive, or with
    `maxmemory 0`. The finding points at the `maxmemory 0` line, or at line 1 when the
    directive is missing.

    ## Why is this bad?
    Without a memory limit Redis keeps allocating until the machine runs out of memory:
    the kernel's OOM killer then ends the process (losing everything written since the
    last save), or the host starts swapping and every command slows down. Forking for
    `BGSAVE`/AOF rewrites needs headroom on top of the data set, so the limit should
    leave room for it. With a limit, Redis evicts keys (with an eviction policy) or
    refuses writes with a clear `OOM` error instead of dying.

    ## Example
    ```
    # redis.conf
    bind 127.0.0.1
    appendonly yes
    ```

    ## Use instead
    ```
    # redis.conf
    bind 127.0.0.1
    appendonly yes
    maxmemory 2gb
    maxmemory-policy allkeys-lru
    ```
    Size it below the memory available to Redis (container limit or RAM), leaving room
    for replication buffers and copy-on-write during saves.

    ## Fix safety
    No automatic fix: the right limit depends on the machine.

    ## References
    - [Key eviction: maxmemory](https://redis.io/docs/latest/develop/reference/eviction/)
    - [redis.conf: MEMORY MANAGEMENT](https://raw.githubusercontent.com/redis/redis/7.2/redis.conf)
    """

    code = "RL901"
    name = "maxmemory-unset"
    severity = Severity.ERROR
    summary = "No maxmemory limit: Redis grows until the kernel's OOM killer stops it"
    tags = ("config", "memory")
    precision = "high"

    def check_config(self, conf: Conf, ctx: ConfContext) -> None:
        directive = conf.last("maxmemory")
        if directive is not None and redisconf.parse_memory(directive.value) == 0:
            ctx.report(
                self,
                directive,
                "maxmemory 0 means no memory limit: Redis grows until the kernel's OOM killer "
                "ends it; set a limit such as 'maxmemory 2gb' (below the memory available)",
            )
        elif conf.absent("maxmemory"):
            ctx.report(
                self,
                None,
                "no maxmemory directive: Redis has no memory limit and grows until the "
                "kernel's OOM killer ends it; set 'maxmemory <size>' with a maxmemory-policy",
            )


class EvictionPolicy(Rule):
    """
    ## What it does
    Flags a configuration that sets `maxmemory` but no `maxmemory-policy` (the finding
    points at line 1), and a `maxmemory-policy` that is not one of the eight policies
    Redis knows (redis-server refuses to start with it).

    ## Why is this bad?
    The default policy is `noeviction`: once the limit is reached, every write fails
    with `OOM command not allowed when used memory > 'maxmemory'`. For a cache that is
    rarely what was meant: with `allkeys-lru`/`allkeys-lfu` Redis makes room by evicting
    the least recently/frequently used keys, with `volatile-*` only keys with a TTL.
    When `noeviction` is what you want (Redis as a primary store), say so explicitly.

    ## Example
    ```
    maxmemory 2gb
    ```

    ## Use instead
    ```
    maxmemory 2gb
    maxmemory-policy allkeys-lfu
    ```

    ## Fix safety
    No automatic fix: choosing what Redis may delete is a product decision.

    ## References
    - [Eviction policies](https://redis.io/docs/latest/develop/reference/eviction/#eviction-policies)
    """

    code = "RL902"
    name = "eviction-policy"
    severity = Severity.WARNING
    summary = "maxmemory without a maxmemory-policy (writes fail when full), or an unknown policy"
    tags = ("config", "memory")
    precision = "high"

    def check_config(self, conf: Conf, ctx: ConfContext) -> None:
        policies = conf.every("maxmemory-policy")
        for policy in policies:  # redis-server stops at the first bad line, even if overridden
            if policy.value.lower() not in redisconf.EVICTION_POLICIES:
                ctx.report(self, policy, _unknown_policy(policy.value))
        if policies:
            return
        limit = conf.last("maxmemory")
        size = redisconf.parse_memory(limit.value) if limit is not None else None
        if limit is None or not size or not conf.absent("maxmemory-policy"):
            return
        where = (
            f" (line {limit.line})" if limit.path == conf.path else f" ({limit.path}:{limit.line})"
        )
        ctx.report(
            self,
            None,
            f"maxmemory {_format_bytes(size)} is set{where} but maxmemory-policy is not: the "
            "default noeviction makes every write fail with an OOM error once the limit is "
            "reached; choose allkeys-lru/allkeys-lfu for a cache (or write "
            "'maxmemory-policy noeviction' if that is intended)",
        )


def _unknown_policy(value: str) -> str:
    close = difflib.get_close_matches(value.lower(), sorted(redisconf.EVICTION_POLICIES), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return (
        f"unknown maxmemory-policy {value!r}: redis-server refuses to start; use one of "
        f"{', '.join(sorted(redisconf.EVICTION_POLICIES))}{hint}"
    )


class NoPersistence(Rule):
    """
    ## What it does
    Flags a configuration that disables RDB snapshots (`save ""`) while the append-only
    file is off (`appendonly no`, the default). The finding points at the `save` line
    that left no save point.

    ## Why is this bad?
    With neither snapshots nor an AOF, everything in Redis is lost when the process
    restarts, crashes or the host reboots. That is right for a pure cache that can be
    rebuilt, and a surprise for anything else (sessions, queues, counters, locks).
    This is informational: confirm the data is disposable.

    ## Example
    ```
    save ""
    appendonly no
    ```

    ## Use instead
    ```
    save 3600 1 300 100 60 10000
    appendonly yes
    appendfsync everysec
    ```
    Or keep the file as is for a pure cache and suppress the finding with a comment
    line `# noqa: RL903` directly above `save ""`.

    ## Fix safety
    No automatic fix.

    ## References
    - [Redis persistence](https://redis.io/docs/latest/operate/oss_and_stack/management/persistence/)
    """

    code = "RL903"
    name = "no-persistence"
    severity = Severity.INFO
    summary = "Neither RDB snapshots nor an append-only file: data is lost on every restart"
    tags = ("config", "persistence")
    precision = "high"

    def check_config(self, conf: Conf, ctx: ConfContext) -> None:
        save = redisconf.effective_save(conf)
        if save.points or save.cleared_by is None:
            return
        appendonly = conf.last("appendonly")
        if appendonly is None and not conf.absent("appendonly"):
            return
        if appendonly is not None and redisconf.parse_yes_no(appendonly.value) is not False:
            return
        aof = "appendonly no" if appendonly is not None else "no appendonly (off by default)"
        ctx.report(
            self,
            save.cleared_by,
            f"no RDB save point and {aof}: every key is lost when Redis restarts; fine for a "
            "disposable cache, otherwise enable 'appendonly yes' or keep a save point",
        )


class Appendfsync(Rule):
    """
    ## What it does
    Flags `appendfsync always` and `appendfsync no` when the append-only file is on
    (`appendonly yes`). With the AOF off the setting has no effect and is not reported.

    ## Why is this bad?
    `always` calls `fsync` after every write command: writes become as slow as the
    disk, and a slow disk stalls the whole server. `no` leaves flushing to the
    operating system (every ~30 seconds on Linux), so a power loss or kernel crash
    loses up to that much acknowledged data. `everysec` (the default) fsyncs in a
    background thread once per second: at most about one second of writes is lost.

    ## Example
    ```
    appendonly yes
    appendfsync always
    ```

    ## Use instead
    ```
    appendonly yes
    appendfsync everysec
    ```

    ## Fix safety
    No automatic fix: `always` can be a deliberate durability choice (suppress with a
    `# noqa: RL904` comment line above it).

    ## References
    - [AOF: how durable is the append only file?](https://redis.io/docs/latest/operate/oss_and_stack/management/persistence/#how-durable-is-the-append-only-file)
    """

    code = "RL904"
    name = "appendfsync"
    severity = Severity.WARNING
    summary = "appendfsync always (every write waits for the disk) or no (~30 s of writes lost)"
    tags = ("config", "persistence")
    precision = "high"

    def check_config(self, conf: Conf, ctx: ConfContext) -> None:
        fsync = conf.last("appendfsync")
        if fsync is None or not redisconf.yes_no_setting(conf, "appendonly", False):
            return
        value = fsync.value.lower()
        if value == "always":
            ctx.report(
                self,
                fsync,
                "appendfsync always fsyncs after every write: throughput is bound to the disk "
                "and a slow disk stalls every client; 'everysec' loses at most ~1 s of writes",
            )
        elif value == "no":
            ctx.report(
                self,
                fsync,
                "appendfsync no leaves flushing to the OS (about every 30 s): a crash of the "
                "host loses that much acknowledged data; use 'everysec'",
            )


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


# Commands that are dangerous in production, and the ACL-checked command for each.
DANGEROUS = (
    ("keys", "keys"),
    ("flushall", "flushall"),
    ("flushdb", "flushdb"),
    ("debug", "debug"),
    ("config", "config|set"),
)


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
