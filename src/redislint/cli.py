"""The ``redislint`` command.

Longer than the other modules (about 850 lines): the click commands, their many options
and the checks between options belong to the command line's one surface; what they run
lives in ``engine/``, ``adopt.py`` and ``report/``.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from redislint import __version__
from redislint.config import (
    Config,
    ConfigError,
    check_contradictions,
    enabled_codes,
    load_config,
    validate_selectors,
)
from redislint.diagnostics import Finding

if TYPE_CHECKING:
    from redislint.report import ReportContext as ReportContextType

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it


def _split(values: Sequence[str]) -> list[str]:
    out: list[str] = []
    for value in values:
        out.extend(v.strip() for v in value.split(",") if v.strip())
    return out


def _fail(message: str) -> NoReturn:
    click.echo(f"redislint: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


MACHINE_FORMATS = frozenset({"json", "json-lines", "sarif", "github", "gitlab", "junit"})


def write_output(text: str, output: Path | None, utf8: bool = True) -> None:
    """Print, or write ``output`` atomically (a killed run never leaves half a file).

    Reports for tools are UTF-8 whatever the locale (JSON and the XML declaration say so);
    terminal formats use standard output's encoding. Characters an encoding cannot hold
    become backslash escapes instead of an error.
    """
    if output is None:
        _print(text, utf8)
        return
    try:
        existing = output.stat() if output.exists() else None
        if existing is not None and not stat.S_ISREG(existing.st_mode):
            _write_special(text, output)  # /dev/stderr, a FIFO: nothing to replace
            return
        target = output.resolve() if output.is_symlink() else output  # keep the link
        directory = target.absolute().parent
        mode = existing.st_mode & 0o7777 if existing is not None else _default_mode()
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        _fail(f"cannot write --output {output}: {_reason(exc)}")
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, mode)  # mkstemp's 0600 would hide the report from other users
        with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        Path(tmp).replace(target)
    except BaseException as exc:  # including Ctrl-C: no temporary file left behind
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            _fail(f"cannot write --output {output}: {_reason(exc)}")
        raise


def _write_special(text: str, target: Path) -> None:
    with target.open("w", encoding="utf-8", errors="backslashreplace", newline="") as out:
        out.write(text)


def _default_mode() -> int:
    """0666 less the umask: the mode ``open()`` would give a new file."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _reason(exc: OSError) -> str:
    return exc.strerror.lower() if exc.strerror else str(exc)


def _print(text: str, utf8: bool) -> None:
    stream = sys.stdout
    encoding = "utf-8" if utf8 else (getattr(stream, "encoding", None) or "utf-8")
    try:
        buffer = getattr(stream, "buffer", None)
        if buffer is None:
            stream.write(text.encode(encoding, "backslashreplace").decode(encoding))
        else:
            stream.flush()
            buffer.write(text.encode(encoding, "backslashreplace"))
            buffer.flush()
        stream.flush()
    except BrokenPipeError:
        # The reader went away (`redislint . | head`): not an error of the run. Point
        # standard output at /dev/null so the interpreter's final flush stays quiet.
        with contextlib.suppress(OSError, ValueError, AttributeError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, stream.fileno())


def _use_color(no_color: bool, output: Path | None, fmt: str) -> bool:
    if no_color or os.environ.get("NO_COLOR") or output is not None:
        return False
    if fmt not in ("concise", "full"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return sys.stdout.isatty()


def _with_plugins() -> None:
    """Register the plugin rules (installed, and those the nearest configuration names)
    before the registry is shown."""
    from redislint.config import ConfigError, load_config

    try:
        load_config(None)
    except ConfigError as exc:
        _fail(str(exc))


def print_rule_table(color: bool) -> None:
    from rich.console import Console
    from rich.table import Table

    _with_plugins()
    from redislint.rules import ALL_RULES

    table = Table(title="redislint rules", show_lines=False)
    for column in ("Code", "Name", "Severity", "Default", "Summary"):
        table.add_column(column, overflow="fold")
    for rule in ALL_RULES:
        table.add_row(
            rule.code,
            rule.name,
            rule.severity.value,
            "on" if rule.default_enabled else "off",
            rule.summary,
        )
    Console(no_color=not color, width=None if sys.stdout.isatty() else 200).print(table)


def explain(selector: str, color: bool) -> None:
    from redislint.rules import lookup
    from redislint.rules.docs import rule_page

    _with_plugins()
    rule = lookup(selector)
    if rule is None:
        _fail(f"unknown rule {selector!r}; see redislint --list-rules")
        return
    page = rule_page(rule)
    if color and sys.stdout.isatty():
        from rich.console import Console
        from rich.markdown import Markdown

        Console().print(Markdown(page))
    else:
        click.echo(page)


def _format_choices() -> list[str]:
    from redislint.report import FORMATS

    return list(FORMATS)


FORMAT_CHOICES = _format_choices()
KEYSPACE_FORMATS = ("table", "json", "markdown", "html")


_HELP = {"help_option_names": ["-h", "--help"]}
# options that check and keys share
_CONFIG_OPTION = click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Use this configuration file.",
)
_SERVER_ENV_OPTION = click.option(
    "--server-url-env",
    metavar="NAME",
    help="Read the --server URL from this environment variable (keeps a password off the "
    "command line).",
)


