"""`gocross probe [DIR] [--targets ...]`: verify the build environment for each target, without
building. The report's ``environment`` holds each probe's status and facts; problems are findings."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from ..config import Config, TargetConfig
from ..errors import InputError
from ..report.model import Context, Report


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dir", nargs="?", default=".", metavar="DIR", help="the Go module (default: .)")
    parser.add_argument(
        "--targets",
        metavar="LIST",
        help="goos/goarch[/variant] targets, comma or space separated (default: the config's, "
        "else linux/amd64, linux/arm64, darwin/arm64, windows/amd64)",
    )
    parser.add_argument(
        "--only",
        metavar="PROBES",
        help="run only these probes, comma separated "
        "(toolchain, cgo, libc, emulation, modules, cache, vcs, container)",
    )


def targets_for(args: argparse.Namespace, config: Config) -> list[TargetConfig]:
    """``--targets`` (keeping the config's per-target settings for targets it names), else the
    config's targets, else the default targets."""
    from ..targets import default_targets, parse_list

    configured = {str(tc.target): tc for tc in config.targets}
    if getattr(args, "targets", None):
        return [configured.get(str(t)) or TargetConfig(target=t) for t in parse_list(args.targets)]
    if config.targets:
        return list(config.targets)
    return [TargetConfig(target=t) for t in default_targets()]


def build_report(args: argparse.Namespace, config: Config) -> Report:
    from .. import gomod, probe
    from ..errors import UsageError
    from ..probe import system

    module_dir = Path(getattr(args, "dir", None) or ".")
    if not module_dir.is_dir():
        raise InputError(f"{module_dir} is not a directory")
    names = None
    if getattr(args, "only", None):
        from ..targets import split_list

        names = split_list(args.only)
        unknown = [n for n in names if n not in probe.PROBES]
        if unknown:
            raise UsageError(f"unknown probe {unknown[0]!r}; known: {', '.join(probe.PROBES)}")
    ctx = probe.ProbeContext(module_dir=module_dir, targets=targets_for(args, config), env=dict(os.environ))
    outcome = probe.run_all(ctx, names)
    go_mod = gomod.find(module_dir)
    context = Context(
        command="probe",
        config=system.display_path(ctx, config.path) if config.path else None,
        go_mod=system.display_path(ctx, go_mod) if go_mod else None,
    )
    return Report.build(context=context, findings=outcome.findings, environment=outcome.environment)


def run(args: argparse.Namespace) -> int:
    from .. import config as config_module
    from ..output import emit

    start = Path(args.dir) if getattr(args, "dir", None) else Path.cwd()
    config = config_module.load(Path(args.config) if args.config else None, start=start)
    return emit(build_report(args, config), args, config)
