"""Messaging rules (RL5xx): Pub/Sub, lists and streams used as queues."""

from __future__ import annotations

from typing import TYPE_CHECKING

from redislint.clients.names import words
from redislint.diagnostics import Severity
from redislint.engine.arguments import text
from redislint.engine.context import FileContext
from redislint.engine.model import Command
from redislint.keys.shape import Hole, KeyShape
from redislint.rules.base import Rule

if TYPE_CHECKING:
    import libcst as cst
else:
    from redislint._lazy import cst

# Words that say a channel or key carries work to be done.
WORK_WORDS = frozenset(
    {"queue", "job", "task", "work", "worker", "command", "order", "email", "process"}
)
# Words of fan-out notifications, for which Pub/Sub's at-most-once delivery is fine.
NOTIFICATION_WORDS = frozenset(
    {
        "event",
        "events",
        "notification",
        "notifications",
        "notify",
        "invalidate",
        "invalidation",
        "invalidations",
        "update",
        "updates",
        "updated",
        "chat",
        "status",
        "progress",
        "log",
        "logs",
        "alert",
        "alerts",
        "broadcast",
        "presence",
        "heartbeat",
        "heartbeats",
        "change",
        "changes",
        "changed",
        "done",
        "completed",
        "finished",
        "cancel",
        "cancelled",
        "canceled",
        "cancellation",
        "signal",
        "signals",
        "metrics",
        "stats",
        "typing",
        "ping",
    }
)
# Last words of names that identify one entity (``job_id``, ``task.key``): a channel built
# from them addresses that entity, it is not a queue of work.
ENTITY_WORDS = frozenset(
    {"id", "ids", "uuid", "guid", "key", "pk", "hash", "slug", "ref", "num", "number", "name"}
)
PAYLOAD_KEYS = frozenset({"args", "kwargs", "func", "function", "callable"})
PUBLISH = frozenset({"publish", "spublish"})
SUBSCRIBE = frozenset({"subscribe", "psubscribe", "ssubscribe"})


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


def _identifier_words(node: cst.BaseExpression) -> list[str]:
    """Words of the variable and attribute names a channel expression is built from."""
    found: list[str] = []
    todo: list[cst.CSTNode] = [node]
    while todo:
        current = todo.pop()
        if isinstance(current, cst.Name):
            name_words = words(current.value)
        elif isinstance(current, cst.Attribute):
            name_words = words(current.attr.value)
        elif isinstance(current, cst.FormattedString):
            todo.extend(
                p.expression for p in current.parts if isinstance(p, cst.FormattedStringExpression)
            )
            continue
        elif isinstance(current, cst.BinaryOperation):
            todo.extend((current.left, current.right))
            continue
        elif isinstance(current, cst.Call):
            todo.extend(a.value for a in current.args)
            if isinstance(current.func, cst.Attribute):
                todo.append(current.func.value)
            continue
        else:
            continue
        if name_words and not is_entity_identifier(name_words):
            found.extend(name_words)
    return found


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


def channel_work_word(node: cst.BaseExpression, shape: KeyShape) -> str | None:
    """The word that makes a channel a work queue, or None for other channels."""
    literal = _literal_words(shape)
    identifiers = [_singular(w) for w in _identifier_words(node)]
    all_words = literal + identifiers
    if any(w in NOTIFICATION_WORDS for w in all_words):
        return None
    return next((w for w in all_words if w in WORK_WORDS), None)


def _payload_word(node: cst.BaseExpression | None) -> str | None:
    """A job-like key of a dict payload (``{"task": ..., "args": ...}``), also inside json.dumps()."""
    if isinstance(node, cst.Call) and node.args:
        func = node.func
        name = func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", "")
        if name in ("dumps", "packb", "encode"):
            return _payload_word(node.args[0].value)
        return None
    if not isinstance(node, cst.Dict):
        return None
    keys = [text(e.key) for e in node.elements if isinstance(e, cst.DictElement)]
    for key in keys:
        if key is None:
            continue
        key_words = [_singular(w) for w in words(key)]
        if key.lower() in PAYLOAD_KEYS or any(w in WORK_WORDS for w in key_words):
            return key
    return None


