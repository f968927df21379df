"""`gocross validate-config`: not built yet (see the issue that owns it)."""

from __future__ import annotations

import argparse

from ..errors import UsageError


def configure(parser: argparse.ArgumentParser) -> None:
    del parser


def run(args: argparse.Namespace) -> int:
    del args
    raise UsageError("'validate-config' is not available yet")
