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


def render(
    report: Report, fmt: str, *, color: bool = False, verbose: bool = False, actions: bool = False
) -> str:
    """The report as text in ``fmt``. ``color`` and ``actions`` (a GitHub Actions log) apply to
    the text format; ``verbose`` (every fact, not only the compact lines) to text and Markdown."""
    module = importlib.import_module(_MODULES[fmt])
    if fmt == "text":
        out: str = module.render(report, color=color, verbose=verbose, actions=actions)
    elif fmt == "markdown":
        out = module.render(report, verbose=verbose)
    else:
        out = module.render(report)
    return out