def _output_option(help_text: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    return click.option(
        "-o",
        "--output-file",
        "--output",
        "output",
        type=click.Path(path_type=Path, dir_okay=False),
        help=help_text,
    )


class _Commands(click.Group):
    """``redislint check PATHS`` (also the bare ``redislint PATHS``) and ``redislint keys``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("-h", "--help")):
            args = ["check", *args]  # the bare form: ``redislint src/``, ``redislint --fix``
        return super().parse_args(ctx, args)


@click.group(cls=_Commands, context_settings=_HELP)
def main() -> None:
    """Find Redis misuse in Python code.

    `redislint PATHS` is `redislint check PATHS`; `redislint check --help` lists its options.
    """


@main.command(context_settings=_HELP)
# readable=False: an unreadable file is an RL000 finding, not an error that stops the run.
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path, readable=False))
@click.option(
    "--select",
    multiple=True,
    help="Rules to check (codes, prefixes, names, ALL); replaces the configured set.",
)
@click.option(
    "--extend-select", multiple=True, help="Rules to check in addition to the configured set."
)
@click.option("--ignore", multiple=True, help="Rules not to check.")
@click.option(
    "--output-format",
    "--format",
    "fmt",
    type=click.Choice(FORMAT_CHOICES),
    default=None,
    help="Output format [default: full on a terminal, concise otherwise].",
)
@_output_option("Write the report to FILE.")
@_CONFIG_OPTION
@click.option("--exit-zero", is_flag=True, help="Exit with 0 even when problems are found.")
@click.option(
    "--statistics",
    is_flag=True,
    help="Show the number of findings per rule instead of the findings.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print findings only, no summary line.")
@click.option(
    "-s", "--silent", is_flag=True, help="Print nothing; the exit code says what was found."
)
@click.option(
    "--exit-non-zero-on-fix",
    is_flag=True,
    help="With --fix, exit with 1 when files were fixed, even if nothing is left.",
)
@click.option("--no-color", is_flag=True, help="Never color the output (NO_COLOR is honoured too).")
@click.option(
    "--stdin-filename", help="The path of the file read from standard input (with '-' as PATH)."
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes [default: the number of CPUs].",
)
@click.option("--no-cache", is_flag=True, help="Do not read or write the cache.")
@click.option(
    "--force-exclude",
    is_flag=True,
    help="Apply exclude settings to files named on the command line too (for pre-commit).",
)
@click.option(
    "--cache-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Cache directory [default: .redislint_cache next to the configuration].",
)
@click.option("--fix", is_flag=True, help="Apply the safe fixes, then report what is left.")
@click.option(
    "--unsafe-fixes",
    is_flag=True,
    help="Let --fix and --diff apply unsafe fixes too (they may change what the code does).",
)
@click.option(
    "--diff", is_flag=True, help="Print the fixes as a unified diff instead of writing them."
)
@click.option("--show-fixes", is_flag=True, help="With --fix, list the fixes applied.")
@click.option(
    "--baseline",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Report only findings that are not in this baseline file.",
)
@click.option(
    "--write-baseline",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Record the current findings in FILE (a baseline) and exit.",
)
@click.option(
    "--add-noqa", is_flag=True, help="Add '# noqa: RLxxx' comments for every current finding."
)
@click.option(
    "--report-unused-noqa",
    is_flag=True,
    help="Report suppression comments that suppress nothing (RL001).",
)
@click.option("--list-rules", is_flag=True, help="List every rule and exit.")
@click.option(
    "--explain", "explain_rule", metavar="RULE", help="Show the documentation of a rule and exit."
)
@click.option(
    "--server",
    "server_url",
    metavar="URL",
    help="Add a read-only sample of this server's keys to RL101 findings (see redislint keys).",
)
@_SERVER_ENV_OPTION
@click.version_option(__version__, "--version", prog_name="redislint")
def check(
    paths: tuple[Path, ...],
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    fmt: str | None,
    output: Path | None,
    config_path: Path | None,
    exit_zero: bool,
    statistics: bool,
    quiet: bool,
    silent: bool,
    exit_non_zero_on_fix: bool,
    no_color: bool,
    stdin_filename: str | None,
    jobs: int | None,
    no_cache: bool,
    force_exclude: bool,
    cache_dir: Path | None,
    fix: bool,
    unsafe_fixes: bool,
    diff: bool,
    show_fixes: bool,
    baseline: Path | None,
    write_baseline: Path | None,
    add_noqa: bool,
    report_unused_noqa: bool,
    list_rules: bool,
    explain_rule: str | None,
    server_url: str | None,
    server_url_env: str | None,
) -> None:
    """Check PATHS for Redis misuse (the default command).

    PATHS are files or directories (default: the current directory). Use '-' to read a
    file from standard input.
    """
    color = not no_color and not os.environ.get("NO_COLOR") and sys.stdout.isatty()
    if list_rules:
        print_rule_table(color)
        return
    if explain_rule is not None:
        explain(explain_rule, color)
        return
    _check_conflicts(paths, fmt, output, statistics, stdin_filename, no_cache, cache_dir)
    if add_noqa and (fix or diff):
        _fail("--add-noqa cannot be combined with --fix or --diff")
    stdin = paths == (Path("-"),) or (stdin_filename is not None and not paths)
    if add_noqa and stdin:
        _fail("--add-noqa needs files: it cannot change standard input")
    try:
        config = load_config(config_path, start=Path.cwd())
        codes = _codes(config, select, extend_select, ignore)
    except ConfigError as exc:
        _fail(str(exc))
    if report_unused_noqa:
        codes = codes | {"RL001"}
    fmt = fmt or ("full" if sys.stdout.isatty() and output is None else "concise")
    from redislint.engine.runner import Runner

    cache_dir = None if no_cache else (cache_dir or config.root / ".redislint_cache")
    show_progress = not quiet and output is None and sys.stderr.isatty()
    server_url = _server_url(server_url, server_url_env)
    runner = Runner(
        config,
        codes,
        keyspace=server_url is not None,  # RL101's templates, for the server's figures
        jobs=jobs,
        cache_dir=cache_dir,
        timeout=config.file_timeout,
        progress=RichProgress() if show_progress else None,
        force_exclude=force_exclude,
        # fixes need the project index; server figures the file results
        remember_runs=not (fix or diff or add_noqa or server_url),
    )
    sources: dict[str, str] = {}  # what reporters quote, when it is not on disk
    try:
        fixed: list[Finding] = []
        if stdin:
            data = sys.stdin.buffer.read()
            result = runner.run_stdin(data, stdin_filename or "-")
            sources = _stdin_sources(result, data)
            if fix or diff:
                _fix_stdin(runner, result, data, fmt, codes, diff=diff, unsafe=unsafe_fixes)
                return
        else:
            targets = list(paths) or [Path()]
            result = runner.run(targets)
            if server_url is not None:
                _add_live_figures(result, runner, server_url)
            if add_noqa:
                from redislint.adopt import add_noqa_to_tree

                count, warnings = add_noqa_to_tree(result, runner.cwd)
                for warning in warnings:
                    click.echo(f"redislint: warning: {warning}", err=True)
                click.echo(
                    f"Added {count} noqa {'comment' if count == 1 else 'comments'}.", err=True
                )
                sys.exit(EXIT_ERROR if warnings else EXIT_OK)
            if fix or diff:
                from redislint.adopt import fix_tree

                result, report = fix_tree(
                    runner, targets, result, unsafe_fixes, write_files=not diff
                )
                for warning in report.warnings:
                    click.echo(f"redislint: warning: {warning}", err=True)
                if diff:
                    write_output(report.diff(), output, utf8=False)
                    count = len(report.fixed)
                    click.echo(
                        f"Would fix {count} {'problem' if count == 1 else 'problems'}.", err=True
                    )
                    sys.exit(EXIT_FINDINGS if report.changes else EXIT_OK)
                fixed = report.fixed
        if not quiet:
            for skipped in result.skipped:
                click.echo(f"redislint: warning: skipped {skipped}", err=True)
        context = _report_context(codes, sources)
        if write_baseline is not None:
            from redislint.baseline import BaselineError, write

            try:
                count = write(result.findings, context, write_baseline)
            except BaselineError as exc:
                _fail(str(exc))
            click.echo(f"Wrote {count} findings to the baseline {write_baseline}.", err=True)
            sys.exit(EXIT_OK)
        if baseline is not None:
            from redislint.baseline import BaselineError, apply

            try:
                result.findings, result.baselined = apply(result.findings, context, baseline)
            except BaselineError as exc:
                _fail(str(exc))
        text = render(
            result,
            fmt,
            codes,
            color=_use_color(no_color, output, fmt),
            quiet=quiet,
            statistics=statistics,
            sources=context.sources,
            unsafe_fixes=unsafe_fixes,
        )
        if show_fixes and fix:
            from redislint.adopt import show_fixes as listing

            if fmt in ("concise", "full") and output is None:
                text = listing(fixed) + ("\n" if text.strip() else "") + text
            else:
                click.echo(listing(fixed), err=True, nl=False)
        if not silent:
            write_output(text, output, utf8=fmt in MACHINE_FORMATS)
    except KeyboardInterrupt:
        click.echo("redislint: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    if exit_zero:
        sys.exit(EXIT_OK)
    if result.has_parse_errors:
        sys.exit(EXIT_ERROR)
    if exit_non_zero_on_fix and fix and fixed:
        sys.exit(EXIT_FINDINGS)
    sys.exit(EXIT_FINDINGS if result.findings else EXIT_OK)


def _check_conflicts(
    paths: tuple[Path, ...],
    fmt: str | None,
    output: Path | None,
    statistics: bool,
    stdin_filename: str | None,
    no_cache: bool,
    cache_dir: Path | None,
) -> None:
    """Options that contradict each other are an error, not a silent choice."""
    stdin = Path("-")
    if stdin in paths and len(paths) > 1:
        _fail("'-' (standard input) cannot be combined with other paths")
    if stdin_filename is not None and paths and paths != (stdin,):
        _fail("--stdin-filename names the file read from standard input; use it with '-' only")
    if no_cache and cache_dir is not None:
        _fail("--no-cache and --cache-dir contradict each other; use one")
    if statistics and fmt in MACHINE_FORMATS and fmt != "json":
        _fail(f"--statistics prints a table or JSON; it cannot be combined with --format {fmt}")


def _report_context(codes: frozenset[str], sources: dict[str, str]) -> ReportContextType:
    from redislint.report import ReportContext

    return ReportContext(codes=codes, sources=dict(sources))


def _fix_stdin(
    runner: object,
    result: object,
    data: bytes,
    fmt: str,
    codes: frozenset[str],
    *,
    diff: bool,
    unsafe: bool,
) -> None:
    """``--fix``/``--diff`` on standard input: the fixed text (or the diff) goes to
    standard output, the findings left to standard error."""
    from redislint.adopt import fix_stdin
    from redislint.engine.fixes import unified_diff
    from redislint.engine.runner import Runner, RunResult
    from redislint.engine.source import decode

    assert isinstance(runner, Runner) and isinstance(result, RunResult)
    text = decode(data).text
    if text is None:
        sys.stdout.buffer.write(data)
        sys.exit(EXIT_ERROR)
    outcome = fix_stdin(runner, text, result, unsafe)
    shown = result.findings[0].path if result.findings else "-"
    if diff:
        sys.stdout.write(unified_diff(shown, text, outcome.text))
        sys.exit(EXIT_FINDINGS if outcome.text != text else EXIT_OK)
    sys.stdout.write(outcome.text)
    sys.stdout.flush()
    left = RunResult(findings=outcome.remaining, files_checked=1, fixed=len(outcome.fixed))
    report = render(
        left,
        fmt,
        codes,
        color=False,
        quiet=False,
        statistics=False,
        sources={shown: outcome.text},
        unsafe_fixes=unsafe,
    )
    sys.stderr.write(report)
    sys.exit(EXIT_FINDINGS if outcome.remaining else EXIT_OK)


class RichProgress:
    """A progress bar on standard error for long runs (only on a terminal)."""

    def __init__(self) -> None:
        self._progress: object | None = None
        self._task: object | None = None

    def start(self, total: int, description: str) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

        progress = Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        progress.start()
        self._task = progress.add_task(description, total=total)
        self._progress = progress

    def advance(self) -> None:
        from rich.progress import Progress, TaskID

        if isinstance(self._progress, Progress) and isinstance(self._task, int):
            self._progress.advance(TaskID(self._task))

    def update(self, done: int, total: int) -> None:
        """Set the bar to ``done`` of ``total`` (a sample whose size is known as it goes)."""
        from rich.progress import Progress, TaskID

        if isinstance(self._progress, Progress) and isinstance(self._task, int):
            self._progress.update(TaskID(self._task), completed=done, total=total)

    def stop(self) -> None:
        from rich.progress import Progress

        if isinstance(self._progress, Progress):
            self._progress.stop()
        self._progress = None


def _codes(
    config: Config, select: Sequence[str], extend_select: Sequence[str], ignore: Sequence[str]
) -> frozenset[str]:
    selected = _split(select) if select else None
    extra = _split(extend_select)
    ignored = _split(ignore)
    for key, values in (
        ("--select", selected or []),
        ("--extend-select", extra),
        ("--ignore", ignored),
    ):
        validate_selectors(values, key, "command line")
    check_contradictions(
        {"--select": selected or [], "--extend-select": extra},
        {"--ignore": ignored},
        "command line",
    )
    return enabled_codes(config, selected, extra, ignored)


def _stdin_sources(result: object, data: bytes) -> dict[str, str]:
    """The text read from standard input, under the path its findings carry."""
    from redislint.engine.runner import RunResult
    from redislint.engine.source import decode

    assert isinstance(result, RunResult)
    text = decode(data).text
    return {} if text is None else {f.path: text for f in result.findings}


def render(
    result: object,
    fmt: str,
    codes: frozenset[str],
    *,
    color: bool,
    quiet: bool,
    statistics: bool,
    sources: dict[str, str] | None = None,
    unsafe_fixes: bool = False,
) -> str:
    from redislint.engine.runner import RunResult
    from redislint.report import ReportContext, get_reporter

    assert isinstance(result, RunResult)
    if statistics:
        return render_statistics(result, as_json=fmt == "json", quiet=quiet)
    context = ReportContext(
        color=color,
        codes=codes,
        show_summary=not quiet,
        sources=dict(sources or {}),
        unsafe_fixes=unsafe_fixes,
    )
    return get_reporter(fmt)(result, context)


def render_statistics(result: object, as_json: bool = False, quiet: bool = False) -> str:
    """Findings per rule: a table (ruff's layout), or JSON as ruff writes it."""
    import json

    from redislint.engine.runner import RunResult
    from redislint.report.base import summary

    assert isinstance(result, RunResult)
    counts = Counter((f.code, f.name) for f in result.findings)
    fixable = Counter(f.code for f in result.findings if f.fix is not None)
    if as_json:
        rows = [
            {"code": code, "name": name, "count": count, "fixable": fixable[code] > 0}
            for (code, name), count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        ]
        return json.dumps(rows, indent=2) + "\n"
    lines = [f"{count:>5}  {code}  {name}" for (code, name), count in sorted(counts.items())]
    if not quiet:
        lines.append(summary(result))
    return "\n".join(lines) + "\n" if lines else ""


@main.command(context_settings=_HELP)
@click.argument("selector", metavar="RULE", required=False)
@click.option("--all", "everything", is_flag=True, help="List every rule.")
@click.option("--no-color", is_flag=True, help="Never color the output.")
def rule(selector: str | None, everything: bool, no_color: bool) -> None:
    """Show the documentation of RULE (a code or a name), as `--explain` does."""
    color = not no_color and not os.environ.get("NO_COLOR") and sys.stdout.isatty()
    if everything or selector is None:
        print_rule_table(color)
        return
    explain(selector, color)


@main.command(context_settings=_HELP)
def server() -> None:
    """Run the language server on standard input and output (as `redislint-lsp` does)."""
    from redislint.lsp import main as lsp_main

    lsp_main()


@main.command(context_settings=_HELP)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path, readable=False))
@click.option(
    "--output-format",
    "--format",
    "fmt",
    type=click.Choice(KEYSPACE_FORMATS),
    default="table",
    show_default=True,
    help="How to show the map.",
)
@_output_option("Write the map to FILE instead of standard output.")
@_CONFIG_OPTION
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="Worker processes.")
@click.option("--no-color", is_flag=True, help="Never color the output.")
@click.option(
    "--server",
    "server_url",
    metavar="URL",
    help="Join a read-only sample of this server's keys (redis://HOST:PORT/DB); "
    "prefer --server-url-env to keep a password off the command line.",
)
@_SERVER_ENV_OPTION
@click.option(
    "--sample",
    type=click.IntRange(min=1),
    default=10_000,
    show_default=True,
    help="Keys of the server to sample at most.",
)
@click.option(
    "--time-limit",
    type=click.FloatRange(min=0.1),
    default=30.0,
    show_default=True,
    help="Seconds the sample may take at most.",
)
def keys(
    paths: tuple[Path, ...],
    fmt: str,
    output: Path | None,
    config_path: Path | None,
    jobs: int | None,
    no_color: bool,
    server_url: str | None,
    server_url_env: str | None,
    sample: int,
    time_limit: float,
) -> None:
    """Map the keyspace of the code in PATHS: every key template, its Redis type, TTL,
    hash tag and the lines that use it; with --server, what a live server holds of each."""
    from redislint.engine.runner import Runner
    from redislint.keyspace.render import render
    from redislint.semantic.keyspace import build_map

    server_url = _server_url(server_url, server_url_env)

    try:
        config = load_config(config_path, start=Path.cwd())
    except ConfigError as exc:
        _fail(str(exc))
    # the map needs the analysis, not the rules: only files that cannot be read are said
    runner = Runner(config, frozenset({"RL000"}), jobs=jobs, cache_dir=None, keyspace=True)
    result = runner.run(list(paths) or [Path()])
    problems = [f for f in result.findings if f.code == "RL000"]
    for finding in problems:
        click.echo(f"{finding.path}:{finding.start.line}: {finding.message}", err=True)
    uses = [use for r in runner.file_results.values() for use in r.uses]
    color = _use_color(no_color, output, "full") and fmt == "table"
    rows = build_map(uses)
    joined = _sampled(server_url, rows, sample, time_limit) if server_url else None
    write_output(render(fmt, rows, color, joined), output)


