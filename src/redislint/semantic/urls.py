"""Redis connection URLs written in string literals (``"redis://:secret@cache:6379/1"``).

They are read the way redis-py's ``parse_url`` reads them (``urllib.parse``): the user
info is what precedes the last ``@`` of the network location, the password what follows
its first ``:``. Parts of an f-string that are expressions become ``HOLE``, so a
password taken from a variable is never mistaken for a literal one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, unquote, urlsplit

if TYPE_CHECKING:
    import libcst as cst
else:
    from redislint._lazy import cst


HOLE = "\ue000"  # stands for an f-string replacement field
SCHEMES = frozenset({"redis", "rediss", "unix", "valkey", "valkeys"})
TLS_SCHEMES = frozenset({"rediss", "valkeys"})


@dataclass(frozen=True)
class RedisUrl:
    scheme: str
    password: str | None  # decoded; None when the URL has none
    password_raw: str | None  # as written in the source (for masking output)
    host: str | None  # None for unix sockets or a host given by an expression
    db: str | None  # the database number as written (path or ``?db=``)
    query: dict[str, list[str]]

    @property
    def tls(self) -> bool:
        return self.scheme in TLS_SCHEMES


def literal_text(node: cst.BaseExpression) -> str | None:
    """The text of a string literal, f-string replacement fields as ``HOLE``."""
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        if isinstance(value, bytes):
            return value.decode("utf-8", "replace")
        return value if isinstance(value, str) else None
    if isinstance(node, cst.FormattedString):
        parts = []
        for part in node.parts:
            parts.append(part.value if isinstance(part, cst.FormattedStringText) else HOLE)
        return "".join(parts)
    if isinstance(node, cst.ConcatenatedString):
        left, right = literal_text(node.left), literal_text(node.right)
        return left + right if left is not None and right is not None else None
    return None


def parse(text: str) -> RedisUrl | None:
    """A Redis URL, or None when ``text`` is not one (another scheme, prose, a template)."""
    stripped = text.strip()
    scheme, sep, _rest = stripped.partition("://")
    if not sep or scheme.lower() not in SCHEMES or any(c.isspace() for c in stripped):
        return None
    try:
        parts = urlsplit(stripped)
        netloc = parts.netloc
        userinfo, at, hostport = netloc.rpartition("@")
        if not at:
            hostport = netloc
        _user, colon, raw_password = userinfo.partition(":")
        password_raw = raw_password if colon else None
        host = None if scheme.lower() == "unix" else _host(hostport)
        query = parse_qs(parts.query)
    except ValueError:
        return None
    db = None
    path = parts.path.lstrip("/")
    if scheme.lower() != "unix" and path:
        db = path
    elif "db" in query:
        db = query["db"][0]
    return RedisUrl(
        scheme=scheme.lower(),
        password=unquote(password_raw) if password_raw is not None else None,
        password_raw=password_raw,
        host=host,
        db=db,
        query=query,
    )


def _host(hostport: str) -> str | None:
    if hostport.startswith("["):
        end = hostport.find("]")
        return hostport[1:end] if end > 0 else None
    host = hostport.rpartition(":")[0] if hostport.count(":") == 1 else hostport
    if HOLE in host:
        return None
    return host


def is_local_host(host: str) -> bool:
    """Loopback, ``localhost``, or a docker-compose / Kubernetes-style service name with no
    dot (``redis``, ``cache``): names that do not cross an untrusted network."""
    lowered = host.strip().strip("[]").lower()
    if not lowered or lowered in ("localhost", "::1", "0.0.0.0", "host.docker.internal"):
        return True
    if lowered.endswith(".localhost") or lowered.startswith("127."):
        return True
    return "." not in lowered and ":" not in lowered


_PLACEHOLDER_MARKS = ("{", "%(", "%s", "${", "<", "*" * 3)


def is_placeholder(password: str) -> bool:
    """An empty password or a template marker (``{password}``, ``%(pw)s``, ``${PW}``,
    ``<password>``, ``***``, a value from an f-string expression): not a secret."""
    text = password.strip()
    if not text or HOLE in text:
        return True
    if text.startswith("$") or set(text) <= {"x", "X", "*"}:
        return True
    return any(mark in text for mark in _PLACEHOLDER_MARKS)


def masked(url_text: str) -> str:
    """The URL with its password replaced by ``****``."""
    scheme, _sep, rest = url_text.partition("://")
    netloc_end = len(rest)
    for stop in "/?#":
        found = rest.find(stop)
        if 0 <= found < netloc_end:
            netloc_end = found
    netloc = rest[:netloc_end]
    userinfo, _at, hostport = netloc.rpartition("@")
    user, _colon, _password = userinfo.partition(":")
    return f"{scheme}://{user}:****@{hostport}{rest[netloc_end:]}".replace(HOLE, "{...}")
