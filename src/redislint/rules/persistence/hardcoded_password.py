"""RL604 hardcoded-password: Redis password written in the source (a password= literal or a URL with one)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from redislint.diagnostics import Severity
from redislint.rules.base import Rule
from redislint.rules.persistence.common import _construction_by_call, _redis_url
from redislint.semantic import constructions, urls
from redislint.semantic.arguments import text
from redislint.semantic.context import FileContext
from redislint.semantic.model import Construction

if TYPE_CHECKING:
    import libcst as cst
else:
    from redislint._lazy import cst


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
