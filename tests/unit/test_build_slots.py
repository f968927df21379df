"""The build slots of ``gocross check`` (``matrix.build.run_all``): each slot takes the next build
as its last one ends, the report keeps the matrix's order, the work after a build runs beside the
next one, and the schedule hears when a build's process actually runs (it starts the gap work
then, not while the last slot is still starting its build)."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest

from gocross_action import process
from gocross_action.matrix import build
from gocross_action.matrix.build import BuildJob, BuildOutcome
from gocross_action.targets import Target

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="runs sh")


def _job(tmp_path: Path, name: str, script: str) -> BuildJob:
    """A "build" that runs ``script`` and writes its binary (a marker file) when it succeeds."""
    output = tmp_path / "out" / name
    return BuildJob(
        target=Target.parse(f"linux/{name}"),
        argv=("sh", "-c", f"{script} && echo built > {output}"),
        env={"PATH": "/usr/bin:/bin"},
        overrides={},
        cwd=tmp_path,
        output=output,
        log=tmp_path / "logs" / f"{name}.log",
    )


def test_outcomes_keep_the_matrix_order_whatever_order_builds_end_in(tmp_path: Path) -> None:
    # The first build waits until the second has ended: they end in the other order.
    second_done = tmp_path / "second-done"
    first = _job(tmp_path, "amd64", f"while [ ! -e {second_done} ]; do sleep 0.01; done")
    second = _job(tmp_path, "arm64", f": > {second_done}")
    outcomes = build.run_all([first, second], workers=2)
    assert [str(o.job.target) for o in outcomes] == ["linux/amd64", "linux/arm64"]
    assert [o.status for o in outcomes] == ["passed", "passed"]


def test_one_slot_runs_the_builds_one_after_another(tmp_path: Path) -> None:
    running = tmp_path / "running"
    # Each build fails if another one is running at the same time.
    script = f"[ ! -e {running} ] && : > {running} && sleep 0.05 && rm {running}"
    jobs = [_job(tmp_path, arch, script) for arch in ("amd64", "arm64", "386")]
    outcomes = build.run_all(jobs, workers=1)
    assert [o.status for o in outcomes] == ["passed"] * 3


def test_the_schedule_hears_of_each_build_once_its_process_runs(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    job = _job(tmp_path, "amd64", f"echo $$ > {pid_file}; sleep 0.2")
    alive_when_told: list[bool] = []

    def spawned(told: BuildJob) -> None:
        assert told is job
        # The process runs: it writes its pid, which names a live process.
        while not pid_file.exists() or not pid_file.read_text().strip():
            threading.Event().wait(0.01)
        alive_when_told.append(Path(f"/proc/{pid_file.read_text().strip()}").exists())

    (outcome,) = build.run_all([job], workers=1, on_spawned=spawned)
    assert outcome.status == "passed"
    assert alive_when_told == [True]


def test_a_build_that_cannot_start_is_never_reported_as_running(tmp_path: Path) -> None:
    job = _job(tmp_path, "amd64", "true")
    missing = BuildJob(**{**job.__dict__, "argv": (str(tmp_path / "no-such-go"), "build")})
    told: list[BuildJob] = []
    (outcome,) = build.run_all([missing], workers=1, on_spawned=told.append)
    assert outcome.status == "failed"
    assert told == []
    assert "cannot run" in missing.log.read_text()


def test_the_work_after_a_build_runs_on_its_own_thread_and_its_error_is_raised(tmp_path: Path) -> None:
    jobs = [_job(tmp_path, arch, "true") for arch in ("amd64", "arm64")]
    threads: set[str] = set()

    def after(outcome: BuildOutcome) -> None:
        threads.add(threading.current_thread().name)
        if str(outcome.job.target) == "linux/arm64":
            raise RuntimeError("inspection broke")

    with pytest.raises(RuntimeError, match="inspection broke"):
        build.run_all(jobs, workers=2, after=after)
    assert threads == {"gocross-after"}


def test_an_error_in_the_callback_stops_the_process_it_was_told_of(tmp_path: Path) -> None:
    """``process.run``'s ``started`` callback: if it fails, the child it was told of does not keep
    running."""
    pid_file = tmp_path / "pid"

    def fail() -> None:
        while not pid_file.exists() or not pid_file.read_text().strip():
            threading.Event().wait(0.01)
        raise RuntimeError("the schedule broke")

    with pytest.raises(RuntimeError, match="the schedule broke"):
        process.run(["sh", "-c", f"echo $$ > {pid_file}; exec sleep 30"], timeout=60, started=fail)
    assert not Path(f"/proc/{pid_file.read_text().strip()}").exists()
