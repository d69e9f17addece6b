"""redislint: a linter that finds Redis misuse in Python code."""

__version__ = "0.1.0"
