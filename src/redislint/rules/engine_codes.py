"""Diagnostics the engine itself emits (not rules about Redis use)."""

from __future__ import annotations

from redislint.diagnostics import Severity
from redislint.rules.base import Rule


class ParseError(Rule):
    """
    ## What it does
    Reports a file redislint could not read or parse: a syntax error, bytes that are not
    valid in the file's encoding, NUL bytes, a file too large, or a read error. The
    finding points at the place the parser gave up (or line 1). In a Redis configuration
    file (`redis.conf`), it reports each line `redis-server` would refuse to start with:
    an unbalanced quote, a closing quote followed by text, a wrong number of arguments
    or a bad value for a directive redislint reads (`maxmemory 2gx`, `appendonly maybe`,
    `maxmemory 2gb # comment`), a user defined twice, an `include` cycle.

    ## Why is this bad?
    A file that cannot be parsed cannot be checked: it may hide any other finding. The
    run goes on with the other files, and exits with code 2 unless `--exit-zero` is
    given, so CI does not pass silently over an unchecked file.

    ## Example
    ```python
    def broken(:
        r.keys("*")
    ```

    ## Use instead
    Fix the syntax error, or exclude the file (`extend-exclude` in the configuration)
    when it is not Python meant to run (a template, a Python 2 relic).

    ## Fix safety
    Not fixable.

    ## References
    - [Configuration: exclude](../configuration.md)
    """

    code = "RL000"
    name = "parse-error"
    severity = Severity.ERROR
    summary = "File could not be read or parsed"
    tags = ("engine",)
    precision = "very-high"


class UnusedSuppression(Rule):
    """
    ## What it does
    With `--report-unused-noqa` (or `--extend-select RL001`), reports a `# noqa: RLxxx`
    or `# redislint: ignore[...]` comment that suppresses no finding on its line, or
    that lists a code redislint does not have. Codes of other tools (`# noqa: E501`) and
    a bare `# noqa` (which silences every tool's findings) are never reported; codes of
    rules that are off in the run are not judged; a bare `# redislint: ignore` is judged
    only when every default rule is enabled.

    ## Why is this bad?
    A stale suppression hides nothing today but will silently hide a real problem
    introduced on that line tomorrow.

    ## Example
    ```python
    r.set("k", v, ex=60)  # noqa: RL101
    ```

    ## Use instead
    ```python
    r.set("k", v, ex=60)
    ```

    ## Fix safety
    The fix removes the unused codes from the comment, or the whole directive when none
    is left (other tools' codes and any text after the directive stay). It is safe: a
    comment does not change what the code does.

    ## References
    - [Suppressions](../suppressions.md)
    """

    code = "RL001"
    name = "unused-suppression"
    severity = Severity.INFO
    default_enabled = False
    summary = "Suppression comment that suppresses nothing (with --report-unused-noqa)"
    tags = ("engine",)
    precision = "very-high"
