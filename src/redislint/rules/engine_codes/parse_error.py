"""RL000 parse-error: File could not be read or parsed."""

from __future__ import annotations

from redislint.diagnostics import ENGINE_CODES
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
    name = ENGINE_CODES["RL000"].name
    severity = ENGINE_CODES["RL000"].severity
    summary = "File could not be read or parsed"
    tags = ("engine",)
    precision = "very-high"
