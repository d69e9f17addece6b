"""``redislint-lsp``: a language server over standard input and output.

Installed with the ``lsp`` extra (``pip install 'redislint[lsp]'``), which brings pygls.
Editors start it as a command; see docs/editors.md.
"""

from __future__ import annotations

import sys


def main() -> None:
    """Run the server on standard input and output until the client says ``exit``."""
    try:
        from redislint.lsp.server import create
    except ImportError as exc:
        print(
            f"redislint-lsp needs pygls ({exc}); install it with: pip install 'redislint[lsp]'",
            file=sys.stderr,
        )
        sys.exit(2)
    if any(arg in ("-h", "--help") for arg in sys.argv[1:]):
        print("usage: redislint-lsp\n\nA language server on standard input and output.")
        return
    if any(arg == "--version" for arg in sys.argv[1:]):
        from redislint import __version__

        print(f"redislint-lsp {__version__}")
        return
    server = create()
    server.start_io()
    # pygls ends its loop on ``exit``; the exit code says whether ``shutdown`` came first
    sys.exit(0 if server.protocol._shutdown else 1)
