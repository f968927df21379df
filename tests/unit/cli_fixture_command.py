"""A reporting command used only by the CLI tests: it publishes a report read from a JSON file
(``--crash`` raises an unexpected exception instead), through the same ``output.emit`` and
``cli.main`` paths every real command uses."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from gocross_action import config as config_module
from gocross_action import output
from gocross_action.config import Config
from gocross_action.errors import InputError
from gocross_action.report.model import Report


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("report", help="a report.json to publish")
    parser.add_argument("--crash", action="store_true", help="fail with an unexpected exception")


def build_report(args: argparse.Namespace, config: Config) -> Report:
    del config
    if args.crash:
        raise RuntimeError("something unexpected")
    try:
        data = json.loads(Path(args.report).read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read {args.report}: {exc.strerror}") from None
    return Report.from_json(data)


def run(args: argparse.Namespace) -> int:
    config = config_module.load(Path(args.config) if args.config else None, start=Path.cwd())
    return output.emit(build_report(args, config), args, config)
