"""Output formats. Each format is one module with a ``render(result, context)`` function."""

from __future__ import annotations

from redislint.report.base import FORMATS, ReportContext, get_reporter

__all__ = ["FORMATS", "ReportContext", "get_reporter"]
