"""What the code says: the floor the rules read.

One traversal of a file (``analyzer``) records scopes, commands and constructions
(``model``); the project index (``index``, ``project``) holds what every module of the tree
defines, exports and calls; the other modules answer the rules' questions about those
records (key reach, dataflow, loops, lifetimes, scripts, arguments, edits). Nothing here runs
a lint: this package imports nothing from ``redislint.rules``, ``redislint.engine`` or
``redislint.config``.
"""
