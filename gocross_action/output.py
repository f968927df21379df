"""Publish a report the way every command does: stdout (or --output), --report-dir, exit code.

``--output`` and ``--report-dir`` are typed by the user: written where they say. The config's
``report.dir`` is repository content: it must lie in the workspace, and its files are written
without following symlinks (``boundary.paths``). Under GitHub Actions the report on stdout is
kept from acting as workflow commands.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .console import in_actions
from .errors import EXIT_FINDINGS, EXIT_OK

if TYPE_CHECKING:
    # Imported where used: a report on stdout needs neither (start-up time is benchmarked).
    from .boundary import paths
    from .config import Config
    from .report.model import Report


def fail_on(args: argparse.Namespace, config: Config) -> str:
    """``--fail-on`` replaces the config's ``fail-on``."""
    value = getattr(args, "fail_on", None)
    return str(value) if value else config.fail_on


@dataclass(frozen=True, kw_only=True)
class ReportDir:
    """Where the report files go, and the roots they may be written under."""

    path: Path
    roots: paths.Roots


def report_dir(
    args: argparse.Namespace, config: Config, *, module_dir: Path | None = None
) -> ReportDir | None:
    """``--report-dir`` (the user's choice), else the config's ``report.dir`` (relative to the
    current directory, inside the workspace), else None."""
    given = getattr(args, "report_dir", None)
    if not given and not config.report.dir:
        return None
    from .boundary import paths

    roots = paths.roots(module_dir or Path.cwd())
    if given:
        # The user's own choice, followed as typed (symlinks included).
        path = Path(os.path.realpath(paths.lexical(Path(given))))
        return ReportDir(path=path, roots=roots.adding(path))
    if config.report.dir:
        path = paths.config_target(
            config.report.dir,
            key="report.dir",
            base=Path.cwd(),
            roots=roots,
            source=str(config.path) if config.path else "config",
        )
        return ReportDir(path=path, roots=roots)
    return None


def write_report_dir(
    report: Report, directory: Path, formats: tuple[str, ...], roots: paths.Roots, *, verbose: bool = False
) -> list[Path]:
    """Write report.json / report.md / report.sarif (those in ``formats``) into ``directory``,
    never through a symlink."""
    from .boundary import paths
    from .report.render import FILE_NAMES, render

    paths.make_dirs(directory, roots)
    return [
        paths.write_text(directory / FILE_NAMES[fmt], render(report, fmt, verbose=verbose), roots)
        for fmt in formats
    ]


def for_actions_log(text: str, fmt: str) -> str:
    """The report as printed to stdout under GitHub Actions: JSON (and SARIF) with ``[`` after
    ``##`` written as ``\\u005b`` (the same JSON, no legacy command form), other formats with
    each line neutralised."""
    if fmt in ("json", "sarif"):
        return text.replace("##[", "##\\u005b")
    from .boundary.text import neutralise

    lines = [neutralise(line) for line in text.split("\n")]
    return "\n".join(lines)


def write_stdout(text: str, fmt: str = "text") -> None:
    """Text for stdout that may quote the repository: under GitHub Actions as ``for_actions_log``."""
    sys.stdout.write(for_actions_log(text, fmt) if in_actions() else text)
    sys.stdout.flush()


def emit(report: Report, args: argparse.Namespace, config: Config, *, module_dir: Path | None = None) -> int:
    """Render the report to stdout or ``--output``, write ``--report-dir``; return the exit code."""
    fmt = getattr(args, "format", None) or "text"
    output = getattr(args, "output", None)
    verbose = bool(getattr(args, "verbose", False))
    # A GitHub Actions log renders colour, and reads any line starting with "::" as a command.
    actions = fmt == "text" and output is None and in_actions()
    color = (
        fmt == "text" and output is None and (sys.stdout.isatty() or actions) and "NO_COLOR" not in os.environ
    )
    from .report.render import render

    text = render(report, fmt, color=color, verbose=verbose, actions=actions)
    if output:
        from .boundary import paths

        paths.trusted_write(Path(output), text)
    else:
        write_stdout(text, fmt)
    directory = report_dir(args, config, module_dir=module_dir)
    if directory is not None:
        write_report_dir(report, directory.path, config.report.formats, directory.roots, verbose=verbose)
    return EXIT_FINDINGS if report.failed(fail_on(args, config)) else EXIT_OK
