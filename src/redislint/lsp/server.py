"""The language server (pygls): diagnostics on open, change and save; fixes as code actions.

Linting runs on one background thread, so the protocol stays responsive; changes are
debounced (``DEBOUNCE`` seconds after the last keystroke), open and save lint at once.
Diagnostics are published from the event loop. Code actions: each safe fix (unsafe ones
too with the ``unsafeFixes`` initialization option), "add noqa" for a finding's line, and
a ``source.fixAll.redislint`` action for the whole file.
"""

from __future__ import annotations

import asyncio
import queue
import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from redislint import __version__
from redislint.config import CONFIG_FILES, ConfigError
from redislint.diagnostics import Finding, Severity
from redislint.engine.noqa import add_noqa_text
from redislint.lsp.lint import UTF8, UTF16, UTF32, Linter, Positions, Span
from redislint.rules import BY_CODE

DEBOUNCE = 0.3
FIX_ALL = f"{types.CodeActionKind.SourceFixAll.value}.redislint"
_SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}
_ENCODINGS: dict[types.PositionEncodingKind, str] = {
    types.PositionEncodingKind.Utf8: UTF8,
    types.PositionEncodingKind.Utf16: UTF16,
    types.PositionEncodingKind.Utf32: UTF32,
}


def path_of(uri: str) -> Path | None:
    """The file a ``file:`` URI names (None for other schemes: untitled buffers...)."""
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        return None
    path = unquote(parsed.path)
    if len(path) > 2 and path[0] == "/" and path[2] == ":":  # file:///C:/x on Windows
        path = path[1:]
    return Path(path)


class RedislintServer(LanguageServer):
    """The server and what it remembers about open documents."""

    def __init__(self) -> None:
        super().__init__("redislint-lsp", __version__)
        self.linter = Linter([])
        self.unsafe = False
        self.results: dict[str, tuple[str, list[Finding]]] = {}  # uri -> (text, findings)
        self.loop: asyncio.AbstractEventLoop | None = None
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._queue: queue.Queue[str] = queue.Queue()
        self._thread = threading.Thread(target=self._work, name="redislint-lint", daemon=True)

    # -- scheduling ----------------------------------------------------------------------
    def schedule(self, uri: str, delay: float = 0.0) -> None:
        """Lint ``uri`` after ``delay`` seconds (a newer request replaces a pending one)."""
        timer = self._timers.pop(uri, None)
        if timer is not None:
            timer.cancel()
        if not self._thread.is_alive():
            self._thread.start()
        if delay <= 0 or self.loop is None:
            self._queue.put(uri)
            return
        self._timers[uri] = self.loop.call_later(delay, self._queue.put, uri)

    def _work(self) -> None:
        while True:
            uri = self._queue.get()
            try:
                self._lint(uri)
            except Exception as exc:  # never let one document stop the server
                self._log(f"redislint: cannot lint {uri}: {type(exc).__name__}: {exc}")

    def _lint(self, uri: str) -> None:
        document = self.workspace.text_documents.get(uri)
        path = path_of(uri)
        if document is None or path is None:
            return
        text = document.source
        try:
            tree = self.linter.tree_for(path)
        except ConfigError as exc:
            self._show(f"redislint: {exc}")
            return
        if not tree.ready and not tree.building:
            tree.building = True
            threading.Thread(target=self._build, args=(tree,), daemon=True).start()
        findings = self.linter.lint(path, text)
        self.results[uri] = (text, findings)
        self._publish(uri, text, findings, document.version)

    def _build(self, tree: Any) -> None:
        self.linter.build(tree)
        if tree.error:
            self._log(f"redislint: the tree could not be linted: {tree.error}")
        for uri in list(self.results):  # findings that waited on the whole tree
            self._queue.put(uri)

    # -- talking to the client -----------------------------------------------------------
    def _in_loop(self, function: Any, *args: Any) -> None:
        if self.loop is not None:
            self.loop.call_soon_threadsafe(function, *args)

    def _publish(self, uri: str, text: str, findings: list[Finding], version: int | None) -> None:
        positions = Positions(text, self.encoding)
        params = types.PublishDiagnosticsParams(
            uri=uri, diagnostics=[diagnostic(f, positions) for f in findings], version=version
        )
        self._in_loop(self.text_document_publish_diagnostics, params)

    def _log(self, message: str) -> None:
        params = types.LogMessageParams(type=types.MessageType.Warning, message=message)
        self._in_loop(self.window_log_message, params)

    def _show(self, message: str) -> None:
        params = types.ShowMessageParams(type=types.MessageType.Error, message=message)
        self._in_loop(self.window_show_message, params)

    @property
    def encoding(self) -> str:
        encoding = self.workspace.position_encoding
        for kind, name in _ENCODINGS.items():
            if encoding == kind or encoding == kind.value:
                return name
        return UTF16

    # -- code actions --------------------------------------------------------------------
    def findings_for(self, uri: str) -> tuple[str, list[Finding]] | None:
        """The findings of the document as it is now (linted again if it changed)."""
        document = self.workspace.text_documents.get(uri)
        path = path_of(uri)
        if document is None or path is None:
            return None
        text = document.source
        known = self.results.get(uri)
        if known is not None and known[0] == text:
            return known
        return text, self.linter.lint(path, text)

    def actions(self, params: types.CodeActionParams) -> list[types.CodeAction]:
        uri = params.text_document.uri
        found = self.findings_for(uri)
        path = path_of(uri)
        if found is None or path is None:
            return []
        text, findings = found
        positions = Positions(text, self.encoding)
        wanted = params.context.only
        out: list[types.CodeAction] = []
        if _wants(types.CodeActionKind.QuickFix.value, wanted, default=True):
            for finding in findings:
                span = positions.span(finding.start, finding.end)
                if _touches(span, params.range):
                    out += self._quick_fixes(uri, text, finding, positions)
        # "fix all" runs the fix loop: only when asked for (a source action, on save)
        if _wants(FIX_ALL, wanted, default=False):
            fixed = self.linter.fix_all(path, text, self.unsafe)
            if fixed != text:
                edit = _text_edit(positions.whole(text), fixed)
                out.append(
                    types.CodeAction(
                        title="redislint: fix all auto-fixable problems",
                        kind=FIX_ALL,
                        edit=types.WorkspaceEdit(changes={uri: [edit]}),
                    )
                )
        return out

    def _quick_fixes(
        self, uri: str, text: str, finding: Finding, positions: Positions
    ) -> list[types.CodeAction]:
        out = []
        diag = diagnostic(finding, positions)
        fix = finding.fix
        if fix is not None and (fix.safe or self.unsafe):
            edits = [_text_edit(*positions.edit(e)) for e in fix.edits]
            out.append(
                types.CodeAction(
                    title=f"{finding.code}: {fix.message}" + ("" if fix.safe else " (unsafe)"),
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[diag],
                    edit=types.WorkspaceEdit(changes={uri: edits}),
                    is_preferred=fix.safe,
                )
            )
        if finding.code not in ("RL000", "RL001"):
            noqa = add_noqa_text(text, [finding])
            if noqa is not None and noqa[1]:
                out.append(
                    types.CodeAction(
                        title=f"{finding.code}: add '# noqa: {finding.code}' on this line",
                        kind=types.CodeActionKind.QuickFix,
                        diagnostics=[diag],
                        edit=types.WorkspaceEdit(
                            changes={uri: [_line_edit(text, noqa[0], positions)]}
                        ),
                    )
                )
        return out