class PubsubAsQueue(Rule):
    """
    ## What it does
    Flags `publish()` and `subscribe()`/`psubscribe()` on channels whose name says
    they carry work (`queue`, `job`, `task`, `work`, `worker`, `command`, `order`,
    `email`, `process`, in literal text or in the names of the variables the channel is
    built from) and `publish()` calls whose message is a job payload
    (`{"task": ..., "args": ...}`). Notification-style channels (`events`,
    `notifications`, `invalidate`, `updates`, `chat`, `status`, `progress` ...) and
    channels addressing one entity (`f"job:{job_id}"`) are not flagged.

    ## Why is this bad?
    Pub/Sub is fire-and-forget: a message is delivered to the subscribers connected at
    that moment and then forgotten. A worker that is restarting, deploying, or briefly
    disconnected never sees the jobs published meanwhile; with no subscriber at all,
    `publish()` returns 0 and the job is gone. There is no acknowledgement, retry or
    backlog.

    ## Example
    ```python
    r.publish("email_queue", json.dumps({"to": user.email}))

    pubsub = r.pubsub()
    pubsub.subscribe("email_queue")
    ```

    ## Use instead
    ```python
    r.xadd("emails", {"to": user.email}, maxlen=100_000, approximate=True)

    for _, entries in r.xreadgroup("mailers", consumer, {"emails": ">"}, block=5000):
        for entry_id, fields in entries:
            send(fields)
            r.xack("emails", "mailers", entry_id)
    ```
    A Stream keeps messages until a consumer group acknowledges them.

    ## Fix safety
    No automatic fix: moving to Streams changes the consumer side too.

    ## References
    - [Pub/Sub delivery semantics](https://redis.io/docs/latest/develop/interact/pubsub/#delivery-semantics)
    - [Streams](https://redis.io/docs/latest/develop/data-types/streams/)
    """

    code = "RL501"
    name = "pubsub-as-queue"
    severity = Severity.WARNING
    summary = "Pub/Sub used as a work queue (messages are lost while no worker listens)"
    tags = ("reliability", "messaging")
    precision = "medium"

    def check_command(self, cmd: Command, ctx: FileContext) -> None:
        if cmd.method in PUBLISH:
            channel = cmd.args.get("channel") or cmd.args.get("shard_channel")
            if channel is None and cmd.args.positional:
                channel = cmd.args.positional[0]
            channels = [channel] if channel is not None else []
        elif cmd.method in SUBSCRIBE:
            channels = list(cmd.args.positional)
        else:
            return
        for node in channels:
            shape = ctx.shape(node, cmd.scope)
            word = channel_work_word(node, shape)
            if word is not None:
                ctx.report(
                    self, cmd.node, _message(cmd, f"channel {shape.display()!r} carries {word}s")
                )
                return
        if cmd.method in PUBLISH:
            message = cmd.args.get("message")
            if message is None and len(cmd.args.positional) > 1:
                message = cmd.args.positional[1]
            word = _payload_word(message)
            if word is not None:
                ctx.report(
                    self, cmd.node, _message(cmd, f"the message is a job payload ({word!r})")
                )
        elif cmd.args.extra_keywords:
            for name in cmd.args.extra_keywords:
                if any(_singular(w) in WORK_WORDS for w in words(name)):
                    ctx.report(self, cmd.node, _message(cmd, f"channel {name!r} carries work"))
                    return


def _message(cmd: Command, why: str) -> str:
    return (
        f"{cmd.method}(): {why}, but Pub/Sub delivers at most once and drops messages while "
        "no subscriber is connected; use a Stream: xadd + xreadgroup + xack"
    )
