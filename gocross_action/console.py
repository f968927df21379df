"""Messages to stderr (stdout carries only the report), with folding under GitHub Actions."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager


def in_actions() -> bool:
    return os.environ.get("GITHUB_ACTIONS") == "true"


def neutralise(line: str) -> str:
    """Make an untrusted line safe to echo in an Actions log: a line that starts with ``::``
    would be read as a workflow command, so a zero-width space is put before it."""
    stripped = line.lstrip()
    if stripped.startswith("::"):
        return line.replace("::", "\u200b::", 1)
    return line


def message(text: str) -> None:
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def warn(text: str) -> None:
    message(f"gocross: warning: {text}")


@contextmanager
def group(title: str) -> Iterator[None]:
    """A foldable section under GitHub Actions; a plain heading elsewhere."""
    if in_actions():
        message(f"::group::{neutralise(title)}")
        try:
            yield
        finally:
            message("::endgroup::")
    else:
        message(f"== {title}")
        yield
