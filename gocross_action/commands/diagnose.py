"""`gocross diagnose --log FILE [--log FILE...] [--target GOOS/GOARCH]`: the root cause of a
failed build from its log. The facts are what the log shows plus --target: the machine this runs
on is not probed, since the log usually comes from another one."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..config import Config
from ..errors import InputError
from ..report.model import Context, Report


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--log",
        action="append",
        required=True,
        metavar="FILE",
        help="build log to diagnose ('-' reads stdin); repeat for several logs",
    )
    parser.add_argument("--target", metavar="GOOS/GOARCH", help="the target the log was building")
    parser.add_argument(
        "--source-prefix",
        default="",
        metavar="DIR",
        help="the module's directory inside the repository, for source locations (default: the root)",
    )


def build_report(args: argparse.Namespace, config: Config) -> Report:
    from ..diagnose.engine import diagnose_file, diagnose_stream
    from ..diagnose.facts import Facts
    from ..diagnose.rules import load_rules
    from ..targets import Target

    facts = Facts(target=Target.parse(args.target) if args.target else None)
    rules = load_rules(config.rules)
    findings = []
    for name in args.log:
        if name == "-":
            findings.extend(
                diagnose_stream(sys.stdin.buffer, facts=facts, rules=rules, source_prefix=args.source_prefix)
            )
            continue
        path = Path(name)
        if not path.exists():
            raise InputError(f"cannot read log {name}: no such file")
        try:
            findings.extend(diagnose_file(path, facts=facts, rules=rules, source_prefix=args.source_prefix))
        except OSError as exc:
            raise InputError(f"cannot read log {name}: {exc.strerror or exc}") from None
    config_path = str(config.path) if config.path else None
    return Report.build(context=Context(command="diagnose", config=config_path), findings=findings)


def run(args: argparse.Namespace) -> int:
    from .. import config as config_module
    from ..output import emit

    config = config_module.load(Path(args.config) if args.config else None, start=Path.cwd())
    return emit(build_report(args, config), args, config)
