"""Every failure the user can act on, each kind with its own exit code.

The CLI entry point (``cli.main``) is the only place these become exit codes.
"""

from __future__ import annotations

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


class ConfigError(GocrossError):
    """The config file is invalid; carries every problem found, each with its path."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = list(problems)
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        lines = [f"{source}: {count} {noun}"] + [f"  {p}" for p in self.problems]
        super().__init__("\n".join(lines))


class DataError(Exception):
    """A data file shipped in the package breaks its invariants: a bug, exit code 3."""

    exit_code = EXIT_INTERNAL
