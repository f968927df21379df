"""Every failure the user can act on, each kind with its own exit code.

The CLI entry point (``cli.main``) is the only place these become exit codes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_INPUT = 2
EXIT_INTERNAL = 3


class GocrossError(Exception):
    """A failure caused by the user's input or environment: a one-line message, no traceback."""

    exit_code = EXIT_INPUT


class UsageError(GocrossError):
    """A command-line argument or action input that cannot be used."""


class InputError(GocrossError):
    """A file or value named by the user that cannot be read or parsed."""


@dataclass(frozen=True, kw_only=True)
class Mark:
    """A position in a file, 1-based: where a config problem is written."""

    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.line}:{self.column}"


class ConfigError(GocrossError):
    """The config file is invalid; carries every problem found, each with its path and, when
    known, its position in the file (``marks``).

    One problem is one line, ``file:line:col: path: what``; several are a count line, then one
    such line each."""

    def __init__(self, source: str, problems: list[str], *, marks: Sequence[Mark | None] = ()) -> None:
        self.source = source
        self.problems = list(problems)
        self.marks: list[Mark | None] = [*marks, *[None] * (len(self.problems) - len(marks))]
        count = len(self.problems)
        if count == 1:
            super().__init__(self.located()[0])
            return
        lines = [f"{source}: {count} problems"] + [f"  {line}" for line in self.located()]
        super().__init__("\n".join(lines))

    def located(self) -> list[str]:
        """Each problem as ``file:line:col: problem`` (``file: problem`` when not placed)."""
        return [
            f"{self.source}:{mark}: {problem}" if mark is not None else f"{self.source}: {problem}"
            for problem, mark in zip(self.problems, self.marks, strict=True)
        ]


class DataError(Exception):
    """A data file shipped in the package breaks its invariants: a bug, exit code 3."""

    exit_code = EXIT_INTERNAL
