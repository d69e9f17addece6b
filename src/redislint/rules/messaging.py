"""Messaging rules (RL5xx): Pub/Sub, lists and streams used as queues."""

from __future__ import annotations

from typing import TYPE_CHECKING

from redislint.clients.names import words
from redislint.clients.types import Kind
from redislint.diagnostics import Severity
from redislint.keys.shape import Hole, KeyShape, Relation, called_name, code
from redislint.rules.base import Rule, supports
from redislint.semantic.arguments import literal, text
from redislint.semantic.context import FileContext
from redislint.semantic.loops import exit_kinds, result_refs
from redislint.semantic.model import Command
from redislint.semantic.treefacts import TreeCondition, TreeQuery

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
PAYLOAD_KEYS = frozenset({"args", "kwargs", "func", "function", "callable", "cmd", "url"})
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


# Words that say a list is a queue of work (RL502).
QUEUE_WORDS = frozenset({"queue", "job", "task", "work"})
POPS = frozenset({"rpop", "lpop", "brpop", "blpop"})
BLOCKING_POPS = frozenset({"brpop", "blpop"})


# A name ending in these names the list that the words before it describe (``queue_key``).
_NAMING_SUFFIXES = frozenset({"key", "name"})


def _key_name_words(node: cst.BaseExpression) -> list[str]:
    """Words of the variable and attribute names a list key is built from.

    ``queue_key``/``task_list_name`` name the list (the last word is dropped); a bare
    ``key`` or names of one entity (``job_id``, ``task.key``) say nothing about it.
    """
    found: list[str] = []
    todo: list[cst.CSTNode] = [node]
    while todo:
        current = todo.pop()
        if isinstance(current, cst.Name | cst.Attribute):
            name = current.value if isinstance(current, cst.Name) else current.attr.value
            name_words = words(name)
            if len(name_words) > 1 and name_words[-1] in _NAMING_SUFFIXES:
                name_words = name_words[:-1]
            if name_words and name_words[-1] not in ENTITY_WORDS:
                found.extend(name_words)
        elif isinstance(current, cst.FormattedString):
            todo.extend(
                p.expression for p in current.parts if isinstance(p, cst.FormattedStringExpression)
            )
        elif isinstance(current, cst.BinaryOperation):
            todo.extend((current.left, current.right))
        elif isinstance(current, cst.List | cst.Tuple):
            todo.extend(e.value for e in current.elements)
        elif isinstance(current, cst.Call):
            # ``self._q_for_pri(queue, pri)``: the names the key is built from
            todo.extend(a.value for a in current.args)
    return found


def key_work_word(node: cst.BaseExpression, shape: KeyShape) -> str | None:
    """The word that says a list key holds work: in its literal parts or its variable names."""
    literal = _literal_words(shape)
    identifiers = [_singular(w) for w in _key_name_words(node)]
    return next((w for w in literal + identifiers if w in QUEUE_WORDS), None)


def _queue_class(cmd: Command) -> str | None:
    """The class a popped ``self`` key belongs to, when its name says it is a work queue
    (``class FifoQueue``, ``class TaskQueue``; not ``class RedisList``, nor ``class Job``,
    which holds one job)."""
    if not cmd.keys or not code(cmd.keys[0].node).startswith("self."):
        return None
    cls = cmd.scope.enclosing_class
    name = cls.rsplit(".", 1)[-1] if cls is not None else ""
    return name if "queue" in (_singular(w) for w in words(name)) else None


