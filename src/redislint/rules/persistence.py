"""Persistence, server settings and security from code (RL6xx)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from redislint import redisconf
from redislint.clients.types import Kind
from redislint.diagnostics import Severity
from redislint.rules.base import Rule
from redislint.semantic import constructions, urls
from redislint.semantic.arguments import config_set_pairs, literal, text
from redislint.semantic.context import FileContext
from redislint.semantic.model import Command, Construction, StringLiteral

if TYPE_CHECKING:
    import libcst as cst
else:
    from redislint._lazy import cst


def _settings_from_code(cmd: Command, ctx: FileContext) -> Iterator[tuple[str, str]]:
    """The (setting, literal value) pairs a CONFIG SET of application code changes."""
    if ctx.is_test:
        return
    for name, node in config_set_pairs(cmd):
        value = _value_text(node)
        if value is not None:
            yield name, value


def _value_text(node: cst.BaseExpression) -> str | None:
    """A literal CONFIG SET value as the server reads it (``0`` and ``"0"`` alike)."""
    value = literal(node)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, bool):
        return None
    if isinstance(value, int | str):
        return str(value)
    return None


class PersistenceDisabledInCode(Rule):
    """
    ## What it does
    Flags `config_set("save", "")` and `config_set("appendonly", "no")` (also through
    `execute_command("CONFIG", "SET", ...)`) outside test code.

    ## Why is this bad?
    `CONFIG SET` changes the running server for every client, not just this
    application. Turning off RDB snapshots or the append-only file from code silently
    makes every key disappear on the next restart, and the change is invisible to
    whoever maintains the server's configuration file (until `CONFIG REWRITE` makes it
    permanent). Persistence belongs in `redis.conf` / the managed service's settings.

    ## Example
    ```python
    r.config_set("save", "")
    r.config_set("appendonly", "no")
    ```

    ## Use instead
    Configure persistence where the server is configured (`redis.conf`, the Helm chart,
    the cloud console), and keep application code out of `CONFIG SET`.

    ## Fix safety
    No automatic fix.

    ## References
    - [CONFIG SET](https://redis.io/docs/latest/commands/config-set/)
    - [Redis persistence](https://redis.io/docs/latest/operate/oss_and_stack/management/persistence/)
    """

    code = "RL601"
    name = "persistence-disabled-in-code"
    severity = Severity.WARNING
    summary = "CONFIG SET turns off RDB snapshots or the AOF from application code"
    tags = ("config", "persistence")
    precision = "very-high"

    def check_command(self, cmd: Command, ctx: FileContext) -> None:
        for name, value in _settings_from_code(cmd, ctx):
            if name == "save" and value == "":
                what = 'CONFIG SET save "" turns off RDB snapshots'
            elif name == "appendonly" and value.strip().lower() == "no":
                what = "CONFIG SET appendonly no turns off the append-only file"
            else:
                continue
            ctx.report(
                self,
                cmd.node,
                f"{what} on the running server, for every client: data is lost on restart and "
                "the change bypasses the server's configuration; configure persistence in "
                "redis.conf instead",
            )
            return


class BlockingSave(Rule):
    """
    ## What it does
    Flags `save()` on a Redis client or pipeline and `execute_command("SAVE")`.

    ## Why is this bad?
    `SAVE` writes the RDB snapshot in the server's main thread: no other client is
    served until the whole data set is on disk (seconds to minutes on a large
    instance). `BGSAVE` forks and writes the snapshot in the background.

    ## Example
    ```python
    r.save()
    ```

    ## Use instead
    ```python
    r.bgsave()
    ```

    ## Fix safety
    Not fixed automatically: `bgsave()` returns before the snapshot is written; code
    that needs the file on disk must wait for it (`LASTSAVE` / `INFO persistence`).

    ## References
    - [SAVE](https://redis.io/docs/latest/commands/save/) ("You almost never want to call SAVE in production environments")
    - [BGSAVE](https://redis.io/docs/latest/commands/bgsave/)
    """

    code = "RL602"
    name = "blocking-save"
    severity = Severity.ERROR
    summary = "SAVE blocks every client while the snapshot is written; use BGSAVE"
    tags = ("performance", "blocking")
    precision = "very-high"

    def check_command(self, cmd: Command, ctx: FileContext) -> None:
        if cmd.name == "save" and cmd.info is not None:
            ctx.report(
                self,
                cmd.node,
                "save() writes the snapshot in the server's main thread and blocks every "
                "client until it is on disk; use bgsave()",
            )


class UnboundedMemoryInCode(Rule):
    """
    ## What it does
    Flags `config_set("maxmemory", 0)` (any spelling of zero: `"0"`, `"0mb"`) and
    `config_set("maxmemory-policy", "noeviction")` outside test code.

    ## Why is this bad?
    `maxmemory 0` removes the memory limit of the running server for every client:
    Redis then grows until the kernel's OOM killer ends it. Setting `noeviction` from
    code turns a cache that evicts into one that refuses every write once full. Both
    change the server behind the back of its configuration.

    ## Example
    ```python
    r.config_set("maxmemory", 0)
    r.config_set("maxmemory-policy", "noeviction")
    ```

    ## Use instead
    Set `maxmemory` and `maxmemory-policy` in the server's configuration.

    ## Fix safety
    No automatic fix.

    ## References
    - [Key eviction](https://redis.io/docs/latest/develop/reference/eviction/)
    """

    code = "RL603"
    name = "unbounded-memory-in-code"
    severity = Severity.WARNING
    summary = "CONFIG SET removes the memory limit or eviction from application code"
    tags = ("config", "memory")
    precision = "very-high"

    def check_command(self, cmd: Command, ctx: FileContext) -> None:
        for name, value in _settings_from_code(cmd, ctx):
            if name == "maxmemory" and redisconf.parse_memory(value.strip()) == 0:
                what = "CONFIG SET maxmemory 0 removes the memory limit: Redis grows until the OOM killer ends it"
            elif name == "maxmemory-policy" and value.strip().lower() == "noeviction":
                what = "CONFIG SET maxmemory-policy noeviction makes every write fail once memory is full"
            else:
                continue
            ctx.report(
                self,
                cmd.node,
                f"{what}; it changes the running server for every client behind its "
                "configuration: set it in redis.conf instead",
            )
            return


_TEST_PLACEHOLDERS = ("test", "dummy", "fake", "example", "mock", "sample", "changeme")
_TEST_WORDS = frozenset(
    {"secret", "password", "pass", "passwd", "pw", "pwd", "foo", "bar", "foobar", "foobared"}
)


def _test_placeholder(password: str) -> bool:
    """A password in test code that is a fixture value, not a leaked credential.

    Test suites are full of ``"mypass"``, ``"s3cret"``, ``"password123"``: only a value that
    looks generated (long, several character classes) is worth reporting there.
    """
    lowered = password.lower()
    if lowered in _TEST_WORDS or any(word in lowered for word in _TEST_PLACEHOLDERS):
        return True
    classes = sum(
        (
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        )
    )
    return len(password) < 16 or classes < 3


def _literal_password(node: cst.BaseExpression | None) -> str | None:
    if node is None:
        return None
    value = text(node)
    return value if value is not None else None


def _parts(node: cst.BaseExpression | None) -> tuple[str, ...]:
    """The pieces of a (possibly implicitly concatenated) literal, to mask each of them."""
    if isinstance(node, cst.SimpleString):
        piece = text(node)
        return (piece,) if piece else ()
    if isinstance(node, cst.ConcatenatedString):
        return _parts(node.left) + _parts(node.right)
    return ()


def _redis_url(item: StringLiteral) -> tuple[str, urls.RedisUrl] | None:
    """The text and URL of a recorded literal, or None when it is not a Redis URL."""
    url_text = urls.literal_text(item.node)
    if url_text is None:
        return None
    url = urls.parse(url_text)
    return (url_text, url) if url is not None else None


def _construction_by_call(ctx: FileContext) -> dict[int, Construction]:
    return {id(c.node): c for scope in ctx.scopes for c in scope.constructions}


class HardcodedPassword(Rule):
    """
    ## What it does
    Flags a password written as a string literal: `password="..."` given to a client,
    a pool or Sentinel, and a Redis URL literal with a password
    (`"redis://:secret@host"`, `"redis://user:secret@host"`, also inside f-strings and
    in settings such as `CELERY_BROKER_URL`). The message never repeats the password,
    and the `full` output masks it in the source lines it shows.

    Not flagged: passwords taken from `os.environ`, settings objects or secret managers,
    empty passwords, template placeholders (`{password}`, `%(password)s`, `${PASSWORD}`,
    `<password>`), and, in test code, fixture values (`"test"`, `"secret"`, `"mypass"`):
    only a value that looks generated (16+ characters of three kinds) is reported there.

    ## Why is this bad?
    A secret in source code is in every clone, fork, CI log and backup of the
    repository, and outlives its rotation in the git history. Anyone who can read the
    code can read and delete the data.

    ## Example
    ```python
    r = redis.Redis(host="cache.internal", password="hunter2")
    r = redis.from_url("redis://:hunter2@cache.internal:6379/0")
    ```

    ## Use instead
    ```python
    r = redis.Redis(host="cache.internal", password=os.environ["REDIS_PASSWORD"])
    r = redis.from_url(os.environ["REDIS_URL"])
    ```

    ## Fix safety
    No automatic fix. Rotate the password: it is already in the history.

    ## References
    - [Redis security: authentication](https://redis.io/docs/latest/operate/oss_and_stack/management/security/#authentication)
    - [CWE-798: Use of hard-coded credentials](https://cwe.mitre.org/data/definitions/798.html)
    """

    code = "RL604"
    name = "hardcoded-password"
    severity = Severity.ERROR
    summary = "Redis password written in the source (a password= literal or a URL with one)"
    tags = ("security",)
    precision = "high"

    def check_construction(self, construction: Construction, ctx: FileContext) -> None:
        if not constructions.is_connection_source(construction):
            return
        node = constructions.arguments(construction).get("password")
        password = _literal_password(node)
        if password is None or self._placeholder(password, ctx):
            return
        ctx.report(
            self,
            construction.node,
            f"{constructions.display_name(construction)}() is given a hard-coded password "
            "('****'): it is in every copy of the code and its history; read it from the "
            "environment or a secret manager",
            redact=(password, *_parts(node)),
        )

    def check_file(self, ctx: FileContext) -> None:
        by_call = _construction_by_call(ctx)
        for item in ctx.analyzer.url_literals:
            found = _redis_url(item)
            if found is None:
                continue
            url_text, url = found
            if url.password is None or url.password_raw is None:
                continue
            if self._placeholder(url.password, ctx):
                continue
            construction = by_call.get(id(item.call)) if item.call is not None else None
            anchor: cst.CSTNode = construction.node if construction is not None else item.node
            ctx.report(
                self,
                anchor,
                f"the URL {urls.masked(url_text)!r} carries a hard-coded password: it is in "
                "every copy of the code and its history; read the URL (or the password) from "
                "the environment or a secret manager",
                redact=(url.password_raw,),
            )

    @staticmethod
    def _placeholder(password: str, ctx: FileContext) -> bool:
        if urls.is_placeholder(password):
            return True
        return ctx.is_test and _test_placeholder(password)


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
