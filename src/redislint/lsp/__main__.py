"""``python -m redislint.lsp``: the language server."""

from redislint.lsp import main

main()
