"""libcst, imported on first use.

Importing libcst costs about 0.15 s, as much as ruff's whole run on a mid-sized project.
The rule registry (for configuration checks, ``--list-rules``) and runs over trees that
never mention Redis must not pay for it, so modules that only use libcst inside
functions import it through here::

    if TYPE_CHECKING:
        import libcst as cst
    else:
        from redislint._lazy import cst
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType


def lazy_module(name: str) -> ModuleType:
    """The module ``name``, loaded when one of its attributes is first used."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:  # pragma: no cover - libcst is a dependency
        raise ImportError(name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module


cst = lazy_module("libcst")
