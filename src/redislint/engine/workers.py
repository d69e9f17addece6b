"""Worker processes: parallel indexing and linting, isolated from crashes and hangs.

Each file is handed to a worker process. A worker that dies (a native crash of the parser
on absurd input, an out-of-memory kill) or that exceeds the per-file time limit is replaced,
and the file it was working on becomes an RL000 finding; the run goes on. Results come
back in task order, so output does not depend on the number of workers.
"""

from __future__ import annotations

import ast
import contextlib
import faulthandler
import gc
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.reduction import ForkingPickler
from typing import Any

from redislint.engine.results import FileResult, engine_finding
from redislint.semantic.index import ModuleFacts
from redislint.settings import Settings

# Deeply nested code recurses deeply in the parser and the analyzer; a worker has its own
# stack, so it can afford a higher limit than the default 1000.
_RECURSION_LIMIT = 20_000
_PR_SET_PDEATHSIG = 1  # prctl(2)
_MAX_WAIT = 3600.0  # poll(2) cannot wait for a huge file-timeout in one call
_QUEUED = 64_000  # the largest text given to a busy worker (the pipe holds ~200 KB)
_TREE_CHARS = 3_000_000  # the texts whose ast trees a worker keeps (trees take ~17x)


@dataclass(frozen=True)
class IndexTask:
    """Read module-level facts of one file."""

    path: str  # the file, for module naming
    key: str  # the absolute path used as the module's identity
    text: str


@dataclass(frozen=True)
class LintTask:
    """Lint one file."""

    key: str
    shown: str
    text: str
    is_test: bool


@dataclass(frozen=True)
class Setup:
    """What every worker needs to lint: the rules and the project index."""

    settings: Settings
    codes: frozenset[str]
    # each file sees only its own module-level facts (to measure what the project-wide
    # index adds; see docs/precision.md)
    isolated: bool = False
    # leave the functions that cannot hold a finding out of libcst's parse (engine/focus.py)
    focus: bool = True
    keyspace: bool = False  # also record every command on a key template (RuleSet.keyspace)


Task = IndexTask | LintTask
Outcome = ModuleFacts | FileResult | None


class _State:
    """A worker's long-lived state: the enabled rules and, once sent, the project."""

    def __init__(self, setup: Setup) -> None:
        from redislint.engine.results import RuleSet
        from redislint.semantic.project import Project

        self.setup = setup
        self.rules = RuleSet(setup.codes, setup.settings, setup.keyspace)
        self.project = Project([], setup.settings.client_name_patterns)
        self.facts: dict[str, ModuleFacts] = {}
        # The ``ast`` trees of the files this process indexed, until it lints them: the
        # lint pass needs them again (engine/focus.py) and parsing twice costs a tenth of
        # a run. Bounded by the size of their texts.
        self.trees: dict[str, ast.Module] = {}
        self._tree_chars = 0

    def use_facts(self, facts: Sequence[ModuleFacts]) -> None:
        from redislint.semantic.project import Project

        self.project = Project(facts, self.setup.settings.client_name_patterns)
        self.facts = {f.path: f for f in facts}

    def add_facts(self, facts: Sequence[ModuleFacts]) -> None:
        for module in facts:
            self.project.add(module)
            self.facts[module.path] = module

    def run(self, task: Task) -> Outcome:
        if isinstance(task, IndexTask):
            from pathlib import Path

            from redislint.semantic.index import index_tree

            facts, tree = index_tree(task.text, Path(task.path), task.key)
            if tree is not None and self._tree_chars + len(task.text) <= _TREE_CHARS:
                self.trees[task.key] = tree
                self._tree_chars += len(task.text)
                gc.freeze()  # kept for a while: the cyclic collector need not walk it
            return facts
        from redislint.engine.lint import lint_module_text
        from redislint.semantic.project import Project

        project = self.project
        if self.setup.isolated:
            own = self.facts.get(task.key)
            project = Project([own] if own else [], self.setup.settings.client_name_patterns)
        tree = self.trees.pop(task.key, None)
        return lint_module_text(
            task.text,
            task.key,
            task.shown,
            project,
            self.rules,
            task.is_test,
            self.setup.focus,
            tree,
        )