def diagnostic(finding: Finding, positions: Positions) -> types.Diagnostic:
    span = positions.span(finding.start, finding.end)
    rule = BY_CODE.get(finding.code)
    return types.Diagnostic(
        range=_range(span),
        severity=_SEVERITY[finding.severity],
        code=finding.code,
        code_description=types.CodeDescription(href=rule.doc_url()) if rule else None,
        source="redislint",
        message=finding.message,
        tags=[types.DiagnosticTag.Unnecessary] if finding.code == "RL001" else None,
    )


def _range(span: Span) -> types.Range:
    return types.Range(
        start=types.Position(line=span.start[0], character=span.start[1]),
        end=types.Position(line=span.end[0], character=span.end[1]),
    )


def _text_edit(span: Span, content: str) -> types.TextEdit:
    return types.TextEdit(range=_range(span), new_text=content)


def _wants(kind: str, wanted: Sequence[types.CodeActionKind | str] | None, default: bool) -> bool:
    """Whether a code action of ``kind`` is asked for (``only``: kinds or their parents)."""
    if wanted is None:
        return default
    asked = [k.value if isinstance(k, types.CodeActionKind) else k for k in wanted]
    return any(kind == k or kind.startswith(k + ".") for k in asked)


def _touches(span: Span, wanted: types.Range) -> bool:
    """Whether a finding's range meets the range the client asks about."""
    start = (wanted.start.line, wanted.start.character)
    end = (wanted.end.line, wanted.end.character)
    return span.start <= end and start <= span.end


_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def _line_edit(before: str, after: str, positions: Positions) -> types.TextEdit:
    """The one line that differs between two texts (as Python splits lines), as an edit."""
    old, new = _LINES.findall(before), _LINES.findall(after)
    line = next(i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b)
    span = Span((line, 0), (line + 1, 0))
    return _text_edit(span, new[line])


def create() -> RedislintServer:
    """A server with every feature registered."""
    server = RedislintServer()

    @server.feature(types.INITIALIZE)
    def initialize(ls: RedislintServer, params: types.InitializeParams) -> None:
        folders = [path_of(f.uri) for f in params.workspace_folders or []]
        if not folders and params.root_uri:
            folders = [path_of(params.root_uri)]
        options = params.initialization_options
        cache = True
        if isinstance(options, dict):
            ls.unsafe = bool(options.get("unsafeFixes", False))
            cache = not options.get("noCache", False)
        ls.linter = Linter([f for f in folders if f is not None], cache=cache)

    @server.feature(types.INITIALIZED)
    async def initialized(ls: RedislintServer, params: types.InitializedParams) -> None:
        ls.loop = asyncio.get_running_loop()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    async def did_open(ls: RedislintServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.loop = asyncio.get_running_loop()
        ls.schedule(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    async def did_change(ls: RedislintServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.loop = asyncio.get_running_loop()
        ls.schedule(params.text_document.uri, DEBOUNCE)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    async def did_save(ls: RedislintServer, params: types.DidSaveTextDocumentParams) -> None:
        uri = params.text_document.uri
        path = path_of(uri)
        if path is not None and path.name in CONFIG_FILES:
            ls.linter.forget()  # the configuration may have changed: lint everything again
            for open_uri in list(ls.results):
                ls.schedule(open_uri)
            return
        ls.schedule(uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: RedislintServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        ls.results.pop(uri, None)
        ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=[])
        )

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(
            code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL], resolve_provider=False
        ),
    )
    async def code_action(
        ls: RedislintServer, params: types.CodeActionParams
    ) -> list[types.CodeAction]:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, ls.actions, params)

    return server
