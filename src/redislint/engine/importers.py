"""Which files import a module of the tree that exports Redis clients, read from their
text without parsing: the prefilter's second stage (files with no Redis token of their own
that still use a client through ``from app.db import cache``)."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from redislint.semantic.index import ModuleFacts, absolute_import
from redislint.semantic.modules import is_package_init, module_name
from redislint.semantic.project import Project

_IMPORT_LINES = re.compile(
    r"^[ \t]*(?:from[ \t]+([\w.]+)[ \t]+import[ \t]+(\([^)]*\)|[^\n]*)|import[ \t]+([^\n]+))",
    re.MULTILINE,
)
_IDENTIFIER = re.compile(r"[A-Za-z_]\w*")


@dataclass(frozen=True)
class ClientModules:
    """Files of the tree exporting clients, and the last components of their module names
    (a word every import of one of them contains: the cheap test before resolving)."""

    files: frozenset[str]
    words: frozenset[str]

    @classmethod
    def of(cls, facts: Mapping[str, ModuleFacts], project: Project) -> ClientModules:
        """The files among ``facts`` whose module-level names include a Redis object."""
        files = frozenset(k for k in facts if project.exports_clients(k))
        words = frozenset(facts[k].module.rsplit(".", 1)[-1] for k in files)
        return cls(files, words)

    @functools.cached_property
    def _any_word(self) -> re.Pattern[str]:
        # one pass over a file's text, whatever the number of words
        words = sorted(self.words, key=lambda w: (-len(w), w))
        return re.compile("|".join(map(re.escape, words)) or r"(?!)")

    def imported_by(self, path: Path, key: str, text: str, project: Project) -> bool:
        """Whether an import statement of ``text`` (the file ``path``) names one of
        ``files``, resolved as the index resolves imports: in a monorepo, an import of
        one project's ``utils`` does not match another project's ``utils``."""
        if self._any_word.search(text) is None:
            return False
        package: str | None = None
        for match in _IMPORT_LINES.finditer(text):
            if not self.words.intersection(_IDENTIFIER.findall(match.group(0))):
                continue
            origin, names, plain = match.groups()
            if plain is not None:
                targets = [p.split()[0] for p in plain.split("#")[0].split(",") if p.strip()]
            else:
                if package is None:
                    name, _root = module_name(path)
                    package = name if is_package_init(path) else name.rpartition(".")[0]
                level = len(origin) - len(origin.lstrip("."))
                base = absolute_import(package, origin.lstrip(".") or None, level)
                imported = [n for n in _IDENTIFIER.findall(_uncommented(names)) if n != "as"]
                targets = [f"{base}.{n}" if base else n for n in imported] or [base]
            for target in targets:
                module = project.module_of(target, key) if target else None
                if module is not None and module.path in self.files:
                    return True
        return False


def _uncommented(names: str) -> str:
    return "\n".join(line.split("#")[0] for line in names.splitlines())
