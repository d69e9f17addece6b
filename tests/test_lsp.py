"""The language server, driven as an editor drives it: a process speaking JSON-RPC on stdio."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pygls")

from redislint.diagnostics import Position
from redislint.lsp.lint import UTF8, UTF16, Positions

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 30.0

ON_DISK = """import redis

r = redis.Redis()
"""
BUFFER = """import redis

r = redis.Redis()


def purge():
    label = "é😀"; found = r.keys("*")
    for k in r.keys("tmp:*"):
        r.delete(k)
    return label, found
"""


class Client:
    """A minimal LSP client over the server's standard input and output."""

    def __init__(self, cwd: Path) -> None:
        env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "redislint.lsp"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=cwd,
            env=env,
        )
        self.messages: queue.Queue[dict[str, Any]] = queue.Queue()
        self.notes: list[dict[str, Any]] = []
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value.strip())
            assert length is not None
            self.messages.put(json.loads(stream.read(length)))

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        assert self.process.stdin is not None
        self.process.stdin.write(f"Content-Length: {len(body)}\r\n\r\n".encode("ascii") + body)
        self.process.stdin.flush()

    def notify(self, method: str, params: Any) -> None:
        self.send({"method": method, "params": params})

    def request(self, method: str, params: Any) -> Any:
        self.next_id += 1
        ident = self.next_id
        self.send({"id": ident, "method": method, "params": params})
        message = self._until(lambda m: m.get("id") == ident and "method" not in m)
        assert "error" not in message, message
        return message.get("result")

    def _until(self, wanted: Any) -> dict[str, Any]:
        deadline = time.monotonic() + TIMEOUT
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no answer in {TIMEOUT} s; got {self.notes}")
            message = self.messages.get(timeout=remaining)
            if wanted(message):
                return message
            if "id" in message and "method" in message:  # a request from the server
                self.send({"id": message["id"], "result": None})
            self.notes.append(message)

    def diagnostics(self, uri: str, version: int | None = None) -> list[dict[str, Any]]:
        """The next diagnostics published for ``uri`` (for ``version`` when given)."""

        def wanted(message: dict[str, Any]) -> bool:
            if message.get("method") != "textDocument/publishDiagnostics":
                return False
            params = message["params"]
            return params["uri"] == uri and (version is None or params.get("version") == version)

        found: list[dict[str, Any]] = self._until(wanted)["params"]["diagnostics"]
        return found

    def close(self) -> int:
        assert self.request("shutdown", None) is None
        self.notify("exit", None)
        return self.process.wait(timeout=TIMEOUT)


def utf_units(text: str, encoding: str) -> int:
    """Characters of ``text`` in an LSP position encoding (the test's own count)."""
    if encoding == "utf-8":
        return len(text.encode("utf-8"))
    return len(text.encode("utf-16-le")) // 2


def apply_edits(text: str, edits: list[dict[str, Any]], encoding: str) -> str:
    """Apply LSP text edits as a client does (positions in ``encoding`` units)."""
    lines = text.splitlines(keepends=True)

    def offset(position: dict[str, int]) -> int:
        before = sum(len(line) for line in lines[: position["line"]])
        line = lines[position["line"]] if position["line"] < len(lines) else ""
        units = 0
        for i, char in enumerate(line):
            if units >= position["character"]:
                return before + i
            units += utf_units(char, encoding)
        return before + len(line)

    spans = sorted(
        ((offset(e["range"]["start"]), offset(e["range"]["end"]), e["newText"]) for e in edits),
        reverse=True,
    )
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text


