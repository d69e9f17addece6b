"""Which names and attributes of the tree can stand for a Redis object.

``engine/focus.py`` asks this to find the functions that cannot hold a finding: a
function reaches a Redis object only through a name that is one (or gives one when
called), or through an attribute that is one somewhere in the tree. Answers err towards
"yes", since a wrong "no" would hide a finding.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from redislint.clients import knowledge
from redislint.clients.types import (
    Container,
    Kind,
    RedisType,
    Ref,
    TreeClass,
    TreeFunction,
    TreeInstance,
    Value,
)
from redislint.semantic.index import ModuleFacts


class Index(Protocol):
    """What ``Reach`` asks of the project index (``semantic/project.py``, which owns it)."""

    @property
    def by_path(self) -> Mapping[str, ModuleFacts]: ...

    def function_return(self, module: str, qualname: str) -> Value: ...

    def class_redis_base(self, module: str, cls: str) -> RedisType | None: ...

    def instance_attr(self, module: str, cls: str, attr: str) -> Value: ...

    def module_attr(self, path: str, name: str) -> Value: ...


class Reach:
    """Answers "does this stand for a Redis object?" for one project (memoized).

    Only values that are one directly count: a Redis object, a function returning one, a
    class deriving from a client (calling it makes one), a container of them, a known
    Redis class or factory. An instance that merely carries a client reaches it through
    an attribute, and ``attributes()`` holds every attribute name that can.
    """

    def __init__(self, project: Index) -> None:
        self.project = project
        self._memo: dict[tuple[str, str], bool] = {}
        self._attributes: frozenset[str] | None = None
        self._callables: frozenset[str] | None = None

    def leads(self, value: Value) -> bool:
        """Whether ``value`` is, or directly gives (called), a Redis object."""
        if isinstance(value, RedisType):
            return True
        if isinstance(value, Container):
            return self.leads(value.element)
        if isinstance(value, Ref):
            # calls of anything else outside the tree give no Redis object (resolve.py)
            return value.qualname in knowledge.KNOWN_PREFIXES
        if isinstance(value, TreeFunction):
            key = (value.module, value.qualname)
            if key not in self._memo:
                self._memo[key] = False  # a cycle: no evidence
                returned = self.project.function_return(value.module, value.qualname)
                self._memo[key] = self.leads(returned)
            return self._memo[key]
        if isinstance(value, TreeClass | TreeInstance):
            return self.project.class_redis_base(value.module, value.name) is not None
        return False  # a module, other, unknown, None

    def records_when_called(self, value: Value) -> bool:
        """Whether calling ``value`` is something the analyzer records: constructing a
        known Redis class (or a tree class deriving from a client), or running a script."""
        if isinstance(value, Ref):
            return knowledge.known(value.qualname) is not None
        if isinstance(value, TreeClass):
            return self.project.class_redis_base(value.module, value.name) is not None
        return isinstance(value, RedisType) and value.kind is Kind.SCRIPT

    def callables(self) -> frozenset[str]:
        """Every attribute name whose call the analyzer may record somewhere in the tree
        (``self.script(keys=...)``, ``module.MyRedis(...)``)."""
        if self._callables is None:
            self.attributes()
        assert self._callables is not None
        return self._callables

    def attributes(self) -> frozenset[str]:
        """Every attribute name that stands for a Redis object somewhere in the tree: an
        attribute, property or method of a class, or a module-level name (reached as
        ``module.name``)."""
        if self._attributes is None:
            project = self.project
            found: set[str] = set()
            called: set[str] = set()

            def note(name: str, value: Value) -> None:
                if self.leads(value):
                    found.add(name)
                if self.records_when_called(value):
                    called.add(name)

            for facts in project.by_path.values():
                path = facts.path
                for qualname, cls in facts.classes.items():
                    for attr in cls.attrs:
                        note(attr, project.instance_attr(path, qualname, attr))
                    for method, func in cls.methods.items():
                        note(method, project.function_return(path, func.qualname))
                    if "." in qualname:
                        note(qualname.rsplit(".", 1)[1], TreeClass(path, qualname))
                names = {*facts.bindings, *facts.functions, *facts.imports}
                names.update(q for q in facts.classes if "." not in q)
                for name in names:
                    note(name, project.module_attr(path, name))
            self._attributes = frozenset(found)
            self._callables = frozenset(called)
        return self._attributes
