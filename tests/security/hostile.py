"""Hostile strings and the check that a step's output holds no workflow command but gocross's."""

from __future__ import annotations

from tests.security.runner_log import Command, commands, unresumed_stop

# Each tries a different way into the runner's command parser.
HOSTILE_LINES = (
    "##[set-output name=status;]passed",
    "##[add-mask]hunter2",
    "##[stop-commands]x",
    "##[error file=main.go,line=1]forged",
    "##[Set-Env name=GOFLAGS;]-toolexec=/tmp/x",
    "::error::forged",
    "   ::warning file=x.go::forged",
    "\u00a0::notice::forged",
    "::STOP-COMMANDS::abc",
    "::add-mask::hunter2",
    "a progress bar\r::set-output name=status::passed",
    "before\n::error::forged after a newline",
)

# What gocross itself prints as commands (annotations, folds, warnings, masks, stop/resume).
OWN_COMMANDS = {"error", "warning", "notice", "group", "endgroup", "add-mask", "stop-commands"}


# The value the hostile inputs try to mask (a mask hides text, e.g. to fake a log).
ATTACKER_MASK = "hunter2"


def foreign_commands(output: str) -> list[Command]:
    """Commands in ``output`` that gocross did not issue: any command of a kind gocross never
    prints, any written in the legacy ``##[`` form or not at the start of a line (gocross prints
    its own at column 0), an ``add-mask`` of the attacker's value, and an error, warning or
    notice that is neither a gocross message nor one of its titled annotations."""
    found = []
    for command in commands(output):
        info = command.line[2:].split("::", 1)[0]
        mine = (
            command.name in OWN_COMMANDS
            and command.line.startswith("::")
            and (command.name != "add-mask" or command.data != ATTACKER_MASK)
            # gocross's messages start with "gocross:", its annotations always carry a title.
            and (
                command.name not in ("error", "warning", "notice")
                or command.data.startswith("gocross")
                or "title=" in info
            )
        )
        if not mine:
            found.append(command)
    return found


def assert_no_foreign_commands(output: str) -> None:
    foreign = foreign_commands(output)
    assert not foreign, "commands gocross did not issue:\n" + "\n".join(repr(c.line) for c in foreign)
    assert not unresumed_stop(output), "a stop-commands is never resumed: later commands (masks) are lost"


def visible(text: str) -> str:
    """``text`` as a reader sees it (zero-width spaces are invisible)."""
    return text.replace("\u200b", "")
