"""``gocross check --verbose`` says where the run's time went: before the first build, the builds,
gocross's own work alongside them and after them (from ``environment.timings``)."""

from __future__ import annotations

import dataclasses

from gocross_action.report.render import render
from tests.sample_reports import clean

TIMINGS = {
    "status": "ok",
    "total_s": 2.41,
    "stages": {
        "startup": {"seconds": 0.13, "count": 1},
        "plan": {"seconds": 0.004, "count": 1},
        "first-build": {"seconds": 0.134, "count": 1},
        "audit": {"seconds": 0.11, "count": 1},
        "probes": {"seconds": 0.24, "count": 1},
        "cgo-analysis": {"seconds": 0.23, "count": 1},
        "go-build": {"seconds": 3.92, "count": 6},
        "inspection": {"seconds": 0.03, "count": 6},
        "builds-wall": {"seconds": 2.14, "count": 1},
        "wait": {"seconds": 0.0, "count": 1},
        "refine": {"seconds": 0.001, "count": 1},
        "assemble": {"seconds": 0.002, "count": 1},
        "after-builds": {"seconds": 0.003, "count": 1},
    },
}


def _timed() -> object:
    report = clean()
    environment = {**report.environment, "timings": TIMINGS, "build": {"jobs": 2}}
    return dataclasses.replace(report, environment=environment)


def test_verbose_text_says_where_the_time_went_per_stage() -> None:
    text = render(_timed(), "text", verbose=True)  # type: ignore[arg-type]
    block = text[text.index("Time:") :].split("\n\n")[0].splitlines()
    assert [line.strip().split("  ")[0] for line in block[1:]] == [
        "in all",
        "before the first build",
        "builds",
        "alongside the builds",
        "after the last build",
    ]
    assert "0.13s: start-up and arguments 0.13s, plan 0.00s" in block[2]
    assert "2.14s: 6 go build(s), 3.92s of build time on 2 jobs" in block[3]
    assert "probes 0.24s, audit 0.11s, cgo analysis 0.23s, inspection 0.03s" in block[4]
    assert "0.00s: wait 0.00s, findings 0.00s, report 0.00s" in block[5]


def test_the_time_is_not_shown_without_verbose_or_without_timings() -> None:
    assert "Time:" not in render(_timed(), "text")  # type: ignore[arg-type]
    assert "Time:" not in render(clean(), "text", verbose=True)