def _die_with_parent(parent: int) -> None:
    """Have the kernel kill this worker when the parent dies (Linux), so a run killed by
    CI's time-out leaves no worker busy on a pathological file."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            import ctypes

            ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # it died before the request took effect
        os._exit(0)


def _reply(conn: multiprocessing.connection.Connection, outcome: Any) -> bool:
    """Send a result; False when the parent is gone."""
    try:
        conn.send(outcome)
    except (BrokenPipeError, EOFError, OSError):
        return False
    except Exception as exc:  # a result that cannot be pickled is a bug: report it
        return _reply(conn, ("error", f"internal error: cannot return the result: {exc}"))
    return True


def _serve(conn: multiprocessing.connection.Connection, setup: Setup, parent: int) -> None:
    """A worker's loop: receive tasks (or new project facts), send results."""
    _die_with_parent(parent)
    # What the worker holds now (inherited from the parent) and the project index it gets
    # next live as long as the worker: frozen, the cyclic collector stops walking them again
    # and again, which made a run grow faster than the tree. Parsing allocates many
    # short-lived nodes, so collections also come less often (as in mypy).
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    faulthandler.disable()  # a native crash is reported as RL000, not as a stack dump
    sys.setrecursionlimit(_RECURSION_LIMIT)
    state = _State(setup)
    while True:
        try:
            message = _recv(conn)
        except (EOFError, OSError):
            return
        if message is None:
            return
        kind, payload = message
        if kind in ("facts", "more facts"):  # no reply: tasks wait behind it in the pipe
            if kind == "facts":
                # Indexing needs only the standard parser; the linting machinery (libcst
                # above all) is imported now, while the parent looks for importers.
                import redislint.engine.lint  # noqa: F401

                state.use_facts(payload)
            else:
                state.add_facts(payload)
            gc.freeze()  # the project index: see above
            continue
        try:
            outcome: Any = state.run(payload)
        except RecursionError:
            outcome = ("error", "code nested too deeply to analyse")
        except MemoryError:
            outcome = ("error", "out of memory while analysing the file")
        except Exception as exc:  # a bug in redislint: report it on the file, keep going
            outcome = (
                "error",
                f"internal error while analysing the file: {type(exc).__name__}: {exc}",
            )
        else:
            outcome = ("ok", outcome)
        if not _reply(conn, outcome):
            return


class _Worker:
    def __init__(self, context: Any, setup: Setup, facts: Sequence[ModuleFacts] | None) -> None:
        parent, child = context.Pipe()
        self.conn: multiprocessing.connection.Connection = parent
        self.process = context.Process(target=_serve, args=(child, setup, os.getpid()), daemon=True)
        self.process.start()
        child.close()
        # the tasks given and not answered yet, in order: the first is running since
        # ``started``, the next (if any) waits in the pipe
        self.tasks: deque[int] = deque()
        self.started = 0.0
        if facts is not None:
            self.send_facts(_pickled_facts("facts", facts))

    def send_facts(self, pickled: bytes) -> None:
        """Hand the worker the project index (``_pickled_facts``); it reads it before
        its next task."""
        with contextlib.suppress(OSError):  # a dead worker is noticed at its next task
            self.conn.send_bytes(pickled)

    def give(self, index: int, task: Task) -> None:
        if not self.tasks:
            self.started = time.monotonic()
        self.tasks.append(index)
        self.conn.send(("task", task))

    def answered(self) -> None:
        """The running task's result arrived: the next one (if given) runs from now."""
        self.tasks.popleft()
        self.started = time.monotonic()

    def stop(self, kill: bool = False) -> None:
        if kill:
            self.process.kill()
        else:
            with contextlib.suppress(OSError):
                self.conn.send(None)
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(timeout=5)
        self.conn.close()

    def death(self) -> str:
        self.process.join(timeout=5)
        code = self.process.exitcode
        if code is not None and code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            return f"the analysis crashed ({name}); the file was not checked"
        return (
            f"the analysis process exited unexpectedly (exit code {code}); the file was not checked"
        )


