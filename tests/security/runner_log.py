"""What the Actions runner would read as workflow commands in a step's output.

A test-side model of the runner's own parser (actions/runner ``ActionCommand.TryParseV2`` and
``TryParse``, ``ActionCommandManager.TryProcessCommand``), written from its documented
behaviour: lines end at LF, CR or CRLF; ``::name props::data`` after leading white space; the
legacy ``##[name props]data`` anywhere in a line; names without regard to case; after
``stop-commands`` nothing is a command until the token comes back in either form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

REGISTERED = {
    "add-mask",
    "add-matcher",
    "add-path",
    "debug",
    "echo",
    "endgroup",
    "error",
    "group",
    "notice",
    "remove-matcher",
    "save-state",
    "set-env",
    "set-output",
    "stop-commands",
    "warning",
}


@dataclass(frozen=True)
class Command:
    name: str
    data: str
    line: str


def _parse(line: str, names: set[str]) -> Command | None:
    trimmed = line.lstrip()
    if trimmed.startswith("::"):
        end = trimmed.find("::", 2)
        if end >= 0:
            info = trimmed[2:end]
            name = info.split(" ", 1)[0]
            if name.lower() in names:
                return Command(name.lower(), trimmed[end + 2 :], line)
    start = line.find("##[")
    if start >= 0:
        close = line.find("]", start)
        if close >= 0:
            name = line[start + 3 : close].split(" ", 1)[0]
            if name.lower() in names:
                return Command(name.lower(), line[close + 1 :], line)
    return None


def commands(output: str) -> list[Command]:
    """The commands the runner would act on in ``output`` (a resumed stop counts as neither)."""
    found: list[Command] = []
    stopped: str | None = None
    for line in re.split(r"\r\n|\r|\n", output):
        names = set(REGISTERED) | ({stopped} if stopped else set())
        command = _parse(line, names)
        if command is None:
            continue
        if stopped is not None:
            if command.name == stopped:
                stopped = None
            continue
        if command.name == "stop-commands":
            stopped = command.data.lower()
        found.append(command)
    return found


def unresumed_stop(output: str) -> bool:
    """True when a ``stop-commands`` in ``output`` is never resumed (later commands are lost)."""
    stopped: str | None = None
    for line in re.split(r"\r\n|\r|\n", output):
        names = set(REGISTERED) | ({stopped} if stopped else set())
        command = _parse(line, names)
        if command is None:
            continue
        if stopped is not None:
            if command.name == stopped:
                stopped = None
        elif command.name == "stop-commands":
            stopped = command.data.lower()
    return stopped is not None
