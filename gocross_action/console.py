"""Messages to stderr (stdout carries only the report), with folding under GitHub Actions.

Every message may carry text from the repository (a path, a value from the config, a line of a
log), so ``message`` and ``warn`` print it through ``boundary.text``: it cannot act as a workflow
command. gocross's own workflow commands go through ``command``, and only those.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager


def in_actions() -> bool:
    return os.environ.get("GITHUB_ACTIONS") == "true"


def neutralise(line: str) -> str:
    """An untrusted line made safe to echo in an Actions log (``boundary.text.neutralise``): no
    ``::`` or ``##[`` command form, no line break, control characters escaped."""
    from .boundary import text as boundary_text  # imported on the first message: start-up is measured

    return boundary_text.neutralise(line)


def _write(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def message(text: str) -> None:
    """A message of gocross's, which may quote untrusted text: each of its lines neutralised."""
    from .boundary import text as boundary_text

    for line in boundary_text.neutralise_lines(text):
        _write(line)


def warn(text: str) -> None:
    message(f"gocross: warning: {text}")


def command(line: str) -> None:
    """One of gocross's own workflow commands, built by ``github.commands`` (values escaped)."""
    _write(line)


def echo(lines: Iterable[str]) -> None:
    """Untrusted lines (a build log) echoed to the log: under Actions inside a
    ``stop-commands`` block the lines cannot end; elsewhere each line neutralised."""
    from .boundary import text as boundary_text

    if in_actions():
        for line in boundary_text.echo_block(list(lines)):
            _write(line)
    else:
        for line in lines:
            _write(boundary_text.neutralise(line))


@contextmanager
def group(title: str) -> Iterator[None]:
    """A foldable section under GitHub Actions; a plain heading elsewhere."""
    from .github.commands import command as workflow_command

    if in_actions():
        command(workflow_command("group", neutralise(title)))
        try:
            yield
        finally:
            command(workflow_command("endgroup"))
    else:
        message(f"== {title}")
        yield