def start(tmp_path: Path, encoding: str) -> tuple[Client, str]:
    (tmp_path / "redislint.toml").write_text('select = ["RL3"]\n')
    (tmp_path / "app.py").write_text(ON_DISK)
    client = Client(tmp_path)
    result = client.request(
        "initialize",
        {
            "processId": os.getpid(),
            "rootUri": tmp_path.as_uri(),
            "capabilities": {"general": {"positionEncodings": [encoding]}},
            "initializationOptions": {"noCache": True},
        },
    )
    capabilities = result["capabilities"]
    assert capabilities["positionEncoding"] == encoding
    assert capabilities["codeActionProvider"]["codeActionKinds"] == [
        "quickfix",
        "source.fixAll.redislint",
    ]
    client.notify("initialized", {})
    uri = (tmp_path / "app.py").as_uri()
    return client, uri


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8"])
def test_a_session(tmp_path: Path, encoding: str) -> None:
    client, uri = start(tmp_path, encoding)
    client.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": BUFFER}},
    )
    # the unsaved buffer is linted, not the clean file on disk
    diagnostics = client.diagnostics(uri, version=1)
    assert [(d["code"], d["range"]["start"]["line"]) for d in diagnostics] == [
        ("RL301", 6),
        ("RL301", 7),
    ]
    line = BUFFER.splitlines()[6]
    call = line.index("r.keys")
    assert diagnostics[0]["range"] == {
        "start": {"line": 6, "character": utf_units(line[:call], encoding)},
        "end": {"line": 6, "character": utf_units(line[: line.index(")") + 1], encoding)},
    }
    assert diagnostics[0]["source"] == "redislint"
    assert diagnostics[0]["severity"] == 1
    assert diagnostics[0]["codeDescription"]["href"].endswith("/docs/rules/RL301.md")

    loop = diagnostics[1]
    actions = client.request(
        "textDocument/codeAction",
        {
            "textDocument": {"uri": uri},
            "range": loop["range"],
            "context": {"diagnostics": [loop]},
        },
    )
    titles = [a["title"] for a in actions]
    assert titles == ["RL301: Iterate with scan_iter()", "RL301: add '# noqa: RL301' on this line"]
    assert [a["kind"] for a in actions] == ["quickfix", "quickfix"]
    fixed = apply_edits(BUFFER, actions[0]["edit"]["changes"][uri], encoding)
    assert fixed == BUFFER.replace('r.keys("tmp:*")', 'r.scan_iter("tmp:*")')
    noqa = apply_edits(BUFFER, actions[1]["edit"]["changes"][uri], encoding)
    assert '    for k in r.keys("tmp:*"):  # noqa: RL301\n' in noqa
    everything = client.request(
        "textDocument/codeAction",
        {
            "textDocument": {"uri": uri},
            "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
            "context": {"diagnostics": [], "only": ["source.fixAll"]},
        },
    )
    assert [(a["title"], a["kind"]) for a in everything] == [
        ("redislint: fix all auto-fixable problems", "source.fixAll.redislint")
    ]
    assert apply_edits(BUFFER, everything[0]["edit"]["changes"][uri], encoding) == fixed

    client.notify(
        "textDocument/didChange",
        {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": fixed}]},
    )
    after = client.diagnostics(uri, version=2)
    assert [(d["code"], d["range"]["start"]["line"]) for d in after] == [("RL301", 6)]

    # the first RL301 has only an unsafe fix: no quick fix, but "add noqa"
    actions = client.request(
        "textDocument/codeAction",
        {
            "textDocument": {"uri": uri},
            "range": after[0]["range"],
            "context": {"diagnostics": after},
        },
    )
    assert [a["title"] for a in actions] == ["RL301: add '# noqa: RL301' on this line"]

    client.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
    assert [d["code"] for d in client.diagnostics(uri, version=2)] == ["RL301"]

    client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    assert client.diagnostics(uri) == []
    assert client.close() == 0


def test_buffers_see_the_rest_of_the_tree(tmp_path: Path) -> None:
    """A client imported from another module is recognised, and a finding that depends on
    the whole tree (RL503: never acknowledged anywhere) is decided with every module."""
    (tmp_path / "db.py").write_text("import redis\n\nr = redis.Redis()\n")
    (tmp_path / "acker.py").write_text(
        "from db import r\n\n\ndef ack(i):\n    r.xack('jobs', 'g', i)\n"
    )
    (tmp_path / "app.py").write_text("")
    client = Client(tmp_path)
    client.request(
        "initialize",
        {
            "processId": None,
            "rootUri": tmp_path.as_uri(),
            "capabilities": {},
            "initializationOptions": {"noCache": True},
        },
    )
    client.notify("initialized", {})
    uri = (tmp_path / "app.py").as_uri()
    text = (
        "from db import r\n\n\n"
        "def consume():\n"
        "    r.keys('*')\n"
        "    return r.xreadgroup('g', 'c', {'jobs': '>'}), r.xreadgroup('g', 'c', {'other': '>'})\n"
    )
    client.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}},
    )
    deadline = time.monotonic() + TIMEOUT
    found: list[tuple[str, int, int]] = []
    while time.monotonic() < deadline:
        diagnostics = client.diagnostics(uri, version=1)
        found = [
            (d["code"], d["range"]["start"]["line"], d["range"]["start"]["character"])
            for d in diagnostics
        ]
        if ("RL503", 5, 50) in found:
            break
    assert found == [("RL301", 4, 4), ("RL503", 5, 50)]
    assert client.close() == 0


def test_exit_without_shutdown_is_an_error(tmp_path: Path) -> None:
    client, _uri = start(tmp_path, "utf-16")
    client.notify("exit", None)
    assert client.process.wait(timeout=TIMEOUT) == 1


def test_positions_count_utf16_units() -> None:
    text = 'a = "😀é"; b\r\nsecond\n'
    utf16 = Positions(text, UTF16)
    assert utf16.convert(Position(1, 11)) == (0, 11)  # the emoji is two UTF-16 units
    assert utf16.convert(Position(2, 3)) == (1, 2)  # CRLF ends the first line
    assert Positions(text, UTF8).convert(Position(1, 11)) == (0, 14)  # é is two bytes
    assert utf16.whole(text).end == (2, 0)
    assert Positions("x", UTF16).whole("x").end == (0, 1)


def test_the_command_and_the_extra_are_declared() -> None:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["scripts"]["redislint-lsp"] == "redislint.lsp:main"
    assert [d for d in project["optional-dependencies"]["lsp"] if d.startswith("pygls")]
    assert any("lsp" in d for d in project["optional-dependencies"]["dev"])


def test_without_pygls_the_command_says_what_to_install() -> None:
    code = "import sys; sys.modules['pygls'] = None; from redislint.lsp import main; main()"
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(ROOT / "src")),
        timeout=TIMEOUT,
    )
    assert done.returncode == 2
    assert "pip install 'redislint[lsp]'" in done.stderr
