"""The schedule of ``gocross check``: which stage runs when, on which thread, in one place.

::

    main thread   plan ─► builds (--jobs threads) ──► wait ─► audit ─► diagnose ─► prove ─► assemble
    build slot    go build ─► go build ─► ...
    after thread            inspect ─► smoke ─► inspect ...      (one per finished build)
    once full     probes (own thread), go list of the cgo targets (one thread)

Targets are validated against this Go's ports before anything runs (plan). The builds start
first; once every build slot is busy the probes start on their own thread, and so does the cgo
analysis (``go list``) of the targets built with cgo, which does not wait for their build: both
fill the gaps instead of lengthening the tail. Each finished build is analysed, inspected and
smoke-tested on the "after" thread while the next build runs. Failed targets are then diagnosed
with the probes' facts, every finding refined, the top fixes proven (``--verify-fixes``) and the
report assembled.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from ..config import Config, TargetConfig
from ..findings import Finding, Severity
from ..report.model import Report
from . import plan as planning
from .plan import Settings
from .work import TargetWork


class Probes(threading.Thread):
    """The environment probes, run once, alongside the builds."""

    def __init__(self, settings: Settings, targets: Sequence[TargetConfig], timings: Any) -> None:
        super().__init__(name="gocross-probes", daemon=True)
        self.settings, self.targets, self.timings = settings, targets, timings
        self.outcome: Any = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            from ..probe import ProbeContext, run_all

            with self.timings.span("probes"):
                self.outcome = run_all(
                    ProbeContext(
                        module_dir=self.settings.module_dir, targets=self.targets, env=self.settings.env
                    )
                )
        except BaseException as exc:  # surfaced in the main thread
            self.error = exc

    def result(self) -> Any:
        self.join()
        if self.error is not None:
            raise self.error
        return self.outcome


def run(settings: Settings, config: Config) -> Report:
    """Build, inspect, diagnose and report the target matrix."""
    from ..probe.system import repo_root
    from . import assemble, build, cgo, smoke
    from . import diagnose as diagnosis
    from . import inspect as inspection
    from .filesets import tags_of
    from .ports import load
    from .progress import Progress
    from .timings import Timings

    timings = Timings()
    host = (smoke.host_goos(), smoke.host_goarch())
    with timings.span("ports"):
        known = load("go", settings.env)
        plan = planning.make(settings, config, known, host)
    findings: list[Finding] = list(plan.findings)
    works = plan.works
    runnable = list(plan.runnable)

    probes = Probes(settings, settings.targets, timings)
    progress = Progress([str(j.target) for j in runnable])
    progress.start()
    first_wave = min(settings.workers, len(runnable))
    launched: list[str] = []
    launching = threading.Lock()
    lister = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gocross-list")
    listed: dict[str, Future[Any]] = {}

    def usage_of(job: Any) -> Any:
        with timings.span("cgo-analysis"):
            return cgo.analyse(
                target=job.target,
                package=config.package,
                cwd=settings.module_dir,
                env=job.env,
                tags=tags_of(job.argv),
            )

    def starting(job: Any) -> None:
        progress.building(str(job.target))
        with launching:
            launched.append(str(job.target))
            if len(launched) == first_wave:
                probes.start()
                for early in runnable:
                    if str(early.target) in plan.with_cgo:
                        listed[str(early.target)] = lister.submit(usage_of, early)

    def after(outcome: Any) -> None:
        work = works[str(outcome.job.target)]
        work.outcome = outcome
        # A build that passed without cgo leaves nothing for the cgo analysis to explain.
        if outcome.status != "passed" or str(outcome.job.target) in plan.with_cgo:
            with launching:
                early = listed.get(str(outcome.job.target))
            work.usage = early.result() if early is not None else usage_of(outcome.job)
        if outcome.status != "passed":
            return
        with timings.span("inspection"):
            work.binary, judged = inspection.binary(
                outcome.job.output,
                target=outcome.job.target,
                module_dir=settings.module_dir,
                judging=settings.judging(),
            )
            work.findings += judged
        if settings.smoke_args is not None:
            _smoke(work, settings.smoke_args, settings, config, timings)

    def done(outcome: Any) -> None:
        timings.add("go-build", outcome.duration_s)
        progress.finished(str(outcome.job.target), outcome.status, outcome.duration_s, outcome.job.log)

    with timings.span("builds-wall"):
        build.run_all(runnable, workers=settings.workers, on_start=starting, on_done=done, after=after)
    lister.shutdown(wait=True)
    if not first_wave:
        probes.start()
    with timings.span("probes-wait"):
        probes.join()
    probed = probes.result()
    assemble.record_outputs(plan)

    environment: dict[str, dict[str, Any]] = dict(probed.environment) if probed else {}
    findings += probed.findings if probed else []
    from .. import audit  # the repository's Dockerfiles, workflows and Go settings (issue 13)

    root = repo_root(settings.module_dir)
    audited = audit.run(root or settings.module_dir, targets=settings.targets, env=settings.env)
    # Notices (GODEBUG defaults, go env -w leftovers) stay in `gocross audit` and environment.audit:
    # the build report keeps to what can break a target.
    findings += [f for f in audited.findings if f.severity is not Severity.NOTICE]
    environment.update(audited.environment)
    failed = [w for w in works.values() if w.failed]
    if failed:
        with timings.span("diagnose"):
            findings += diagnosis.failed_builds(failed, probed, host, config)
    for work in works.values():
        findings += work.findings
    findings = diagnosis.refine(findings, works, environment=environment, probes=probed, host=host)

    attempts: dict[str, Any] | None = None
    if settings.verify_fixes:
        from . import prove

        findings, attempts = prove.fixes(
            list(works.values()),
            findings,
            workers=settings.workers,
            diagnoser=lambda work: diagnosis.trial_diagnoser(work, probed, host, config),
            judge=inspection.trial_judge(settings.judging()),
        )
    return assemble.report(
        settings=settings,
        config=config,
        plan=plan,
        findings=findings,
        environment=environment,
        go_version=known.go_version,
        attempts=attempts,
        timings=timings,
        repo_root=repo_root(settings.module_dir),
    )


def _smoke(work: TargetWork, args: tuple[str, ...], settings: Settings, config: Config, timings: Any) -> None:
    """Run a built binary once; a failed run is a finding, its output diagnosed like a log."""
    from . import smoke
    from .diagnose import smoke_causes

    with timings.span("smoke"):
        work.smoke = smoke.run(work.job.target, work.job.output, args, env=settings.env)
    problem = smoke.finding(work.smoke)
    if problem is not None:
        work.findings.append(problem)
        work.findings += smoke_causes(work, config)
