"""Progress of the builds on stderr: a live table on a terminal, one foldable ``::group::`` per
target (with its log) under GitHub Actions, one line per finished target elsewhere."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from .. import console

LOG_LINES_IN_GROUP = 400
LOG_TAIL_BYTES = 4 * 1024 * 1024  # what is read of a failed build's log to fold its last lines


class Progress:
    """Thread-safe: builds report from their own threads."""

    def __init__(
        self, targets: Sequence[str], *, stream: TextIO | None = None, live: bool | None = None
    ) -> None:
        self._stream = stream or sys.stderr
        self._actions = console.in_actions()
        self._live = (not self._actions and self._stream.isatty()) if live is None else live
        self._lock = threading.Lock()
        self._order = list(targets)
        self._state = dict.fromkeys(targets, "queued")
        self._started: dict[str, float] = {}
        self._drawn = 0

    def _redraw(self) -> None:
        width = max((len(t) for t in self._order), default=0)
        if self._drawn:
            self._stream.write(f"\x1b[{self._drawn}A")
        for name in self._order:
            self._stream.write(f"\x1b[2K  {name:<{width}}  {self._state[name]}\n")
        self._drawn = len(self._order)
        self._stream.flush()

    def start(self) -> None:
        with self._lock:
            if self._live and self._order:
                self._redraw()

    def building(self, target: str) -> None:
        with self._lock:
            self._started[target] = time.monotonic()
            self._state[target] = "building..."
            if self._live:
                self._redraw()

    def finished(self, target: str, status: str, duration_s: float | None, log: Path | None = None) -> None:
        took = f" {duration_s:.1f}s" if duration_s is not None else ""
        line = f"{target}: {status}{took}"
        with self._lock:
            self._state[target] = f"{status}{took}"
            if self._live:
                self._redraw()
            elif self._actions:
                self._fold(line, log)
            else:
                self._stream.write(f"gocross: {line}\n")
                self._stream.flush()

    def _fold(self, title: str, log: Path | None) -> None:
        lines: list[str] = []
        whole = True
        if log is not None:
            from ..boundary.read import read_tail
            from ..errors import InputError

            try:
                # The build decides the log's size: only its end is read (and shown).
                lines = (
                    read_tail(log, limit=LOG_TAIL_BYTES, what="build log")
                    .decode("utf-8", errors="replace")
                    .splitlines()
                )
                whole = log.stat().st_size <= LOG_TAIL_BYTES
            except (InputError, OSError):
                lines = []
        with console.group(f"gocross {title}"):
            if len(lines) > LOG_LINES_IN_GROUP or not whole:
                earlier = f"{len(lines) - LOG_LINES_IN_GROUP} earlier lines" if whole else "earlier lines"
                console.message(f"... {earlier} in {log}")
            # The log is the build's output: data the runner must not read as commands.
            console.echo(lines[-LOG_LINES_IN_GROUP:])
