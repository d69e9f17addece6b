"""How far a key's identity reaches, and the other commands on the same key.

A key with literal text (``f"lock:{job}"``) names the same key wherever that template is
written; a key held in ``self.name`` names the same key in the methods of its class; a
bare parameter (``key``) says nothing about the key outside its function. Rules that
pair commands across functions (RL203's acquire and release, RL207's release) ask here
which commands may be paired, so that ``cache.add(key)`` and ``cache.delete(key)`` in
two methods are never taken for one key.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Literal

from redislint.keys.shape import Relation, compare
from redislint.semantic.context import FileContext
from redislint.semantic.model import Command, Scope
from redislint.semantic.treefacts import portable

Reach = Literal["tree", "class", "scope"]

# A name that is not an attribute: ``self`` and ``name`` in ``self.key_for(name)``.
_ROOT = re.compile(r"(?<![\w.])[A-Za-z_][A-Za-z0-9_]*")


def is_local(name: str, scope: Scope) -> bool:
    """A parameter or local of the function, or of an enclosing function (a closure)."""
    current: Scope | None = scope
    while current is not None and current.kind in ("function", "lambda"):
        if name in current.versions or name in current.names:
            return True
        current = current.parent
    return False


def key_reach(cmd: Command, by_name: bool = False) -> Reach:
    """How far the identity of ``cmd``'s first key reaches.

    ``"tree"``: it has literal text or is built from module-level names, so the same
    template elsewhere in the code is the same key. ``"class"``: it is built from
    ``self`` attributes only, the same key in the class's methods. ``"scope"``: it is
    built from a local name or parameter. With ``by_name`` (the caller knows the name
    is telling, e.g. ``lock_name`` in a function ``release_lock``), a local name is
    matched across the tree by its name.
    """
    key = cmd.key
    assert key is not None
    if key.shape.literal_text().strip():
        return "tree"
    roots = {n for h in key.shape.holes() for n in _ROOT.findall(h.text.split("#")[0])}
    if {n for n in roots if is_local(n, cmd.scope)} - {"self"}:
        return "tree" if by_name else "scope"
    if "self" in roots:
        return "class" if cmd.scope.enclosing_class is not None else "scope"
    return "tree"


def same_key(a: Command, b: Command, reach: Reach) -> bool:
    """Whether two commands certainly act on the same first key, as far as ``reach`` goes.

    In one function names compare by which binding is visible (a reassigned ``job`` is
    another key); across functions keys compare as templates.
    """
    if reach == "scope" or a.scope is b.scope:
        return a.same_key(b) is Relation.SAME
    if not a.keys or not b.keys:
        return False
    return compare(portable(a.keys[0].shape), portable(b.keys[0].shape)) is Relation.SAME


def partner(
    cmd: Command, ctx: FileContext, wanted: Callable[[Command], bool], by_name: bool = False
) -> Command | None:
    """A ``wanted`` command on the same key in ``cmd``'s function (for ``self`` keys: in
    its class, in this file), in any branch."""
    reach = key_reach(cmd, by_name)
    cls = cmd.scope.enclosing_class
    candidates: Iterable[Command] = (
        ctx.class_commands(cls) if reach == "class" and cls is not None else cmd.scope.commands
    )
    for other in candidates:
        if other is not cmd and wanted(other) and same_key(cmd, other, reach):
            return other
    return None
