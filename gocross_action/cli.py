"""The ``gocross`` command line: argparse, and the one place exceptions become exit codes.

Each command lives in ``gocross_action/commands/<name>.py`` with ``configure(parser)`` and
``run(args) -> int``; only the module of the command being run is imported (start-up time
matters: ``inspect`` and ``diagnose`` are benchmarked against grep and readelf).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from . import __version__
from .errors import EXIT_INPUT, EXIT_INTERNAL, GocrossError

# name -> (module, one-line help). The order is the order of `gocross --help`.
COMMANDS: dict[str, tuple[str, str]] = {
    "check": ("gocross_action.commands.check", "build the target matrix, verify environment and binaries"),
    "diagnose": ("gocross_action.commands.diagnose", "find the root cause of a failed build in its log"),
    "inspect": (
        "gocross_action.commands.inspect",
        "tell from binaries' bytes what they are and where they run",
    ),
    "probe": (
        "gocross_action.commands.probe",
        "verify the build environment for each target and show the facts gathered",
    ),
    "validate-config": ("gocross_action.commands.validate_config", "validate a gocross config file"),
    "rules": ("gocross_action.commands.rules", "list or test the diagnosis rule base"),
    "audit": (
        "gocross_action.commands.audit",
        "read Dockerfiles, workflows and Go settings and predict cross-compile failures",
    ),
}

# Commands that produce a report take the common report options.
REPORTING = {"check", "diagnose", "inspect", "probe", "audit"}


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors (exit 2) instead of a usage dump."""

    def error(self, message: str) -> NoReturn:
        from .console import message as say

        say(f"{self.prog}: error: {message} (see '{self.prog} --help')")
        raise SystemExit(EXIT_INPUT)


def add_report_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("report options")
    group.add_argument(
        "--format",
        choices=("text", "json", "markdown", "sarif"),
        default=None,
        help="report format on stdout (default: text)",
    )
    group.add_argument("--output", metavar="FILE", help="write the formatted report to FILE, not stdout")
    group.add_argument(
        "--report-dir",
        metavar="DIR",
        help="also write report.json, report.md, report.sarif (and per-target logs) into DIR",
    )
    group.add_argument(
        "--fail-on",
        choices=("error", "warning", "never"),
        default=None,
        help="exit 1 when a finding reaches this severity (default: error, or the config's fail-on)",
    )
    group.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="show every fact gathered (text and Markdown), not only the compact lines",
    )


def add_common_options(parser: argparse.ArgumentParser, *, top: bool = False) -> None:
    """``--config`` and ``--debug``, accepted before and after the command (and its action):
    below the top level they default to SUPPRESS, so a value given earlier is kept."""
    default: object = None if top else argparse.SUPPRESS
    parser.add_argument(
        "--config", metavar="FILE", default=default, help="config file (default: discovered gocross.yml)"
    )
    parser.add_argument(
        "--debug",
        action="store_true",
        default=False if top else argparse.SUPPRESS,
        help="print tracebacks of internal errors",
    )


def _command_name(argv: Sequence[str]) -> str | None:
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg in COMMANDS:
            return arg
        if arg == "--config":
            skip = True
            continue
        if not arg.startswith("-"):
            return None
    return None


def _subparsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    """A command's own sub-commands (``rules list``), which take the common options too."""
    return [
        choice
        for action in parser._actions
        if isinstance(action, argparse._SubParsersAction)
        for choice in action.choices.values()
    ]


def build_parser(command: str | None) -> argparse.ArgumentParser:
    parser = Parser(
        prog="gocross",
        description="Build, verify and diagnose Go cross-compilation.",
    )
    parser.add_argument("--version", action="version", version=f"gocross {__version__}")
    add_common_options(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True, parser_class=Parser)
    for name, (module, help_text) in COMMANDS.items():
        if command is not None and name != command:
            continue  # a command given: only its parser is made (each one costs start-up time)
        cmd = sub.add_parser(name, help=help_text, description=help_text)
        if name != command:
            continue
        importlib.import_module(module).configure(cmd)
        add_common_options(cmd)
        for nested in _subparsers(cmd):
            add_common_options(nested)
        if name in REPORTING:
            add_report_options(cmd)
    return parser


def _crash_log(exc: BaseException) -> str:
    import tempfile  # only on the crash path: start-up time is benchmarked
    import time
    import traceback

    fd, path = tempfile.mkstemp(prefix=f"gocross-crash-{int(time.time())}-", suffix=".log")
    with os.fdopen(fd, "w", encoding="utf-8") as log:
        log.write(f"gocross {__version__}\n")
        log.write("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
    return path


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = _command_name(argv)
    debug = "--debug" in argv
    try:
        args = build_parser(command).parse_args(argv)
        module = importlib.import_module(COMMANDS[args.command][0])
        code: int = module.run(args)
        return code
    except GocrossError as exc:
        from .console import message as say

        # The message may quote the repository (a path, a config value): never a workflow command.
        say(f"gocross: error: {exc}")
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("gocross: interrupted\n")
        return 130
    except BrokenPipeError:
        # stdout closed early (`gocross ... | head`): not an error of ours.
        try:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        except OSError:
            pass
        return 0
    except Exception as exc:
        if debug:
            import traceback

            traceback.print_exc()
        path = _crash_log(exc)
        from .console import message as say

        say(f"gocross: internal error (this is a bug): {type(exc).__name__}: {exc}; traceback in {path}")
        return EXIT_INTERNAL


def exit_with(code: int) -> NoReturn:
    """End the process with ``code``. Everything the run made is frozen first: the interpreter's
    last garbage collection would otherwise walk every object of the run (on a ``check``, tens of
    milliseconds after the report is out) only to free memory the process is giving back anyway.
    Standard output and error are flushed as always; an object only a reference cycle holds is
    not finalized (gocross closes its files with `with`, never by dropping them)."""
    import gc

    gc.freeze()
    raise SystemExit(code)


def console() -> NoReturn:
    """The ``gocross`` command."""
    exit_with(main())


if __name__ == "__main__":
    console()
