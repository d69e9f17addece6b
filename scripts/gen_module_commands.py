#!/usr/bin/env python3
"""Generate the table of RedisJSON commands that redis-py's ``client.json()`` sends.

Usage: python scripts/gen_module_commands.py

A plain ``redis-server`` does not know module commands, so ``scripts/gen_command_table.py``
cannot read them off ``COMMAND``. This script reads redis-py's own source (the installed
``redis`` package, parsed with ``ast``, never imported) and writes
``src/redislint/data/module_commands.json``:

* ``methods``: each public method of ``JSONCommands`` (``r.json().get(...)``), the command
  its body sends (``self.execute_command("JSON.GET", ...)``), its parameters and which of
  them hold keys (``name``, ``keys``);
* ``commands``: those commands, with the flags of the RedisJSON command reference
  (https://redis.io/docs/latest/commands/?group=json): ``READONLY`` below is the list of
  commands the reference marks read-only; the others write.

tests/test_module_commands.py checks that the table matches the installed redis-py.
"""

from __future__ import annotations

import ast
import json
from importlib.metadata import version
from pathlib import Path
from typing import Any

from gen_api_returns import redis_package
from gen_command_table import commands_sent

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "redislint" / "data" / "module_commands.json"
SOURCE = "commands/json/commands.py"
CLASS = "JSONCommands"
READONLY = frozenset(
    {
        "json.get",
        "json.mget",
        "json.type",
        "json.strlen",
        "json.arrlen",
        "json.arrindex",
        "json.objkeys",
        "json.objlen",
        "json.resp",
        "json.debug",
    }
)
KEY_PARAMS = ("name", "key", "keys")


def _sent(func: ast.FunctionDef) -> str | None:
    """The command a method body sends with ``self.execute_command("JSON.X", ...)``."""
    found = commands_sent(func)
    return found[0].lower() if found else None


def _params(func: ast.FunctionDef) -> list[list[str]]:
    args = func.args
    out = [[a.arg, "positional_only"] for a in args.posonlyargs]
    out += [[a.arg, "positional_or_keyword"] for a in args.args]
    out = out[1:]  # self
    if args.vararg is not None:
        out.append([args.vararg.arg, "var_positional"])
    out += [[a.arg, "keyword_only"] for a in args.kwonlyargs]
    if args.kwarg is not None:
        out.append([args.kwarg.arg, "var_keyword"])
    return out


def table(package: Path) -> dict[str, Any]:
    tree = ast.parse((package / SOURCE).read_text(encoding="utf-8"))
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == CLASS)
    methods: dict[str, dict[str, Any]] = {}
    for func in cls.body:  # overload stubs come first; the implementation, last, wins
        if not isinstance(func, ast.FunctionDef) or func.name.startswith("_"):
            continue
        command = _sent(func)
        if command is None:
            continue
        params = _params(func)
        keys = [p for p, _ in params if p in KEY_PARAMS]
        methods[func.name] = {"command": command, "params": params, "key_params": keys}
    for stmt in cls.body:  # ``forget = delete``
        if (
            isinstance(stmt, ast.Assign)
            and isinstance(stmt.value, ast.Name)
            and stmt.value.id in methods
        ):
            for target in stmt.targets:
                if isinstance(target, ast.Name):
                    methods[target.id] = methods[stmt.value.id]
    commands = {
        m["command"]: {
            "flags": ["readonly"] if m["command"] in READONLY else ["write"],
            "group": "json",
            "first_key": 1,
            "last_key": -2 if m["command"] == "json.mget" else 1,
            "step": 1,
            "reference": f"https://redis.io/docs/latest/commands/{m['command']}/",
        }
        for m in methods.values()
    }
    return {
        "json": {
            "commands": dict(sorted(commands.items())),
            "methods": dict(sorted(methods.items())),
        }
    }


def main() -> None:
    data = {"redis_py_version": version("redis"), **table(redis_package())}
    OUT.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
