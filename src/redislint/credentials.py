"""Credentials in source text and in the facts read from it, masked before anything is
printed or written (reports, the cache, the project index).

What counts as a credential, the same way everywhere:

- the password of a URL's userinfo (``redis://user:PASSWORD@host``);
- the string given to a ``password=``/``username=`` keyword (and the like:
  ``passwd``, ``secret``, ``token``, ``credential``...);
- the string a name is assigned when the name says so (``REDIS_PASSWORD = "..."``) or
  when the same text passes the name as such a keyword (``password=PW``);
- the password argument of ``AUTH`` (``execute_command("AUTH", "...")``).

Masks keep the length, so columns in a masked line stay where they were.
"""

from __future__ import annotations

import re

_SECRET_WORDS = r"(?:password|passwd|pwd|secret|token|credentials?|api_?key|username)"
_STRING = r"""(?P<q>[rbuRBU]{0,2}(?P<quote>['"]))(?P<value>(?:\\.|(?!(?P=quote)).)*)(?P=quote)"""

_URL_PASSWORD = re.compile(r"(?P<head>\b[a-zA-Z][\w+.-]*://[^:/@\s'\"]*:)(?P<value>[^@\s'\"/]+)@")
_KEYWORD = re.compile(rf"\b\w*{_SECRET_WORDS}\w*\s*=\s*{_STRING}", re.IGNORECASE)
_ASSIGNED = re.compile(
    rf"^[ \t]*[\w.]*{_SECRET_WORDS}[\w.]*[ \t]*(?::[^=\n]*)?=[ \t]*{_STRING}",
    re.IGNORECASE | re.MULTILINE,
)
_AUTH = re.compile(
    rf"""['"]AUTH['"]\s*,\s*(?:{_STRING}\s*,\s*)?"""
    + _STRING.replace("?P<", "?P<a").replace("(?P=quote)", "(?P=aquote)")
)
_PASSED_AS = re.compile(rf"\b{_SECRET_WORDS}\s*=\s*(?P<name>[A-Za-z_]\w*)\b", re.IGNORECASE)


def _spans(text: str, pattern: re.Pattern[str], group: str) -> list[tuple[int, int]]:
    return [m.span(group) for m in pattern.finditer(text) if m.group(group)]


def mask_credentials(text: str) -> str:
    """``text`` (a file, a line, a literal) with every credential it holds masked."""
    if not text:
        return text
    spans = [
        *_spans(text, _URL_PASSWORD, "value"),
        *_spans(text, _KEYWORD, "value"),
        *_spans(text, _ASSIGNED, "value"),
        *_spans(text, _AUTH, "avalue"),
    ]
    names = {m.group("name") for m in _PASSED_AS.finditer(text)} - {"None", "True", "False"}
    for name in names:
        assigned = re.compile(
            rf"^[ \t]*{re.escape(name)}[ \t]*(?::[^=\n]*)?=[ \t]*{_STRING}", re.MULTILINE
        )
        spans += _spans(text, assigned, "value")
    if not spans:
        return text
    pieces: list[str] = []
    done = 0
    for start, end in sorted(spans):
        start = max(start, done)  # overlapping matches mask the same characters once
        if end <= start:
            continue
        pieces.append(text[done:start])
        pieces.append("*" * (end - start))
        done = end
    pieces.append(text[done:])
    return "".join(pieces)


_SECRET_NAME = re.compile(_SECRET_WORDS, re.IGNORECASE)


def is_credential_url(value: str) -> bool:
    """A URL with a password in its userinfo (the index reads every string constant)."""
    return "@" in value and "://" in value and _URL_PASSWORD.search(value) is not None


def secret_name(name: str) -> bool:
    """A keyword or variable name that says it holds a credential."""
    return _SECRET_NAME.search(name) is not None