class ListAsQueue(Rule):
    """
    ## What it does
    Flags lists consumed as work queues: `brpop()`/`blpop()` inside a consumer loop
    (a loop that does not stop at the first item it gets), and
    `rpop`/`lpop`/`brpop`/`blpop` on a key whose text or variable names say it holds
    work (`queue`, `job`, `task`, `work`), or on a key held in `self` by a class whose
    name says it is a queue (`class TaskQueue`: its `pop()` takes work). Reliable moves (`lmove`, `blmove`,
    `rpoplpush`, `brpoplpush`), Streams, and pops used as data-structure operations
    (a list wrapper's pop, a single `blpop` wait on a semaphore) are not flagged.

    ## Why is this bad?
    A pop removes the item from Redis before the worker has done anything with it.
    If the worker crashes, is killed by a deploy, or loses its connection after the pop,
    the item is gone: nothing records that it was taken, nothing retries it.

    ## Example
    ```python
    while True:
        _, job = r.brpop("jobs")
        handle(job)
    ```

    ## Use instead
    ```python
    while True:
        job = r.blmove("jobs", "jobs:processing", timeout=5, src="RIGHT", dest="LEFT")
        if job is None:
            continue
        handle(job)
        r.lrem("jobs:processing", 1, job)
    ```
    The item stays in the processing list until it is done; a janitor re-queues items
    that stay there too long. A Stream with a consumer group (`xreadgroup` + `xack`)
    does the bookkeeping for you. `LMOVE`/`BLMOVE` need Redis 6.2
    (`rpoplpush`/`brpoplpush` before).

    ## Fix safety
    No automatic fix: the processing list needs a cleanup path.

    ## References
    - [Pattern: Reliable queue](https://redis.io/docs/latest/commands/lmove/#pattern-reliable-queue)
    - [BLMOVE](https://redis.io/docs/latest/commands/blmove/)
    - [Streams and consumer groups](https://redis.io/docs/latest/develop/data-types/streams/)
    """

    code = "RL502"
    name = "list-as-queue"
    severity = Severity.WARNING
    summary = "List popped as a work queue (an item is lost if the worker dies after the pop)"
    tags = ("reliability", "messaging")
    precision = "medium"

    def check_command(self, cmd: Command, ctx: FileContext) -> None:
        if cmd.name not in POPS:
            return
        why = None
        for node in (k.node for k in cmd.keys):
            if isinstance(node, cst.ListComp | cst.GeneratorExp | cst.SetComp):
                node = node.elt  # blpop([f"queue:{q}" for q in queues]): each key
            word = key_work_word(node, ctx.shape(node, cmd.scope))
            if word is not None:
                why = f"{_key_display(ctx, cmd, node)} holds {_plural(word)}"
                break
        if why is None and cmd.name in BLOCKING_POPS and self._consumer_loop(cmd, ctx):
            why = "it is popped in a consumer loop"
        if why is None:
            owner = _queue_class(cmd)
            if owner is not None:
                why = f"the list in {code(cmd.keys[0].node)} is the queue of class {owner}"
        if why is None:
            return
        ctx.report(
            self,
            cmd.node,
            f"{cmd.method}() takes work off a list ({why}): if the worker dies after the "
            f"pop, the item is lost; {self._instead(cmd)}",
        )

    def _consumer_loop(self, cmd: Command, ctx: FileContext) -> bool:
        """Inside a loop that keeps popping (not one that stops at the first item), and
        the item is used: a pop whose reply is dropped waits for a signal, it takes no
        work (a lock waiting on its release list)."""
        if not cmd.loops or cmd.usage in ("discarded", "awaited"):
            return False
        loop = cmd.loops[-1]
        if not isinstance(loop, cst.While | cst.For):
            return False
        kinds = exit_kinds(ctx.loop_facts(loop), result_refs(cmd), frozenset({id(cmd.node)}))
        return "value" not in kinds and "always" not in kinds

    def _instead(self, cmd: Command) -> str:
        blocking = cmd.name in BLOCKING_POPS
        if supports(self.settings.target_redis_version, "6.2"):
            move = "blmove(src, processing, timeout)" if blocking else "lmove(src, processing)"
            move += " (Redis 6.2+)"
        else:
            move = (
                "brpoplpush(src, processing, timeout)" if blocking else "rpoplpush(src, processing)"
            )
        return (
            f"move it to a processing list with {move} and lrem() it when done, or use a "
            "Stream with xreadgroup() + xack()"
        )


