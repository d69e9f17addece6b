"""What the code says about how long a key should live.

RL101 (set-without-ttl) must not fire on data the code keeps on purpose: task records,
schemas, registries. So it asks two questions here: does the code show that this write is
deliberately without an expiry (it branches on the TTL value itself), and is there evidence
that the key holds short-lived data (a cache, a session, a lock, a rate-limit window named
as such; a cache fill after a read of the same key)? Writing the same key with a TTL in
another branch is not such evidence: it shows the author chose when a TTL applies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from redislint.clients.names import words
from redislint.engine.arguments import set_options
from redislint.engine.model import Command, Scope
from redislint.keys.shape import Hole, KeyShape, Relation, code

if TYPE_CHECKING:
    import libcst as cst
else:
    from redislint._lazy import cst

EXPIRE_COMMANDS = frozenset({"expire", "pexpire", "expireat", "pexpireat"})
# Words of keys, variables, functions and classes that hold short-lived data.
EPHEMERAL_WORDS = frozenset(
    {
        "cache",
        "cached",
        "caching",
        "memo",
        "memoize",
        "session",
        "sessions",
        "token",
        "tokens",
        "otp",
        "nonce",
        "tmp",
        "temp",
        "temporary",
        "lock",
        "locks",
        "mutex",
        "rate",
        "ratelimit",
        "limit",
        "limiter",
        "throttle",
        "throttling",
        "window",
        "idempotency",
        "idempotent",
        "dedup",
        "dedupe",
        "seen",
        "recent",
        "captcha",
        "csrf",
        "verification",
        "verify",
        "confirmation",
        "heartbeat",
        "presence",
        "online",
    }
)
# Words of names that hold an expiry.
TTL_WORDS = frozenset(
    {"ttl", "expire", "expires", "expiry", "expiration", "timeout", "lifetime", "age"}
)


def gives_ttl(cmd: Command) -> bool:
    """Whether ``cmd`` certainly gives its key an expiry."""
    if cmd.name in EXPIRE_COMMANDS or cmd.name in ("setex", "psetex"):
        return True
    if cmd.name == "set":
        return set_options(cmd).expiry is True
    if cmd.name == "getex":
        return any(cmd.args.get(p) is not None for p in ("ex", "px", "exat", "pxat"))
    return False


def ttl_arguments(cmd: Command) -> list[cst.BaseExpression]:
    """The expressions a command uses as an expiry (``ex=...``, setex's time, expire's time)."""
    found = [cmd.args.get(p) for p in ("ex", "px", "exat", "pxat", "time", "when", "timeout")]
    return [node for node in found if node is not None]


def _names(node: cst.CSTNode) -> set[str]:
    """Dotted names (``ttl``, ``self.expires``) used in an expression."""
    out: set[str] = set()
    todo: list[cst.CSTNode] = [node]
    while todo:
        current = todo.pop()
        if isinstance(current, cst.Name | cst.Attribute):
            out.add(code(current))
            if isinstance(current, cst.Attribute):
                todo.append(current.value)
            continue
        todo.extend(current.children)
    return out


def conditional_ttl(cmd: Command) -> bool:
    """The write is in a branch that decides on the expiry (``if ttl is None: r.set(k, v)``)."""
    if not cmd.guards:
        return False
    guarded: set[str] = set()
    for guard in cmd.guards:
        guarded |= _names(guard.test)
    expiry_names: set[str] = set()
    for other in cmd.scope.commands:
        for node in ttl_arguments(other):
            expiry_names |= _names(node)
    for name in guarded:
        if name in expiry_names:
            return True
        if TTL_WORDS.intersection(words(name.rsplit(".", 1)[-1])):
            return True
    return False


def _shape_words(shape: KeyShape) -> list[str]:
    found = words(shape.literal_text())
    for part in shape.parts:
        if isinstance(part, Hole):
            found += words(part.text.split("#")[0])
    return found


def _scope_words(scope: Scope) -> list[str]:
    found: list[str] = []
    current: Scope | None = scope
    while current is not None and current.kind != "module":
        found += words(current.name)
        if current.class_qualname:
            found += words(current.class_qualname)
        current = current.parent
    return found


def ephemeral_reason(cmd: Command, keys: list[KeyShape]) -> str | None:
    """Why the written key looks short-lived, or None when nothing says so."""
    for shape in keys:
        hit = EPHEMERAL_WORDS.intersection(_shape_words(shape))
        if hit:
            return f"its name says {sorted(hit)[0]}"
    if any(shape.literal_text() for shape in keys):
        # A function or class that names itself a cache writes short-lived data, but only
        # a key it builds says so: a generic store passing the caller's key through
        # (``def set(self, key, value)``) leaves the lifetime to its caller.
        hit = EPHEMERAL_WORDS.intersection(_scope_words(cmd.scope))
        if hit:
            return f"it is written by {sorted(hit)[0]} code"
    for earlier in cmd.scope.earlier(cmd):
        if (
            earlier.name in ("get", "exists", "hget")
            and any(earlier in g.origins for g in cmd.guards)
            and cmd.same_key(earlier) is Relation.SAME
        ):
            return "it is a cache fill after a read of the same key"
    return None
