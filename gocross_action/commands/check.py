"""`gocross check`: build the target matrix, verify the environment, inspect and smoke-test the
binaries, diagnose the failures and (with ``--verify-fixes``) prove the fixes by rebuilding.

This module turns the arguments and the config into checked settings; the pipeline is
``gocross_action/matrix/`` (its order of work: ``matrix/schedule.py``).
"""

from __future__ import annotations

import argparse
import os
import shlex
from pathlib import Path
from typing import TYPE_CHECKING

from ..boundary import paths
from ..config import Config
from ..errors import ConfigError, InputError, UsageError

if TYPE_CHECKING:
    from ..matrix.plan import Settings
    from ..report.model import Report


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dir", nargs="?", default=".", metavar="DIR", help="the Go module (default: .)")
    parser.add_argument(
        "--targets", metavar="LIST", help="goos/goarch[/variant] list, comma or space separated"
    )
    parser.add_argument(
        "--deploy",
        action="append",
        metavar="SYSTEM",
        help="where the binaries run (debian:11, alpine:3.20, ...); repeatable",
    )
    from ..deploy import glibc_option

    parser.add_argument(
        "--glibc-max", metavar="X.Y", type=glibc_option, help="newest GLIBC symbol version a binary may need"
    )
    parser.add_argument(
        "--require-static", action="store_true", default=None, help="every ELF binary must be static"
    )
    parser.add_argument("--smoke", metavar="ARGS", help="run each binary with ARGS (natively or under qemu)")
    parser.add_argument(
        "--verify-fixes", action="store_true", default=None, help="rebuild failed targets with their top fix"
    )
    parser.add_argument("--jobs", type=int, metavar="N", help="parallel builds (default: CPU count)")


def run(args: argparse.Namespace) -> int:
    from .. import config as config_module
    from .. import output
    from ..matrix.timings import process_started

    module_dir = Path(getattr(args, "dir", None) or ".")
    config = config_module.load(Path(args.config) if args.config else None, start=module_dir)
    # The report's timings count from the start of this process (interpreter, imports, config).
    return output.emit(build_report(args, config, started=process_started()), args, config)


def build_report(args: argparse.Namespace, config: Config, *, started: float | None = None) -> Report:
    from ..matrix import schedule

    return schedule.run(settings(args, config, started=started), config)


def settings(args: argparse.Namespace, config: Config, *, started: float | None = None) -> Settings:
    """The run's settings: the command line over the config, every problem found before
    anything is built. ``started``: ``time.monotonic()`` at the start of the process."""
    from .. import output
    from ..deploy import resolve
    from ..matrix.plan import Settings, choose_targets

    module_dir = _module_dir(args)
    # Everything the run writes stays in the workspace: a config that says otherwise is refused
    # before anything is built.
    problems = paths.config_write_problems(config, module_dir=module_dir)
    if problems:
        raise ConfigError(str(config.path) if config.path else "config", problems)
    _check_output_dir(args)
    targets = choose_targets(getattr(args, "targets", None), config)
    deploy = tuple(resolve(spec) for spec in (getattr(args, "deploy", None) or config.deploy))
    glibc_max = getattr(args, "glibc_max", None) or config.glibc_max
    require_static = bool(getattr(args, "require_static", None) or config.require_static)
    smoke_args = _smoke_args(args, config)
    verify_fixes = bool(getattr(args, "verify_fixes", None) or config.verify_fixes)
    jobs_wanted = getattr(args, "jobs", None)
    if jobs_wanted is not None and jobs_wanted < 1:
        raise UsageError("--jobs must be at least 1")
    return Settings(
        module_dir=module_dir,
        targets=tuple(targets),
        deploy=deploy,
        glibc_max=glibc_max,
        require_static=require_static,
        smoke_args=smoke_args,
        verify_fixes=verify_fixes,
        workers=jobs_wanted or _cpu_count(),
        env=dict(os.environ),
        report_dir=output.report_dir(args, config, module_dir=module_dir),
        started=started,
    )


def _smoke_args(args: argparse.Namespace, config: Config) -> tuple[str, ...] | None:
    text = getattr(args, "smoke", None)
    if text is not None:
        try:
            return tuple(shlex.split(text))
        except ValueError as exc:
            raise UsageError(f"--smoke: {exc}") from None
    return config.smoke


def _module_dir(args: argparse.Namespace) -> Path:
    directory = Path(getattr(args, "dir", None) or ".").resolve()
    if not directory.is_dir():
        raise InputError(f"{directory} is not a directory")
    if not (directory / "go.mod").is_file():
        raise InputError(
            f"{directory} has no go.mod: gocross check builds a Go module (run it in the module)"
        )
    return directory


def _cpu_count() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _check_output_dir(args: argparse.Namespace) -> None:
    """``--output`` into a directory that does not exist is refused before anything is built."""
    target = getattr(args, "output", None)
    if target and not Path(target).resolve().parent.is_dir():
        raise InputError(f"--output {target}: directory {Path(target).parent} does not exist")