class _Queues:
    """The tasks still to give, largest first (no worker is left with a long one at the
    end), each file's lint preferably to the worker that indexed it (it kept the tree)."""

    def __init__(
        self, tasks: Sequence[Task], indexed_by: dict[str, _Worker], workers: list[_Worker]
    ) -> None:
        self.tasks = tasks
        self.queues: dict[int, list[int]] = {}  # id(worker) (0: any worker) -> tasks
        for i in sorted(range(len(tasks)), key=lambda i: len(tasks[i].text)):
            home = indexed_by.get(tasks[i].key) if isinstance(tasks[i], LintTask) else None
            owner = id(home) if home is not None and home in workers else 0
            self.queues.setdefault(owner, []).append(i)
        self.left = len(tasks)

    def __bool__(self) -> bool:
        return self.left > 0

    def put_back(self, indexes: Sequence[int]) -> None:
        """Tasks given to a worker that was stopped before it started them."""
        self.queues.setdefault(0, []).extend(indexes)
        self.left += len(indexes)

    def take(self, worker: _Worker) -> int:
        self.left -= 1
        return self._queue_for(worker).pop()

    def peek(self, worker: _Worker) -> int:
        """The task ``take(worker)`` would give."""
        return self._queue_for(worker)[-1]

    def _queue_for(self, worker: _Worker) -> list[int]:
        queue = self.queues.get(id(worker))
        if not queue:  # its own are done: the largest left anywhere
            queue = max(
                (q for q in self.queues.values() if q), key=lambda q: len(self.tasks[q[-1]].text)
            )
        return queue


def _recv(conn: multiprocessing.connection.Connection) -> Any:
    """``conn.recv()`` without the cyclic collector: unpickling the project index builds
    objects by the hundred thousand, and collections during it made it ten times slower."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return conn.recv()
    finally:
        if enabled:
            gc.enable()


def _pickled_facts(kind: str, facts: Sequence[ModuleFacts]) -> bytes:
    """The message that gives a worker the project index, or adds to it (what
    ``conn.send`` would send)."""
    return bytes(ForkingPickler.dumps((kind, list(facts))))


def default_jobs() -> int:
    """The CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


class InlinePool:
    """The ``Pool`` interface without processes: tasks run in this process, one by one.

    For hosts that must not fork (a language server with threads); a crash of the parser
    is not isolated here, an exception still becomes an RL000 finding on the file.
    """

    def __init__(self, setup: Setup) -> None:
        self.state = _State(setup)

    def close(self, kill: bool = False) -> None:
        pass

    def warm(self, count: int) -> None:
        pass

    def use_facts(self, facts: Sequence[ModuleFacts]) -> None:
        self.state.use_facts(facts)

    def run(
        self,
        tasks: Sequence[Task],
        describe: Callable[[int], str],
        progress: Callable[[], None] | None = None,
    ) -> list[Outcome]:
        results: list[Outcome] = []
        for i, task in enumerate(tasks):
            try:
                results.append(self.state.run(task))
            except RecursionError:
                results.append(Pool._failure(task, describe(i), "code nested too deeply"))
            except Exception as exc:  # a bug in redislint: report it on the file
                message = f"internal error while analysing the file: {type(exc).__name__}: {exc}"
                results.append(Pool._failure(task, describe(i), message))
            if progress is not None:
                progress()
        return results


