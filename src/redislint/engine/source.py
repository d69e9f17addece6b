"""Reading source files: bytes to text, with every failure turned into a clear reason."""

from __future__ import annotations

import codecs
import io
import tokenize
from dataclasses import dataclass

MAX_FILE_BYTES = 20 * 1024 * 1024


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
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
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
        line = text.count("\n", 0, nul) + 1
        column = nul - (text.rfind("\n", 0, nul) + 1) + 1
        return Source(
            None, encoding, "file contains a NUL byte; it is not Python source", line, column
        )
    return Source(text, encoding)