def _key_display(ctx: FileContext, cmd: Command, node: cst.BaseExpression) -> str:
    parts = ctx.shape(node, cmd.scope).parts
    if len(parts) == 1 and isinstance(parts[0], Hole):
        return f"the list in {parts[0].text.split('#')[0]}"
    return repr(ctx.shape(node, cmd.scope).display())


def _plural(word: str) -> str:
    return {"queue": "a queue", "work": "work"}.get(word, f"{word}s")


ACK_COMMANDS = frozenset({"xack", "xackdel"})


class StreamWithoutAck(Rule):
    """
    ## What it does
    Flags `xreadgroup()` on a stream that no module of the linted tree ever
    acknowledges: there is no `xack()` on that stream key (or, when the stream key is
    computed at run time and cannot be compared, no `xack()` at all). Reads with
    `noack=True` are an explicit choice and are not flagged.

    ## Why is this bad?
    Every entry `XREADGROUP` delivers goes into the group's pending entries list (PEL)
    and stays there until it is acknowledged. Without `XACK` the PEL grows with every
    message ever processed (memory, slower `XPENDING`/`XCLAIM`), and you lose the point
    of a consumer group: you can no longer tell processed entries from ones whose
    consumer crashed, so nothing is retried reliably.

    ## Example
    ```python
    for _, entries in r.xreadgroup("mailers", consumer, {"emails": ">"}, block=5000):
        for entry_id, fields in entries:
            send(fields)
    ```

    ## Use instead
    ```python
    for _, entries in r.xreadgroup("mailers", consumer, {"emails": ">"}, block=5000):
        for entry_id, fields in entries:
            send(fields)
            r.xack("emails", "mailers", entry_id)
    ```
    Entries left pending by a crashed consumer can be taken over with `xautoclaim()`
    (Redis 6.2+). If losing messages is acceptable, say so with `noack=True`.

    ## Fix safety
    No automatic fix: acknowledge after the work is done, not before.

    ## References
    - [XREADGROUP](https://redis.io/docs/latest/commands/xreadgroup/), [XACK](https://redis.io/docs/latest/commands/xack/)
    - [Consumer groups: the pending entries list](https://redis.io/docs/latest/develop/data-types/streams/#consumer-groups)
    - [XAUTOCLAIM](https://redis.io/docs/latest/commands/xautoclaim/)
    """

    code = "RL503"
    name = "stream-without-ack"
    severity = Severity.ERROR
    summary = "XREADGROUP on a stream that is never XACKed (pending entries grow forever)"
    tags = ("reliability", "messaging", "memory")
    precision = "high"
    tree_commands = ACK_COMMANDS

    def check_command(self, cmd: Command, ctx: FileContext) -> None:
        if cmd.name != "xreadgroup" or cmd.args.unpacked:
            return
        noack = cmd.args.get("noack")
        if noack is not None and literal(noack) not in (False, None):
            return  # noack=True (or a flag decided at run time): an explicit choice
        if cmd.method == "execute_command" and any(
            (text(a) or "").upper() == "NOACK" for a in cmd.args.varargs
        ):
            return
        streams = self._streams(cmd, ctx)
        key = streams[0] if len(streams) == 1 else None
        shown, where = "its streams", "at all"
        if key is not None:
            parts = key.parts
            if len(parts) == 1 and isinstance(parts[0], Hole):
                shown = f"the stream in {parts[0].text.split('#')[0]}"
            else:
                shown = f"stream {key.display()!r}"
            where = "on it"
        recover = (
            "xautoclaim()" if supports(self.settings.target_redis_version, "6.2") else "xclaim()"
        )
        ctx.report(
            self,
            cmd.node,
            f"xreadgroup() reads {shown} but no linted code calls xack() {where}: every "
            "delivered entry stays in the group's pending list forever, so entries of "
            f"crashed consumers cannot be found and retried ({recover}); call "
            "xack(stream, group, id) after processing each entry (or pass noack=True if "
            "losing messages is acceptable)",
            when=TreeCondition(TreeQuery(ACK_COMMANDS, key), expected=False),
        )

    def _streams(self, cmd: Command, ctx: FileContext) -> list[KeyShape]:
        """The shapes of the stream keys read (the keys of the ``streams`` dict)."""
        streams = cmd.args.get("streams")
        if streams is None:
            return [k.shape for k in cmd.keys]
        if isinstance(streams, cst.Name):
            bound = cmd.bindings.get(streams.value)
            if isinstance(bound, cst.Dict):
                streams = bound
        if isinstance(streams, cst.Dict):
            if any(not isinstance(e, cst.DictElement) for e in streams.elements):
                return []
            return [
                ctx.shape(e.key, cmd.scope)
                for e in streams.elements
                if isinstance(e, cst.DictElement)
            ]
        return []


