"""Format dispatch: every renderer is a pure function of the one ``Report``."""

from __future__ import annotations

import importlib

from .model import Report

FORMATS = ("text", "json", "markdown", "sarif")
FILE_NAMES = {"json": "report.json", "markdown": "report.md", "sarif": "report.sarif"}

_MODULES = {
    "text": "gocross_action.report.text",
    "json": "gocross_action.report.jsonfmt",
    "markdown": "gocross_action.report.markdown",
    "sarif": "gocross_action.report.sarif",
}


def render(report: Report, fmt: str, *, color: bool = False) -> str:
    """The report as text in ``fmt``; ``color`` only applies to the text format."""
    module = importlib.import_module(_MODULES[fmt])
    if fmt == "text":
        out: str = module.render(report, color=color)
    else:
        out = module.render(report)
    return out
