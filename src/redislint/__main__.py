"""``python -m redislint``."""

import sys
from pathlib import Path

# `python -m` puts the current directory first on sys.path: a linted project's `json.py`
# or `click/` would shadow the modules redislint imports next, and run. Linted code is
# never imported, so drop that entry (as -P / PYTHONSAFEPATH would).
if not getattr(sys.flags, "safe_path", False) and sys.path and sys.path[0] in ("", str(Path.cwd())):
    del sys.path[0]

from redislint.cli import main

if __name__ == "__main__":
    main()