# Non-blocking reads a polling loop may spin on, and how to make each one wait.
POLLS = {
    "rpop": "brpop(key, timeout=...)",
    "lpop": "blpop(key, timeout=...)",
    "xread": "block=<milliseconds>",
    "xreadgroup": "block=<milliseconds>",
    "get_message": "timeout=<seconds> (or iterate pubsub.listen())",
}


def _non_blocking(cmd: Command) -> bool:
    if cmd.args.unpacked:
        return False
    if cmd.method in ("rpop", "lpop"):
        return True
    if cmd.method in ("xread", "xreadgroup"):
        block = cmd.args.get("block")
        return block is None or literal(block) is None
    if cmd.method == "get_message" and cmd.receiver.kind is Kind.PUBSUB:
        timeout = cmd.args.get("timeout")
        if timeout is None:
            return True
        value = literal(timeout)
        return isinstance(value, int | float) and not isinstance(value, bool) and value == 0
    return False


def _waits(cmd: Command) -> bool:
    """A command that itself waits for data (a blocking pop, a read with block=...)."""
    if cmd.info is not None and cmd.info.is_blocking and cmd.method not in POLLS:
        return True
    if cmd.method in ("xread", "xreadgroup", "get_message"):
        return not _non_blocking(cmd)
    return cmd.method in ("listen", "next_command")


class BusyPoll(Rule):
    """
    ## What it does
    Flags a non-blocking read in a `while` loop that never waits: `rpop()`/`lpop()`,
    `xread()`/`xreadgroup()` without `block=`, `pubsub.get_message()` without a
    timeout, in a loop with no sleep (`time.sleep`, `await asyncio.sleep(n)` with n > 0,
    `event.wait(t)`...) and no blocking command, that keeps looping when the read
    returns nothing. Draining loops that `break`/`return` when the read comes back
    empty are not flagged.

    ## Why is this bad?
    When there is nothing to read, each iteration returns at once and the loop starts
    the next one: the worker burns a CPU core and sends Redis thousands of useless
    commands per second (per worker), which shows up as load and latency for every
    other client. `sleep(0)` only yields to other tasks; the loop still spins.

    ## Example
    ```python
    while True:
        job = r.rpop("jobs")
        if job:
            handle(job)
    ```

    ## Use instead
    ```python
    while True:
        item = r.brpop("jobs", timeout=5)  # waits on the server, no CPU burned
        if item:
            handle(item[1])
    ```
    For streams pass `block=<milliseconds>` to `xread()`/`xreadgroup()`; for Pub/Sub
    call `get_message(timeout=...)` or iterate `pubsub.listen()`.

    ## Fix safety
    No automatic fix: a blocking call changes how the loop notices shutdown.

    ## References
    - [BRPOP](https://redis.io/docs/latest/commands/brpop/), [BLMOVE](https://redis.io/docs/latest/commands/blmove/)
    - [XREAD BLOCK](https://redis.io/docs/latest/commands/xread/)
    - [redis-py Pub/Sub: get_message(timeout)](https://redis-py.readthedocs.io/en/stable/advanced_features.html#publish-subscribe)
    """

    code = "RL504"
    name = "busy-poll"
    severity = Severity.WARNING
    summary = "Non-blocking read polled in a loop that never waits (CPU and command storm)"
    tags = ("performance", "messaging")
    precision = "high"

    def check_command(self, cmd: Command, ctx: FileContext) -> None:
        if cmd.method not in POLLS or not _non_blocking(cmd):
            return
        loop = next((node for node in reversed(cmd.loops) if isinstance(node, cst.While)), None)
        if loop is None:
            return
        facts = ctx.loop_facts(loop)
        if facts.waits or self._blocking_in(loop, cmd):
            return
        calls = {id(cmd.node)}
        for call in facts.test_calls:
            other = ctx.command_for(call)
            if other is not None and other.keys and cmd.same_key(other) is not Relation.DIFFERENT:
                calls.add(id(call))  # while r.llen(key): ...
        kinds = exit_kinds(facts, result_refs(cmd), frozenset(calls))
        if kinds & {"empty", "unknown", "always"}:
            return  # a draining loop, or one that does not repeat
        ctx.report(
            self,
            cmd.node,
            f"{cmd.method}() polls in a while loop that never waits: when there is nothing "
            "to read the loop spins, burning CPU and flooding Redis with commands; "
            f"{self._instead(cmd)}",
        )

    def _blocking_in(self, loop: cst.CSTNode, cmd: Command) -> bool:
        return any(loop in other.loops and _waits(other) for other in cmd.scope.commands)

    def _instead(self, cmd: Command) -> str:
        if cmd.method in ("rpop", "lpop"):
            blocking = POLLS[cmd.method]
            if supports(self.settings.target_redis_version, "6.2"):
                blocking += " or blmove() (Redis 6.2+)"
            return f"use the blocking {blocking}, or sleep when it returns nothing"
        if cmd.method == "get_message":
            return f"pass {POLLS[cmd.method]}, or sleep when it returns nothing"
        return f"pass {POLLS[cmd.method]} so the server waits for new entries"


