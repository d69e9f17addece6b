"""The cache key of a file's results changes exactly when a module it reaches changes."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from redislint.semantic.index import ModuleFacts
from redislint.semantic.project import Project

Graph = dict[int, set[int]]


def modules(graph: Graph, changed: int | None = None) -> list[ModuleFacts]:
    return [
        ModuleFacts(
            path=f"/t/m{n}.py",
            module=f"m{n}",
            is_package=False,
            imports={f"m{d}": f"m{d}" for d in sorted(deps)},
            digest="changed" if n == changed else f"d{n}",
        )
        for n, deps in graph.items()
    ]


def reach(graph: Graph, start: int) -> set[int]:
    seen = {start}
    todo = [start]
    while todo:
        for nxt in graph[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def digests(graph: Graph, changed: int | None = None) -> dict[int, str]:
    project = Project(modules(graph, changed), [])
    return {n: project.dependency_digest(f"/t/m{n}.py") for n in graph}


def test_cycles_chains_and_strangers() -> None:
    # 0 -> 1 <-> 2 -> 3; 4 alone; 5 imports itself
    graph: Graph = {0: {1}, 1: {2}, 2: {1, 3}, 3: set(), 4: set(), 5: {5}}
    before = digests(graph)
    assert len(set(before.values())) == len(before) - 1  # only the cycle 1, 2 shares one
    assert before[1] == before[2]
    after = digests(graph, changed=3)
    assert [n for n in graph if after[n] != before[n]] == [0, 1, 2, 3]
    after = digests(graph, changed=0)
    assert [n for n in graph if after[n] != before[n]] == [0]


def test_a_module_that_appears_changes_its_importers() -> None:
    graph: Graph = {0: {1}, 1: set()}
    with_one = digests(graph)
    without_one = Project(modules(graph)[:1], []).dependency_digest("/t/m0.py")
    assert with_one[0] != without_one


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=1, max_value=9).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=20),
            st.integers(0, n - 1),
        )
    )
)
def test_digest_changes_iff_the_changed_module_is_reached(
    case: tuple[int, list[tuple[int, int]], int],
) -> None:
    size, edges, changed = case
    graph: Graph = {n: set() for n in range(size)}
    for a, b in edges:
        graph[a].add(b)
    before, after = digests(graph), digests(graph, changed)
    for n in graph:
        assert (before[n] != after[n]) == (changed in reach(graph, n)), (n, graph)


def test_facts_are_compared_not_objects() -> None:
    graph: Graph = {0: {1}, 1: set()}
    facts = modules(graph)
    copy = [dataclasses.replace(f) for f in facts]
    one = Project(facts, []).dependency_digest("/t/m0.py")
    assert Project(copy, []).dependency_digest("/t/m0.py") == one
