"""RL502 list-as-queue: List popped as a work queue (an item is lost if the worker dies after the pop)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from redislint.clients.names import words
from redislint.diagnostics import Severity
from redislint.keys.shape import Hole, KeyShape, code
from redislint.rules.base import Rule, supports
from redislint.rules.messaging.common import ENTITY_WORDS, _literal_words, _plural, _singular
from redislint.semantic.context import FileContext
from redislint.semantic.loops import exit_kinds, result_refs
from redislint.semantic.model import Command

if TYPE_CHECKING:
    import libcst as cst
else:
    from redislint._lazy import cst


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
