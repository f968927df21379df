"""Workflow commands and file commands as pure strings, escaped the way actions/toolkit's
``core`` does it (``command.ts``, ``file-command.ts``). Nothing here writes or prints.

The runner reads a stdout/stderr line starting with ``::`` as a command, and ``##[`` anywhere in
a line (the legacy form): every value put into a command goes through ``escape_data`` or
``escape_property``, and untrusted text printed to the log goes through ``boundary.text``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from ..findings import Severity

# Display limits of the runner: more annotations are dropped silently, longer messages cut.
ANNOTATIONS_PER_TYPE = 10
ANNOTATIONS_PER_JOB = 50
MESSAGE_MAX = 4096
# GITHUB_STEP_SUMMARY: a larger summary is dropped whole, with an error.
SUMMARY_MAX_BYTES = 1024 * 1024


def escape_data(value: str) -> str:
    """A command's message: ``%``, CR and LF are percent-encoded (``%`` first)."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """A command's property value: as ``escape_data``, plus ``:`` and ``,``."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str = "", properties: Mapping[str, str | int | None] | None = None) -> str:
    """``::name k=v,k=v::message``. Properties with empty or zero values are left out; when
    properties were given but all are empty the toolkit still writes the separating space."""
    text = "::" + name
    if properties:
        kept = [f"{key}={escape_property(str(value))}" for key, value in properties.items() if value]
        text += " " + ",".join(kept)
    return text + "::" + escape_data(message)


@dataclass(frozen=True, kw_only=True)
class Annotation:
    """One annotation, for a check run (``to_check_run``) or a workflow command (``to_command``).

    ``path`` is relative to the repository root; None for a finding without a source position
    (a workflow command may still show it, a check run cannot).
    """

    severity: Severity
    message: str
    title: str | None = None
    path: str | None = None
    start_line: int | None = None
    end_line: int | None = None
    start_column: int | None = None
    end_column: int | None = None
    raw_details: str | None = None

    @property
    def same_line(self) -> bool:
        return self.start_line is not None and (self.end_line is None or self.end_line == self.start_line)

    def to_command(self) -> str:
        """``::error file=...,line=...::message``; columns only within one line."""
        columns = self.same_line
        properties: dict[str, str | int | None] = {
            "title": self.title,
            "file": self.path,
            "line": self.start_line,
            "endLine": self.end_line,
            "col": self.start_column if columns else None,
            "endColumn": self.end_column if columns else None,
        }
        return command(self.severity.command, cut(self.message, MESSAGE_MAX), properties)


def cut(text: str, limit: int, marker: str = "…") -> str:
    """``text`` within ``limit`` characters, ending in ``marker`` when it was cut."""
    if len(text) <= limit:
        return text
    return text[: max(0, limit - len(marker))] + marker


def rank_for_display(
    annotations: Sequence[Annotation],
    *,
    per_type: int = ANNOTATIONS_PER_TYPE,
    per_job: int = ANNOTATIONS_PER_JOB,
) -> tuple[list[Annotation], list[Annotation]]:
    """Split already-ranked annotations into (shown, left out) so that no more than ``per_type``
    of one level and ``per_job`` in all are emitted: the runner would drop the rest silently."""
    shown: list[Annotation] = []
    left: list[Annotation] = []
    per_level: dict[Severity, int] = {}
    for annotation in annotations:
        used = per_level.get(annotation.severity, 0)
        if used < per_type and len(shown) < per_job:
            per_level[annotation.severity] = used + 1
            shown.append(annotation)
        else:
            left.append(annotation)
    return shown, left


def add_mask(value: str) -> str:
    return command("add-mask", value)


def group(title: str) -> str:
    return command("group", title)


def endgroup() -> str:
    return command("endgroup")


def stop_commands(token: str) -> str:
    """Until ``resume_commands(token)``, the runner reads no workflow command from the log."""
    return command("stop-commands", token)


def resume_commands(token: str) -> str:
    return f"::{token}::"


def _delimiter() -> str:
    return f"ghadelimiter_{uuid.uuid4()}"


def file_entry(name: str, value: str, *, delimiter: Callable[[], str] = _delimiter) -> str:
    """One GITHUB_OUTPUT / GITHUB_ENV entry: ``name=value`` for one line, else a heredoc whose
    random delimiter occurs in neither name nor value. Ends with a newline."""
    if "\n" in name or "\r" in name or "=" in name or "<<" in name:
        raise ValueError(f"invalid output name {name!r}")
    if "\n" not in value and "\r" not in value:
        return f"{name}={value}\n"
    for _ in range(10):
        mark = delimiter()
        if mark not in value and mark not in name:
            return f"{name}<<{mark}\n{value}\n{mark}\n"
    raise ValueError("could not find a delimiter that does not occur in the value")


def file_entries(values: Mapping[str, str], *, delimiter: Callable[[], str] = _delimiter) -> str:
    return "".join(file_entry(name, value, delimiter=delimiter) for name, value in values.items())


def fit_bytes(render: Callable[[int | None], str], *, max_bytes: int = SUMMARY_MAX_BYTES) -> str:
    """The largest rendering (``render(limit)`` with a character limit, None for all) whose UTF-8
    encoding fits ``max_bytes``: a step summary over 1 MiB is dropped whole by the runner."""
    text = render(None)
    limit = len(text)
    for _ in range(20):
        size = len(text.encode("utf-8"))
        if size <= max_bytes:
            return text
        limit = max(1, int(limit * max_bytes / size * 0.95))
        text = render(limit)
    raise ValueError(f"could not fit the rendering within {max_bytes} bytes")
