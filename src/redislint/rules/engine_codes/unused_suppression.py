"""RL001 unused-suppression: Suppression comment that suppresses nothing (with --report-unused-noqa)."""

from __future__ import annotations

from redislint.diagnostics import ENGINE_CODES
from redislint.rules.base import Rule


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
    name = ENGINE_CODES["RL001"].name
    severity = ENGINE_CODES["RL001"].severity
    default_enabled = False
    summary = "Suppression comment that suppresses nothing (with --report-unused-noqa)"
    tags = ("engine",)
    precision = "very-high"
