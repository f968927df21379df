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

    def __init__(self) -> None:
        self._started = time.monotonic()
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
