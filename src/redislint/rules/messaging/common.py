"""Helpers the messaging rules share: the words that say a channel or a list key carries work."""

from __future__ import annotations

from redislint.clients.names import words
from redislint.keys.shape import Hole, KeyShape

# Words that say a channel or key carries work to be done.
WORK_WORDS = frozenset(
    {"queue", "job", "task", "work", "worker", "command", "order", "email", "process"}
)


# Last words of names that identify one entity (``job_id``, ``task.key``): a channel built
# from them addresses that entity, it is not a queue of work.
ENTITY_WORDS = frozenset(
    {"id", "ids", "uuid", "guid", "key", "pk", "hash", "slug", "ref", "num", "number", "name"}
)


def _singular(word: str) -> str:
    if word.endswith("es") and word[:-2] in WORK_WORDS:
        return word[:-2]
    if word.endswith("s") and word[:-1] in WORK_WORDS:
        return word[:-1]
    return word


def is_entity_identifier(name_words: list[str]) -> bool:
    """``job_id``, ``worker_name``, ``task.key``: one entity. ``queue_name`` names a queue."""
    if not name_words or name_words[-1] not in ENTITY_WORDS:
        return False
    return len(name_words) < 2 or _singular(name_words[-2]) != "queue"


def _is_entity_hole(part: object) -> bool:
    if not isinstance(part, Hole):
        return False
    name = part.text.split("#")[0].rsplit(".", 1)[-1]
    return is_entity_identifier(words(name))


def _literal_words(shape: KeyShape) -> list[str]:
    """Words of the literal parts, leaving out a work word that names one entity (``job:{id}``)."""
    found: list[str] = []
    parts = shape.parts
    for i, part in enumerate(parts):
        if not isinstance(part, str):
            continue
        part_words = [_singular(w) for w in words(part)]
        nxt = parts[i + 1] if i + 1 < len(parts) else None
        if part_words and part_words[-1] in WORK_WORDS and _is_entity_hole(nxt):
            part_words = part_words[:-1]
        found.extend(part_words)
    return found


def _plural(word: str) -> str:
    return {"queue": "a queue", "work": "work"}.get(word, f"{word}s")
