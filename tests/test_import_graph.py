"""The floors of ``src/redislint``, read from every import statement of every module (also
inside functions and under ``TYPE_CHECKING``): no cycle, and no floor importing one above it.

    top        cli, flake8_plugin, lsp/, report/, keyspace/, adopt, baseline, __main__
    engine/    a run: discovery, prefilter, lint, workers, cache, fixes, suppressions
    config     loading and validating the configuration (it names the rules)
    rules/     one file per rule, the registry
    semantic/  what the code says: the analyzer, its records, the project index
    clients/, keys/   recognition, key shapes, slots
    base       diagnostics, settings, commands, credentials, lua, redisconf, _lazy
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"
PACKAGE = SRC / "redislint"

# The floors, bottom up; a module may import its own floor and the ones below.
FLOORS: tuple[tuple[str, ...], ...] = (
    (
        "redislint",
        "redislint._lazy",
        "redislint.commands",
        "redislint.credentials",
        "redislint.data",
        "redislint.diagnostics",
        "redislint.lua",
        "redislint.lua_keys",
        "redislint.redisconf",
    ),
    ("redislint.clients", "redislint.keys", "redislint.settings"),
    ("redislint.semantic",),
    ("redislint.rules",),
    ("redislint.config",),
    ("redislint.engine",),
    (
        "redislint.adopt",
        "redislint.baseline",
        "redislint.keyspace",
        "redislint.report",
        "redislint.lsp",
        "redislint.cli",
        "redislint.flake8_plugin",
        "redislint.__main__",
    ),
)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def floor_of(module: str) -> int:
    best, level = -1, -1
    for number, names in enumerate(FLOORS):
        for name in names:
            if (module == name or module.startswith(name + ".")) and len(name) > best:
                best, level = len(name), number
    assert level >= 0, f"{module} belongs to no floor: add it to FLOORS"
    return level


def _target(name: str) -> str | None:
    """The module of the tree an imported name is (the longest one that exists)."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def imports_of(module: str) -> Iterator[tuple[str, int]]:
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found = _target(alias.name)
                if found is not None:
                    yield found, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                origin = f"{base}.{node.module}" if node.module else base
            else:
                origin = node.module or ""
            for alias in node.names:
                found = _target(f"{origin}.{alias.name}") or _target(origin)
                if found is not None:
                    yield found, node.lineno


GRAPH = {m: sorted({t for t, _ in imports_of(m)} - {m}) for m in MODULES}


def test_the_floors_cover_every_module() -> None:
    for module in MODULES:
        floor_of(module)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_imports_a_floor_above_its_own(module: str) -> None:
    own = floor_of(module)
    above = [
        f"line {line}: {target} (floor {floor_of(target)})"
        for target, line in imports_of(module)
        if floor_of(target) > own
    ]
    assert not above, f"{module} (floor {own}) imports from above: {above}"


def test_the_import_graph_has_no_cycle() -> None:
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(module: str) -> None:
        state[module] = 1
        stack.append(module)
        for target in GRAPH[module]:
            if state.get(target) == 1:
                cycles.append([*stack[stack.index(target) :], target])
            elif target not in state:
                visit(target)
        stack.pop()
        state[module] = 2

    for module in GRAPH:
        if module not in state:
            visit(module)
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_the_semantic_floor_stays_below_the_rules_and_the_run() -> None:
    """Spelled out (the floors above say it too): what rules read never reaches up."""
    for module, targets in GRAPH.items():
        if module.startswith("redislint.semantic"):
            assert not [
                t
                for t in targets
                if t.startswith(("redislint.rules", "redislint.engine", "redislint.config"))
            ], module
        if module.startswith("redislint.rules"):
            assert not [t for t in targets if t.startswith("redislint.engine")], module


def test_the_graph_is_read_from_every_kind_of_import() -> None:
    """A lookalike check: the reader sees imports inside functions and TYPE_CHECKING."""
    assert "redislint.rules" in GRAPH["redislint.config"]  # inside functions
    assert "redislint.semantic.context" in GRAPH["redislint.rules.base"]  # TYPE_CHECKING
