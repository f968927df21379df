"""Where a run's time went, per stage: wall-clock spans and time summed over threads.

``gocross check`` records its stages here and puts the result in the report's environment
(``environment.timings``), so the cost of everything around ``go build`` (probes, ``go list``,
inspection, the report) is visible in the JSON report and in ``--verbose``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class Timings:
    """Thread-safe. ``span`` adds a stage's elapsed time (a stage timed on several threads sums
    their times, and counts how many times it ran); ``mark`` notes a moment since the start."""

    def __init__(self, *, started: float | None = None) -> None:
        """``started``: a ``time.monotonic()`` value to count from (default: now)."""
        self._started = time.monotonic() if started is None else started
        self._lock = threading.Lock()
        self._seconds: dict[str, float] = {}
        self._counts: dict[str, int] = {}

    @contextmanager
    def span(self, stage: str) -> Iterator[None]:
        began = time.monotonic()
        try:
            yield
        finally:
            self.add(stage, time.monotonic() - began)

    def add(self, stage: str, seconds: float) -> None:
        with self._lock:
            self._seconds[stage] = self._seconds.get(stage, 0.0) + seconds
            self._counts[stage] = self._counts.get(stage, 0) + 1

    def mark(self, stage: str) -> None:
        """Record the moment ``stage`` happened, as seconds since the start (once: the first)."""
        with self._lock:
            if stage not in self._seconds:
                self._seconds[stage] = time.monotonic() - self._started
                self._counts[stage] = 1

    def seconds(self, stage: str) -> float | None:
        with self._lock:
            return self._seconds.get(stage)

    def elapsed(self) -> float:
        return time.monotonic() - self._started

    def to_json(self) -> dict[str, Any]:
        """``{"status": "ok", "total_s": ..., "stages": {name: {"seconds": ..., "count": ...}}}``,
        seconds rounded to the millisecond, stages in the order they first ended."""
        with self._lock:
            stages = {
                name: {"seconds": round(seconds, 3), "count": self._counts[name]}
                for name, seconds in self._seconds.items()
            }
        return {"status": "ok", "total_s": round(self.elapsed(), 3), "stages": stages}


def process_started() -> float | None:
    """The ``time.monotonic()`` value at which this process started, when known."""
    age = process_age()
    return None if age is None else time.monotonic() - age


def process_age() -> float | None:
    """Seconds since this process started (interpreter start-up, imports and all), from
    ``/proc/self/stat`` at the kernel's clock-tick resolution; None where there is no procfs."""
    import os

    try:
        with open("/proc/self/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[1].split()
        with open("/proc/uptime", "rb") as uptime:
            up = float(uptime.read().split()[0])
        return max(0.0, up - int(fields[19]) / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return None
