"""`gocross audit [DIR]`: read the repository's Dockerfiles, workflows and Go settings and report
the cross-compile failures they set up, without building anything."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..config import Config
from ..errors import InputError
from ..report.model import Context, Report


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dir", nargs="?", default=".", metavar="DIR", help="the repository (default: .)")
    parser.add_argument(
        "--targets",
        metavar="LIST",
        help="targets to show the effective Go settings of (default: the config's)",
    )

    parser.add_argument(
        "--binary",
        action="append",
        default=None,
        metavar="FILE",
        help="also report the DefaultGODEBUG a built Go binary carries; repeatable",
    )


def build_report(args: argparse.Namespace, config: Config) -> Report:
    from .. import audit
    from .probe import targets_for

    root = Path(getattr(args, "dir", None) or ".")
    if not root.is_dir():
        raise InputError(f"{root} is not a directory")
    binaries = [Path(b) for b in getattr(args, "binary", None) or ()]
    for binary in binaries:
        if not binary.is_file():
            raise InputError(f"{binary} is not a file")
    result = audit.run(root, targets=targets_for(args, config), binaries=binaries)
    return Report.build(
        context=Context(command="audit"), findings=list(result.findings), environment=dict(result.environment)
    )


def run(args: argparse.Namespace) -> int:
    from .. import config as config_module
    from ..output import emit

    config = config_module.load(Path(args.config) if args.config else None, start=Path(args.dir))
    return emit(build_report(args, config), args, config)