def _sampled(url: str, rows: list[Any], limit: int, seconds: float) -> Any:
    """The server's sample joined to ``rows``; a clear message (no password) on failure."""
    from redislint.keyspace.server import ServerError, join, sample

    bar = RichProgress() if sys.stderr.isatty() else None
    if bar is not None:
        bar.start(limit, "sampling the server")
    try:
        found = sample(url, limit, seconds, bar.update if bar is not None else None)
    except ServerError as exc:
        _fail(str(exc))
    finally:
        if bar is not None:
            bar.stop()
    return join(rows, found)


def _server_url(url: str | None, variable: str | None) -> str | None:
    if variable is None:
        return url
    found = os.environ.get(variable)
    if not found:
        _fail(f"--server-url-env: the environment variable {variable} is not set")
    return found


def _add_live_figures(result: Any, runner: Any, url: str) -> None:
    """RL101 findings with what the server holds of their template ("1.2 M keys match,
    98% without TTL, ~340 MB")."""
    import dataclasses

    from redislint.keyspace.server import human, human_bytes
    from redislint.semantic.keyspace import build_map

    if not any(f.code == "RL101" for f in result.findings):
        return
    uses = [use for r in runner.file_results.values() for use in r.uses]
    joined = _sampled(url, build_map(uses), 10_000, 30.0)
    template_at = {(u.path, u.line, u.column): u.template.display() for u in uses}
    for i, finding in enumerate(result.findings):
        if finding.code != "RL101":
            continue
        template = template_at.get((finding.path, finding.start.line, finding.start.column))
        figures = joined.figures.get(template) if template is not None else None
        if figures is None:
            live = "no key of the server's sample matches it"
        else:
            memory = human_bytes(figures.estimated_memory())
            live = (
                f"{human(figures.estimate)} keys match, "
                f"{figures.share_without_ttl():.0%} without TTL" + (f", {memory}" if memory else "")
            )
        message = f"{finding.message} (on the server: {live})"
        result.findings[i] = dataclasses.replace(finding, message=message)
