"""`gocross inspect FILE...`: what each binary is, what it needs, and where it will run."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import EXIT_INPUT

if TYPE_CHECKING:
    from ..config import Config
    from ..report.model import Report


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="binaries to inspect")
    parser.add_argument(
        "--expect", metavar="GOOS/GOARCH[/VARIANT]", help="the target the binaries must be built for"
    )
    parser.add_argument(
        "--deploy",
        action="append",
        default=None,
        metavar="SYSTEM",
        help="a system the binaries run on (debian:bullseye, alpine, scratch, glibc-2.31...); repeatable",
    )
    from ..deploy import glibc_option

    parser.add_argument(
        "--glibc-max",
        metavar="X.Y",
        type=glibc_option,
        help="the highest GLIBC version the binaries may require",
    )
    parser.add_argument(
        "--require-static", action="store_true", default=None, help="ELF binaries must be statically linked"
    )


def build_report(args: argparse.Namespace, config: Config) -> Report:
    """Inspect every file (a bad file gets an ``error`` entry; the others are still read)."""
    from .. import deploy as deploy_systems
    from ..checks.binary import judge
    from ..errors import UsageError
    from ..inspect import read
    from ..report.model import Context, Report
    from ..targets import Target

    expect = Target.parse(args.expect) if args.expect else None
    specs = args.deploy if args.deploy else list(config.deploy)
    systems = [deploy_systems.resolve(spec) for spec in specs]
    glibc_max = args.glibc_max or config.glibc_max
    if glibc_max is not None:
        parts = glibc_max.split(".")
        if len(parts) != 2 or not all(p.isdigit() for p in parts):
            raise UsageError(f"--glibc-max must look like 2.31, not {glibc_max!r}")
    require_static = bool(args.require_static) or config.require_static
    binaries = []
    findings = []
    for name in args.files:
        info = read(Path(name))
        binaries.append(info.to_json())
        findings += judge(
            info, expect=expect, deploy=systems, glibc_max=glibc_max, require_static=require_static
        )
    return Report.build(context=Context(command="inspect"), binaries=binaries, findings=findings)


def run(args: argparse.Namespace) -> int:
    from .. import config as config_module
    from ..output import emit

    config = config_module.load(Path(args.config) if args.config else None, start=Path.cwd())
    report = build_report(args, config)
    code = emit(report, args, config)
    bad = [b for b in report.binaries if b.get("error")]
    if not bad:
        return code
    from ..boundary.text import name
    from ..console import message

    for entry in bad:
        # A file name may hold a newline and a workflow command: printed escaped.
        message(f"gocross: error: {name(entry['path'])}: {entry['error']}")
    return EXIT_INPUT
