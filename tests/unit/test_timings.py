"""Per-stage timings: what `gocross check` reports about where its time went."""

from __future__ import annotations

import threading
import time

from gocross_action.matrix.timings import Timings


def test_a_stage_timed_on_several_threads_sums_their_time_and_counts_each_run() -> None:
    timings = Timings()

    def inspect() -> None:
        with timings.span("inspection"):
            time.sleep(0.02)

    threads = [threading.Thread(target=inspect) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stage = timings.to_json()["stages"]["inspection"]
    assert stage["count"] == 3
    assert stage["seconds"] >= 0.06, "three 20 ms spans add up even when they overlap"


def test_a_stage_that_raises_is_still_timed() -> None:
    timings = Timings()
    try:
        with timings.span("diagnose"):
            raise ValueError("boom")
    except ValueError:
        pass
    assert timings.to_json()["stages"]["diagnose"]["count"] == 1


def test_the_total_covers_every_stage_and_the_entry_is_an_ok_environment_entry() -> None:
    timings = Timings()
    with timings.span("ports"):
        time.sleep(0.01)
    data = timings.to_json()
    assert data["status"] == "ok"
    assert data["total_s"] >= data["stages"]["ports"]["seconds"] >= 0.01
