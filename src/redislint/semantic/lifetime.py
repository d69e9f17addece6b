"""What the code says about how long a key should live.

RL101 (set-without-ttl) must not fire on data the code keeps on purpose: task records,
schemas, registries. So it asks two questions here: does the code show that this write is
deliberately without an expiry (it branches on the TTL value itself), and is there evidence
that the key holds short-lived data (a cache, a session, a lock, a rate-limit window named
as such; a cache fill after a read of the same key)? Writing the same key with a TTL in
another branch is not such evidence: it shows the author chose when a TTL applies.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from redislint.clients.names import words
from redislint.keys.shape import Hole, KeyShape, Relation, called_name, code
from redislint.semantic.arguments import set_options
from redislint.semantic.model import Command, Scope

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
# Words of keys that hold the short-lived state of one job (spec RL101 (a)).
_JOB_STATE_WORDS = frozenset({"progress", "pending", "processing", "result", "results"})
_JOB_WORDS = frozenset({"job", "jobs", "task", "tasks", "run", "execution"})
# What a per-event identifier is an identifier of (spec RL101 (b)): one key per request,
# job, task... Per-entity ids (a user, an account, a product) are not among them.
EVENT_WORDS = frozenset(
    {
        "request",
        "req",
        "job",
        "task",
        "execution",
        "exec",
        "message",
        "msg",
        "event",
        "upload",
        "download",
        "submission",
        "trace",
        "correlation",
    }
)
_ID_WORDS = frozenset({"id", "ids", "uuid", "guid", "uid"})
_UUID_CALL = re.compile(r"\buuid[1-8]?\s*\(|\buuid\.uuid[1-8]\s*\(")
_TIME_CALL = re.compile(
    r"\btime(?:_ns)?\s*\(|\b(?:now|utcnow|timestamp|monotonic(?:_ns)?|perf_counter)\s*\("
)
_COUNTERS = frozenset({"incr", "incrby", "hincrby"})
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


def ttl_in_other_arm(cmd: Command) -> bool:
    """The other arm of an ``if`` around the write gives the same key a TTL (``if
    is_result: r.set(k, v, ex=60) else: r.set(k, v)``): the author chose when one applies."""
    return any(
        gives_ttl(other) and cmd.in_other_arm(other) and other.same_key(cmd) is Relation.SAME
        for other in cmd.scope.commands
    )


def _shape_words(shape: KeyShape) -> list[str]:
    found = words(shape.literal_text())
    for helper in shape.via:
        found += words(helper)
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
        found = _shape_words(shape)
        hit = EPHEMERAL_WORDS.intersection(found) or _JOB_STATE_WORDS.intersection(found)
        if hit:
            return f"its name says {sorted(hit)[0]}"
        if "status" in found and _JOB_WORDS.intersection(found):
            return "it holds the status of a job"
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


def per_event(cmd: Command, shape: KeyShape) -> str | None:
    """What one key of ``shape``'s family is written per, when its variable part is a
    per-event identifier: ``"write"`` for ``uuid4()``, a time or an ``incr`` result, else
    the event (``"job"`` for ``f"job:{job_id}"`` or ``f"job:{id}"``); None for fixed keys
    and per-entity families (``f"user:{user_id}"``)."""
    if not shape.literal_text():
        return None  # a bare variable: the caller's key, whose family is not known here
    before: list[str] = []
    for part in shape.parts:
        if isinstance(part, str):
            before = words(part) or before
            continue
        text = part.text.split("#")[0]
        if _UUID_CALL.search(text) or _TIME_CALL.search(text) or _counted(cmd, text):
            return "write"
        found = words(text)
        if not _ID_WORDS.intersection(found):
            continue
        event = next((w for w in reversed(found) if w in EVENT_WORDS), None)
        if event is None and set(found) <= _ID_WORDS:
            # ``f"job:{id}"``: the literal before the hole says what it identifies
            event = before[-1] if before and before[-1] in EVENT_WORDS else None
        if event is not None:
            return _SINGULAR.get(event, event)
    return None


_SINGULAR = {"req": "request", "msg": "message", "exec": "execution"}


def _counted(cmd: Command, name: str) -> bool:
    """``n = r.incr("next:id")`` ... ``f"job:{n}"``: the name holds a counter's reply."""
    bound = cmd.bindings.get(name)
    while True:
        if isinstance(bound, cst.Await):
            bound = bound.expression
        elif isinstance(bound, cst.Call) and isinstance(bound.func, cst.Attribute):
            return bound.func.attr.value in _COUNTERS
        elif isinstance(bound, cst.Call) and called_name(bound) in ("str", "int") and bound.args:
            bound = bound.args[0].value  # str(r.incr(...))
        else:
            return False
