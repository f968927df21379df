"""The matrix stages that run go, each called alone (not through the CLI): the build stage on a
real module, the cgo analysis of a real build, and the whole schedule from settings to report."""

from __future__ import annotations

import os
from pathlib import Path

from gocross_action.config import Config, TargetConfig
from gocross_action.matrix import build, cgo, plan, ports, schedule
from gocross_action.matrix import inspect as inspection
from gocross_action.targets import Target

from .checkrun import copy_fixture

HOST = ("linux", "amd64")


def _settings(module: Path, *targets: str) -> plan.Settings:
    return plan.Settings(
        module_dir=module.resolve(),
        targets=tuple(TargetConfig(target=Target.parse(t)) for t in targets),
        deploy=(),
        glibc_max=None,
        require_static=True,
        smoke_args=None,
        verify_fixes=False,
        workers=2,
        env=dict(os.environ),
    )


def test_the_build_stage_writes_each_planned_binary_and_its_log(tmp_path: Path) -> None:
    module = copy_fixture("pure", tmp_path)
    settings = _settings(module, "linux/arm64", "windows/amd64")
    made = plan.make(settings, Config(), ports.load("go", settings.env), HOST)
    outcomes = build.run_all(made.runnable, workers=2)
    assert [(str(o.job.target), o.status) for o in outcomes] == [
        ("linux/arm64", "passed"),
        ("windows/amd64", "passed"),
    ]
    facts = {
        str(o.job.target): inspection.binary(
            o.job.output, target=o.job.target, module_dir=settings.module_dir, judging=settings.judging()
        )[0]
        for o in outcomes
    }
    assert (facts["linux/arm64"]["format"], facts["windows/amd64"]["format"]) == ("elf", "pe")
    assert all(o.job.log.is_file() for o in outcomes)


def test_the_cgo_analysis_lists_the_packages_a_target_builds(tmp_path: Path) -> None:
    module = copy_fixture("pure", tmp_path)
    env = {**os.environ, "GOOS": "linux", "GOARCH": "arm64"}
    usage = cgo.analyse(target=Target.parse("linux/arm64"), package=".", cwd=module, env=env)
    assert usage.enabled is False, "cross-compiling turns cgo off"
    assert usage.packages == (), "a pure-Go module needs no cgo package"


def test_the_schedule_runs_every_stage_and_says_where_the_time_went(tmp_path: Path) -> None:
    module = copy_fixture("pure", tmp_path)
    report = schedule.run(_settings(module, "linux/amd64", "windows/amd64", "plan9/arm64"), Config())
    statuses = {t.target: t.status for t in report.targets}
    assert statuses == {"linux/amd64": "passed", "windows/amd64": "passed", "plan9/arm64": "skipped"}
    assert len(report.binaries) == 2
    stages = report.environment["timings"]["stages"]
    assert stages["go-build"]["count"] == 2
    assert stages["inspection"]["count"] == 2
    assert {"probes", "builds-wall"} <= set(stages)