class Pool:
    """A few worker processes that index and lint files, one file per worker at a time."""

    def __init__(self, setup: Setup, jobs: int, timeout: float) -> None:
        self.setup = setup
        self.jobs = max(1, jobs)
        self.timeout = timeout
        self.context = _context()
        self.workers: list[_Worker] = []
        self.facts: list[ModuleFacts] | None = None
        self._indexed_by: dict[str, _Worker] = {}  # file -> the worker holding its tree

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self, kill: bool = False) -> None:
        for worker in self.workers:
            worker.stop(kill=kill)
        self.workers = []

    def warm(self, count: int) -> None:
        """Start workers for ``count`` tasks (up to ``jobs``) before the tasks are known,
        so that their start-up overlaps the work still to do in this process."""
        while len(self.workers) < min(self.jobs, count):
            self.workers.append(self._spawn())

    def use_facts(self, facts: Sequence[ModuleFacts]) -> None:
        """Give every worker (current and future) the project index. The runner sends
        the index of the candidate files as soon as it has it (workers read it while
        this process looks for importers), then the whole index: only what is new then
        goes out."""
        before = self.facts or []
        self.facts = list(facts)
        grown = len(self.facts) >= len(before) and all(
            a is b for a, b in zip(before, self.facts, strict=False)
        )
        if grown and before:
            if len(self.facts) == len(before):
                return
            # once for all workers, which read it together
            pickled = _pickled_facts("more facts", self.facts[len(before) :])
        else:
            pickled = _pickled_facts("facts", self.facts)
        for worker in self.workers:
            worker.send_facts(pickled)

    def _spawn(self) -> _Worker:
        return _Worker(self.context, self.setup, self.facts)

    def run(
        self,
        tasks: Sequence[Task],
        describe: Callable[[int], str],
        progress: Callable[[], None] | None = None,
    ) -> list[Outcome]:
        """Run every task; a crash or time-out becomes an RL000 result for that file.

        ``describe(i)`` is the path to put an RL000 finding on for task ``i``.
        """
        results: dict[int, Outcome] = {}
        while len(self.workers) < min(self.jobs, len(tasks)):
            self.workers.append(self._spawn())
        pending = _Queues(tasks, self._indexed_by, self.workers)

        def top_up(worker: _Worker) -> None:
            # A second task waits in the pipe, so that the worker does not wait for this
            # process between two files; only a small one, which the pipe holds without
            # blocking this process while the worker is busy.
            while pending and (
                not worker.tasks
                or (len(worker.tasks) < 2 and len(tasks[pending.peek(worker)].text) < _QUEUED)
            ):
                index = pending.take(worker)
                worker.give(index, tasks[index])

        for worker in self.workers:
            top_up(worker)
        while any(w.tasks for w in self.workers):
            busy = {w.conn: w for w in self.workers if w.tasks}
            now = time.monotonic()
            deadline = min(w.started for w in busy.values()) + self.timeout
            wait = min(max(0.0, deadline - now), _MAX_WAIT)
            ready = multiprocessing.connection.wait(list(busy), timeout=wait)
            for conn in ready:
                worker = busy.pop(conn)  # type: ignore[call-overload]
                finished = worker.tasks[0]
                outcome, alive = self._receive(worker, tasks[finished], describe(finished))
                results[finished] = outcome
                if alive:
                    worker.answered()
                    if isinstance(tasks[finished], IndexTask):
                        self._indexed_by[tasks[finished].key] = worker
                else:  # it died: the task after the fatal one goes to another worker
                    pending.put_back(list(worker.tasks)[1:])
                    worker = self._replace(worker)
                top_up(worker)
                if progress is not None:
                    progress()
            now = time.monotonic()
            for slow in busy.values():
                if now - slow.started >= self.timeout:
                    late = slow.tasks[0]
                    message = (
                        f"the analysis took longer than {self.timeout:g} s and was stopped; "
                        "the file was not checked (see file-timeout)"
                    )
                    results[late] = self._failure(tasks[late], describe(late), message)
                    pending.put_back(list(slow.tasks)[1:])
                    top_up(self._replace(slow, kill=True))
                    if progress is not None:
                        progress()
        return [results.get(i) for i in range(len(tasks))]

    def _receive(self, worker: _Worker, task: Task, shown: str) -> tuple[Outcome, bool]:
        """The result of the worker's running task (an RL000 for it when the worker died),
        and whether the worker is alive."""
        try:
            status, value = _recv(worker.conn)
        except (EOFError, OSError):
            return self._failure(task, shown, worker.death()), False
        if status == "ok":
            outcome: Outcome = value
            return outcome, True
        return self._failure(task, shown, str(value)), True

    def _replace(self, worker: _Worker, kill: bool = False) -> _Worker:
        worker.stop(kill=kill)
        self.workers.remove(worker)
        fresh = self._spawn()
        self.workers.append(fresh)
        return fresh

    @staticmethod
    def _failure(task: Task, shown: str, message: str) -> Outcome:
        if isinstance(task, IndexTask):
            return None  # the lint pass will meet the same problem and report it
        return FileResult([engine_finding(shown, "RL000", message)])
