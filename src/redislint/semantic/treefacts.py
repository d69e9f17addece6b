"""Facts about the whole linted tree that single-file rules can ask about.

Some problems are only problems when something is missing everywhere: an ``xreadgroup``
whose stream is never ``xack``ed in any module (RL503), a key taken with ``SET NX`` in one
module and released with a plain ``delete`` in another (RL203). Each file's lint produces a
small summary of its commands (``CommandFact``); a rule reports such a finding with a
``TreeCondition``, and the runner keeps it only if the condition holds once every file's
summary is known.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from redislint.keys.shape import Hole, KeyShape, Part, Relation, compare, shape_of
from redislint.semantic.arguments import literal, set_options
from redislint.semantic.lifetime import gives_ttl
from redislint.semantic.model import Command

# Boolean options worth remembering about a command (``set(nx=True)``, ``xreadgroup(noack=True)``);
# commands that give their key an expiry also carry the flag "ttl".
_FLAGS = ("nx", "xx", "noack", "keepttl", "get")


def portable(shape: KeyShape) -> KeyShape:
    """The shape as a template comparable across functions and files.

    File-local binding versions are dropped, and so is volatility: two calls of
    ``time.time()`` in one function may return different values, but across the tree
    ``f"rl:{int(time.time() // 60)}"`` written twice is the same key template.
    """
    return KeyShape(
        tuple(Hole(p.text.split("#")[0]) if isinstance(p, Hole) else p for p in shape.parts)
    )


@dataclass(frozen=True)
class CommandFact:
    """One command of one file, as the rest of the tree sees it."""

    name: str
    flags: frozenset[str]
    keys: tuple[KeyShape, ...]


@dataclass(frozen=True)
class TreeQuery:
    """Does any file have a command named one of ``names`` (with ``flags``) on ``key``?

    ``key`` None matches any key; ``exact`` requires the same key (else "may be the same").
    """

    names: frozenset[str]
    key: KeyShape | None = None
    flags: frozenset[str] = frozenset()
    exact: bool = False
    # only keys with literal text count (``delete(key)`` with the caller's key says
    # nothing of which family it deletes)
    named: bool = False


@dataclass(frozen=True)
class TreeCondition:
    """Keep a finding only if ``query`` is answered ``expected``."""

    query: TreeQuery
    expected: bool


# A scan for a pattern in a function that deletes (``for k in r.scan_iter("job:*"):
# r.delete(k)``): the fact's name, and its key the pattern (``*`` a hole).
SCAN_DELETE = "scan+delete"
_SCANS = frozenset({"scan", "keys"})
_DELETES = frozenset({"del", "unlink"})


def _pattern(cmd: Command) -> KeyShape | None:
    node = cmd.args.get("match") if cmd.name == "scan" else cmd.args.get("pattern")
    if node is None:
        return None
    shape = shape_of(node)
    parts: list[Part] = []
    for part in shape.parts:
        if isinstance(part, Hole):
            parts.append(part)
            continue
        for i, piece in enumerate(part.split("*")):
            if i:
                parts.append(Hole("*"))
            if piece:
                parts.append(piece)
    return KeyShape(tuple(parts))


def command_fact(cmd: Command) -> CommandFact:
    if cmd.name in _SCANS:
        pattern = _pattern(cmd)
        deletes = any(c.name in _DELETES for c in cmd.scope.commands)
        if pattern is not None and deletes:
            return CommandFact(SCAN_DELETE, frozenset(), (portable(pattern),))
    flags = set()
    for flag in _FLAGS:
        node = cmd.args.get(flag)
        if node is not None and literal(node) is True:
            flags.add(flag)
    if cmd.name == "setnx":
        flags.add("nx")
    if gives_ttl(cmd):
        flags.add("ttl")
    elif cmd.name == "set" and cmd.method == "execute_command":
        options = set_options(cmd)  # execute_command("SET", k, v, "NX", "EX", 30)
        flags.update(f for f, on in (("nx", options.nx), ("xx", options.xx)) if on)
        if options.keepttl:
            flags.add("keepttl")
    return CommandFact(cmd.name, frozenset(flags), tuple(portable(k.shape) for k in cmd.keys))


def summarize(commands: Iterable[Command], names: frozenset[str]) -> list[CommandFact]:
    """The facts of a file's commands that some enabled rule asks about (``names``)."""
    if SCAN_DELETE in names:
        names = names | _SCANS
    return [command_fact(c) for c in commands if c.name in names]


class TreeFacts:
    """Every file's command facts, indexed by command name."""

    def __init__(self, facts: Iterable[CommandFact]) -> None:
        self._by_name: dict[str, list[CommandFact]] = {}
        # name -> key template -> the flag sets it was used with (for exact queries)
        self._by_key: dict[str, dict[KeyShape, list[frozenset[str]]]] = {}
        self._answers: dict[TreeQuery, bool] = {}
        for fact in facts:
            self._by_name.setdefault(fact.name, []).append(fact)
            by_key = self._by_key.setdefault(fact.name, {})
            for key in fact.keys:
                by_key.setdefault(key, []).append(fact.flags)

    def answer(self, query: TreeQuery) -> bool:
        found = self._answers.get(query)
        if found is None:
            found = self._answer(query)
            self._answers[query] = found
        return found

    def _answer(self, query: TreeQuery) -> bool:
        wanted = portable(query.key) if query.key is not None else None
        if wanted is not None and query.exact:
            # portable templates are the same key exactly when they are equal
            return any(
                query.flags <= flags
                for name in query.names
                for flags in self._by_key.get(name, {}).get(wanted, ())
            )
        for name in query.names:
            for fact in self._by_name.get(name, ()):
                if not query.flags <= fact.flags:
                    continue
                if wanted is None:
                    return True
                for key in fact.keys:
                    if query.named and not key.literal_text():
                        continue
                    relation = compare(wanted, key)
                    if relation is Relation.SAME or (
                        relation is Relation.MAYBE and not query.exact
                    ):
                        return True
        return False

    def holds(self, condition: TreeCondition) -> bool:
        return self.answer(condition.query) is condition.expected
