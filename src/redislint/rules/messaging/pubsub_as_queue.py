"""RL501 pubsub-as-queue: Pub/Sub used as a work queue (messages are lost while no worker listens)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from redislint.clients.names import words
from redislint.diagnostics import Severity
from redislint.keys.shape import Hole, KeyShape, called_name, code
from redislint.rules.base import Rule
from redislint.rules.messaging.common import (
    WORK_WORDS,
    _literal_words,
    _plural,
    _singular,
    is_entity_identifier,
)
from redislint.semantic.arguments import text
from redislint.semantic.context import FileContext
from redislint.semantic.model import Command

if TYPE_CHECKING:
    import libcst as cst
else:
    from redislint._lazy import cst


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


PAYLOAD_KEYS = frozenset({"args", "kwargs", "func", "function", "callable", "cmd", "url"})
PUBLISH = frozenset({"publish", "spublish"})
SUBSCRIBE = frozenset({"subscribe", "psubscribe", "ssubscribe"})


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
        elif isinstance(current, cst.List | cst.Tuple | cst.Set):
            todo.extend(e.value for e in current.elements)
            continue
        elif isinstance(current, cst.ListComp | cst.SetComp | cst.GeneratorExp):
            # ``[t for q in self.queues for t in topics(q)]``: what is iterated names them
            todo.append(current.elt)
            level: cst.CompFor | None = current.for_in
            while level is not None:
                todo.append(level.iter)
                level = level.inner_for_in
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
        if called_name(node) in ("dumps", "packb", "encode"):
            return _payload_word(node.args[0].value)
        return None
    if not isinstance(node, cst.Dict):
        return None
    keys = [text(e.key) for e in node.elements if isinstance(e, cst.DictElement)]
    if any(k is not None and NOTIFICATION_WORDS.intersection(words(k)) for k in keys):
        return None  # ``{"event": "login", "url": ...}``: a notification about something
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
    built from, constants imported from other modules included) and `publish()` calls
    whose message is a job, whatever the channel is called: a job payload
    (`{"task": ..., "args": ...}`, `{"func": ..., "url": ...}`, also through a variable or
    `json.dumps()`), or the id of a job record the function has just written
    (`r.hset(f"job:{job_id}", ...)` then `r.publish("default", job_id)`).
    Notification-style channels and payloads (`events`,
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
            built = _channels_built(node, cmd, ctx)
            word = channel_work_word(built, shape)
            if word is not None:
                what = (
                    f"channel {shape.display()!r} carries {_plural(word)}"
                    if built is node
                    else f"the channels in {code(node)!r} carry {_plural(word)}"
                )
                ctx.report(self, cmd.node, _message(cmd, what))
                return
        if cmd.method in PUBLISH:
            message = cmd.args.get("message")
            if message is None and len(cmd.args.positional) > 1:
                message = cmd.args.positional[1]
            sent = message
            if isinstance(message, cst.Name):  # ``msg = json.dumps({...})``
                message = ctx.binding(cmd, message.value) or message
            word = _payload_word(message)
            if word is not None:
                ctx.report(
                    self, cmd.node, _message(cmd, f"the message is a job payload ({word!r})")
                )
                return
            record = _record_published(cmd, sent, ctx)
            if record is not None:
                ctx.report(self, cmd.node, _message(cmd, record))
        elif cmd.args.extra_keywords:
            for name in cmd.args.extra_keywords:
                if any(_singular(w) in WORK_WORDS for w in words(name)):
                    ctx.report(self, cmd.node, _message(cmd, f"channel {name!r} carries work"))
                    return


def _channels_built(node: cst.BaseExpression, cmd: Command, ctx: FileContext) -> cst.BaseExpression:
    """The expression a list of channels was built by (``keys = [t for q in self.queues for
    t in topics(q)]``), whose names say what the channels carry; else the channel itself."""
    if isinstance(node, cst.Name):
        bound = ctx.binding(cmd, node.value)
        if isinstance(
            bound, cst.ListComp | cst.SetComp | cst.GeneratorExp | cst.List | cst.Tuple | cst.Set
        ):
            return bound
    return node


_RECORD_WRITES = frozenset({"set", "hset", "hmset", "rpush", "lpush", "sadd", "zadd", "xadd"})


def _record_published(
    cmd: Command, message: cst.BaseExpression | None, ctx: FileContext
) -> str | None:
    """``r.hset(f"job:{job_id}", ...)`` then ``r.publish(channel, job_id)``: the message is
    the id of a job record the function has just written, whatever the channel is called."""
    if isinstance(message, cst.Call) and isinstance(message.func, cst.Name) and message.args:
        message = message.args[0].value  # str(job_id)
    if not isinstance(message, cst.Name | cst.Attribute):
        return None
    sent = code(message)
    for write in cmd.scope.earlier(cmd):
        if write.name not in _RECORD_WRITES or write.key is None:
            continue
        shape = write.key.shape
        if not any(isinstance(p, Hole) and p.text.split("#")[0] == sent for p in shape.parts):
            continue
        found = next(
            (w for w in (_singular(w) for w in words(shape.literal_text())) if w in WORK_WORDS),
            None,
        )
        if found is not None:
            return (
                f"the message is the id of the {found} record {shape.display()!r} written on "
                f"line {ctx.line_of(write.node)}"
            )
    return None


def _message(cmd: Command, why: str) -> str:
    return (
        f"{cmd.method}(): {why}, but Pub/Sub delivers at most once and drops messages while "
        "no subscriber is connected; use a Stream: xadd + xreadgroup + xack"
    )
