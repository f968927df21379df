"""Publish a report the way every command does: stdout (or --output), --report-dir, exit code."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .config import Config
from .console import in_actions
from .errors import EXIT_FINDINGS, EXIT_OK, InputError
from .report.model import Report
from .report.render import FILE_NAMES, render


def fail_on(args: argparse.Namespace, config: Config) -> str:
    """``--fail-on`` replaces the config's ``fail-on``."""
    value = getattr(args, "fail_on", None)
    return str(value) if value else config.fail_on


def report_dir(args: argparse.Namespace, config: Config) -> Path | None:
    value = getattr(args, "report_dir", None) or config.report.dir
    return Path(value) if value else None


def write_report_dir(
    report: Report, directory: Path, formats: tuple[str, ...], *, verbose: bool = False
) -> list[Path]:
    """Write report.json / report.md / report.sarif (those in ``formats``) into ``directory``."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create report directory {directory}: {exc.strerror or exc}") from None
    written = []
    for fmt in formats:
        path = directory / FILE_NAMES[fmt]
        path.write_text(render(report, fmt, verbose=verbose), encoding="utf-8")
        written.append(path)
    return written


def emit(report: Report, args: argparse.Namespace, config: Config) -> int:
    """Render the report to stdout or ``--output``, write ``--report-dir``; return the exit code."""
    fmt = getattr(args, "format", None) or "text"
    output = getattr(args, "output", None)
    verbose = bool(getattr(args, "verbose", False))
    # A GitHub Actions log renders colour, and reads any line starting with "::" as a command.
    actions = fmt == "text" and output is None and in_actions()
    color = (
        fmt == "text" and output is None and (sys.stdout.isatty() or actions) and "NO_COLOR" not in os.environ
    )
    text = render(report, fmt, color=color, verbose=verbose, actions=actions)
    if output:
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot write {output}: {exc.strerror or exc}") from None
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    directory = report_dir(args, config)
    if directory is not None:
        write_report_dir(report, directory, config.report.formats, verbose=verbose)
    return EXIT_FINDINGS if report.failed(fail_on(args, config)) else EXIT_OK
