"""Reading source files: bytes to text, with every failure turned into a clear reason."""

from __future__ import annotations

import codecs
import errno
import io
import os
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path

MAX_FILE_BYTES = 20 * 1024 * 1024

# The line breaks of Python's tokenizer. str.splitlines() also splits on \f, \v, \x1c-\x1e,
# \x85, \u2028 and \u2029, which Python allows inside a line: line numbers would drift.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def source_lines(text: str) -> list[str]:
    """The physical lines of ``text`` as Python numbers them (line ``n`` is item ``n - 1``)."""
    return _LINE_BREAK.split(text)


def _line_column(data: bytes, offset: int, encoding: str) -> tuple[int, int]:
    """1-based line and column (in characters) of byte ``offset`` of undecodable ``data``."""
    before = data[:offset]
    line_start = max(before.rfind(b"\n"), before.rfind(b"\r")) + 1
    line = len(_LINE_BREAK.findall(before.decode("latin-1"))) + 1
    column = len(before[line_start:].decode(encoding, "replace")) + 1
    return line, column


@dataclass(frozen=True)
class Source:
    """A decoded file, or the reason it could not be decoded."""

    text: str | None
    encoding: str
    error: str | None = None
    error_line: int = 1
    error_column: int = 1


def decode(data: bytes) -> Source:
    """Decode Python source bytes as the interpreter would (BOM, coding cookie, UTF-8)."""
    if len(data) > MAX_FILE_BYTES:
        return Source(
            None, "utf-8", f"file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; not checked"
        )
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        return Source(None, "utf-8", f"cannot determine the file's encoding: {exc.msg}")
    try:
        codecs.lookup(encoding)
    except LookupError:
        return Source(None, encoding, f"unknown encoding {encoding!r} in the coding cookie")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line, column = _line_column(data, exc.start, encoding)
        return Source(
            None,
            encoding,
            f"invalid {encoding} byte sequence ({exc.reason}); the file cannot be decoded",
            line,
            column,
        )
    if text.startswith("\ufeff"):
        text = text[1:]
    nul = text.find("\x00")
    if nul >= 0:
        before = source_lines(text[:nul])
        line, column = len(before), len(before[-1]) + 1
        return Source(
            None, encoding, "file contains a NUL byte; it is not Python source", line, column
        )
    return Source(text, encoding)


def read_source(path: Path) -> tuple[bytes, Source]:
    """The file's bytes and their decoding (or why it cannot be read)."""
    try:
        with path.open("rb") as handle:
            data = handle.read()
    except OSError as exc:
        return b"", Source(None, "utf-8", _unreadable(path, exc))
    return data, decode(data)


def _unreadable(path: Path, exc: OSError) -> str:
    """Why ``path`` cannot be read, in words."""
    if path.is_dir():  # a directory whose listing failed while walking
        try:
            with os.scandir(path):
                pass
        except OSError as listing:
            return f"cannot list the directory: {_reason(listing)}; its files were not checked"
        return "is a directory"
    if isinstance(exc, FileNotFoundError):
        if path.is_symlink():
            return "broken symbolic link: its target does not exist"
        return "no such file or directory"
    if exc.errno == errno.ELOOP:
        return "symbolic link loop: too many levels of symbolic links"
    if isinstance(exc, PermissionError):
        return "permission denied; cannot read the file"
    return f"cannot read the file: {_reason(exc)}"


def _reason(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "permission denied"
    return (exc.strerror or str(exc)).lower()
