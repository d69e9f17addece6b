"""RL404 set-for-unique-count: A set used only to count distinct members (a HyperLogLog uses 12 KB)."""

from __future__ import annotations

from redislint.clients.types import Kind
from redislint.commands import all_methods, method_info
from redislint.diagnostics import Severity
from redislint.keys.shape import KeyShape, Relation, compare
from redislint.rules.base import Rule
from redislint.rules.shared import key_text
from redislint.semantic.arguments import literal
from redislint.semantic.context import FileContext
from redislint.semantic.lifetime import EXPIRE_COMMANDS
from redislint.semantic.model import Command, TxMode
from redislint.semantic.treefacts import TreeCondition, TreeQuery

# Commands that keep a set's members useful without reading them back.
_COUNT_ONLY = frozenset(
    {"sadd", "scard", "persist", "ttl", "pttl", "del", "unlink", "exists", "type", "touch"}
    | EXPIRE_COMMANDS
    | {"expiretime", "pexpiretime"}
)
_SCRIPTS = frozenset({"eval", "evalsha", "eval_ro", "evalsha_ro", "fcall", "fcall_ro"})


def _opaque_script(cmd: Command) -> bool:
    """A script call whose keys are not known statically."""
    if cmd.receiver.kind is Kind.SCRIPT:
        return cmd.args.get("keys") is not None or cmd.args.unpacked or bool(cmd.args.positional)
    if cmd.name in _SCRIPTS and not cmd.keys:
        numkeys = literal(cmd.args.get("numkeys"))
        return not (isinstance(numkeys, int) and numkeys == 0)
    return False


def _member_readers() -> frozenset[str]:
    """Commands that read a set's members back (everything of the set group but SADD/SCARD)."""
    names = set()
    for method in all_methods():
        info = method_info(method)
        if info is not None and info.command.group == "set":
            names.add(info.command.name)
    names |= {"sort", "sort_ro", "dump", "copy", "rename", "renamenx", "move", "migrate"}
    return frozenset(names - {"sadd", "scard"})


SET_MEMBER_READERS = _member_readers()


class SetForUniqueCount(Rule):
    """
    ## What it does
    Flags `sadd(K, ...)` when the module only ever counts the set: it calls `scard(K)`
    but never reads members back (`smembers`, `sismember`, `sscan`, `srem`, `spop`,
    set algebra...), no `sadd` result is used (a "was it new?" check), and no other
    module of the linted tree reads members of `K`. Off by default.

    ## Why is this bad?
    A set stores every member: counting the unique visitors of a busy page for a day
    can take tens of megabytes per key. A HyperLogLog answers "how many distinct?" in
    at most 12 KB per key, whatever the count, with a standard error of 0.81%.

    ## Example
    ```python
    r.sadd(f"visitors:{day}", user_id)
    total = r.scard(f"visitors:{day}")
    ```

    ## Use instead
    ```python
    r.pfadd(f"visitors:{day}", user_id)
    total = r.pfcount(f"visitors:{day}")
    ```

    ## Fix safety
    No automatic fix: the count becomes an estimate (about 0.81% standard error), and
    existing keys hold sets, not HyperLogLogs.

    ## References
    - [HyperLogLog](https://redis.io/docs/latest/develop/data-types/probabilistic/hyperloglogs/)
    - [PFADD](https://redis.io/docs/latest/commands/pfadd/), [PFCOUNT](https://redis.io/docs/latest/commands/pfcount/)
    """

    code = "RL404"
    name = "set-for-unique-count"
    severity = Severity.INFO
    summary = "A set used only to count distinct members (a HyperLogLog uses 12 KB)"
    default_enabled = False
    tags = ("memory", "data-structures")
    precision = "medium"
    tree_commands = SET_MEMBER_READERS

    def check_file(self, ctx: FileContext) -> None:
        commands = ctx.commands
        adds = [c for c in commands if c.name == "sadd" and c.keys]
        if not adds:
            return
        if any(_opaque_script(c) for c in commands):
            return  # a script whose keys are unknown may read any set
        done: list[KeyShape] = []
        for add in adds:
            shape = add.keys[0].shape
            if any(compare(shape, d) is Relation.SAME for d in done):
                continue
            done.append(shape)
            group = [a for a in adds if compare(a.keys[0].shape, shape) is Relation.SAME]
            counter = self._only_counted(shape, group, commands)
            if counter is None:
                continue
            when = TreeCondition(TreeQuery(SET_MEMBER_READERS, shape, exact=True), expected=False)
            for each in group:
                ctx.report(
                    self,
                    each.node,
                    f"the set {key_text(each)} is only counted with {counter.method}(), its "
                    "members are never read back: a HyperLogLog counts distinct members in "
                    "at most 12 KB with ~0.81% error; use pfadd()/pfcount()",
                    when=when,
                )

    def _only_counted(
        self, shape: KeyShape, group: list[Command], commands: list[Command]
    ) -> Command | None:
        if any(a.usage not in ("discarded", "awaited") and a.tx is TxMode.IMMEDIATE for a in group):
            return None  # the result of sadd() says whether the member is new: a dedup set
        counter = None
        for cmd in commands:
            if cmd.name in ("sadd",) or cmd.info is None:
                continue
            relations = [compare(shape, k.shape) for k in cmd.keys]
            if cmd.name == "scard" and Relation.SAME in relations:
                counter = counter or cmd
                continue
            if cmd.name in _COUNT_ONLY:
                continue
            if any(r is not Relation.DIFFERENT for r in relations):
                return None
        return counter