class ClusterBroadcastPublish(Rule):
    """
    ## What it does
    Flags `publish()` on a Redis Cluster client (`RedisCluster`, the asyncio one, or any
    client when `cluster = true` is configured), suggesting sharded Pub/Sub
    (`spublish()`/`ssubscribe()`, Redis 7.0+). Not reported when
    `target-redis-version` is older than 7.0, where there is no alternative.

    ## Why is this bad?
    In a cluster, a classic `PUBLISH` is forwarded to every node over the cluster bus,
    whatever node the subscribers are on: Pub/Sub traffic grows with the number of
    nodes and does not scale out with shards. Sharded Pub/Sub assigns each channel to a
    slot like a key; a message only travels within the shard that owns the channel.

    ## Example
    ```python
    rc = RedisCluster(host="redis-cluster")
    rc.publish("orders:updates", payload)
    ```

    ## Use instead
    ```python
    rc.spublish("orders:updates", payload)

    p = rc.pubsub()
    p.ssubscribe("orders:updates")
    ```

    ## Fix safety
    No automatic fix: subscribers must switch to `ssubscribe()` at the same time.

    ## References
    - [Sharded Pub/Sub](https://redis.io/docs/latest/develop/interact/pubsub/#sharded-pubsub)
    - [SPUBLISH](https://redis.io/docs/latest/commands/spublish/) (Redis 7.0+)
    """

    code = "RL505"
    name = "cluster-broadcast-publish"
    severity = Severity.INFO
    summary = "PUBLISH on Redis Cluster is broadcast to every node; use sharded SPUBLISH"
    tags = ("cluster", "messaging", "performance")
    precision = "high"

    def check_command(self, cmd: Command, ctx: FileContext) -> None:
        if cmd.name != "publish":
            return
        if not (cmd.receiver.is_cluster is True or self.settings.cluster):
            return
        if not supports(self.settings.target_redis_version, "7.0"):
            return
        ctx.report(
            self,
            cmd.node,
            "publish() on Redis Cluster is forwarded to every node of the cluster; use "
            "spublish() with ssubscribe() on the subscriber side (sharded Pub/Sub, Redis "
            "7.0+), which keeps a channel's messages within the shard that owns it",
        )
