"""A content digest: the cache's keys and the project index's dependency fingerprints."""

from __future__ import annotations

import hashlib


def digest(*parts: str | bytes) -> str:
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part)
        hasher.update(b"\x00")
    return hasher.hexdigest()
