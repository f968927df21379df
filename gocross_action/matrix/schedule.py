"""The schedule of ``gocross check``: which stage runs when, on which thread, in one place.

::

    main thread    plan ─► builds ─────────────────────────────────► wait ─► diagnose ─► prove ─► assemble
    build slots    go build ─► go build ─► ...          (--jobs threads)
    after thread        cgo analysis, inspect, smoke    (each finished build, while the next builds)
    gap threads         probes │ audit ─► imports │ go list of the cgo targets
                        (start when the first build ends, or once every slot's go build
                        runs when no build waits for a slot)

The builds start first: before them only the arguments, the config (a config accepted before is
neither parsed nor validated again), the port list (cached per Go binary) and the plan, with only
the modules those need imported. Then the work that does not need a build starts, to fill the
gaps the builds leave: the probes, the repository audit, the imports of what follows the builds,
and the cgo analysis (``go list``) of the targets built with cgo, which does not wait for their
build. It starts when the first build ends if more builds wait for a slot: the builds of the
first wave start together and load and hash the same packages at once, and work beside them
then slowed them most (on the benchmark's six targets the builds took 1.34-1.43 s with it
starting there, 1.39-1.60 s with it starting with them); with no build waiting, it starts once
every slot's go build runs. The tools this work runs (``go list``, the probes' compilers) run at
a lower CPU priority, so the builds get the cores first. Each finished build is inspected and
smoke-tested on the "after" thread while the next one builds. After the last build the main
thread only waits for what is still running, diagnoses failed targets with the probes' facts,
refines every finding, proves the top fixes (``--verify-fixes``) and assembles the report.

Every stage's time goes to the report (``environment.timings``): ``startup`` (from the start of
the ``gocross`` process to this schedule), ``plan``, ``first-build`` (the moment the first
``go build`` started), the spans of the gap work, ``builds-wall``, ``wait``, ``diagnose``,
``refine``, ``prove``, ``assemble``, and ``after-builds`` (the last build's end to the report).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..config import Config, TargetConfig
from . import gctune
from . import plan as planning
from .plan import Settings
from .work import TargetWork

if TYPE_CHECKING:
    from concurrent.futures import Future, ThreadPoolExecutor

    from ..report.model import Report
    from .timings import Timings


class Probes(threading.Thread):
    """The environment probes, run once, alongside the builds."""

    def __init__(self, settings: Settings, targets: Sequence[TargetConfig], timings: Timings) -> None:
        super().__init__(name="gocross-probes", daemon=True)
        self.settings, self.targets, self.timings = settings, targets, timings
        self.outcome: Any = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            from .. import process
            from ..probe import ProbeContext, run_all

            context = ProbeContext(
                module_dir=self.settings.module_dir,
                targets=self.targets,
                env=self.settings.env,
                nice=process.BACKGROUND,
            )
            with self.timings.span("probes"):
                self.outcome = run_all(context)
        except BaseException as exc:  # surfaced in the main thread
            self.error = exc

    def result(self) -> Any:
        self.join()
        if self.error is not None:
            raise self.error
        return self.outcome


class Gaps:
    """The work that needs no build, started once (``start``), in threads of its own: the probes,
    the audit and the imports of what follows the builds, and the cgo analysis (``go list``) of
    the targets built with cgo."""

    def __init__(
        self, settings: Settings, config: Config, timings: Timings, *, cgo_first: Sequence[Any]
    ) -> None:
        self.settings, self.config, self.timings = settings, config, timings
        self.cgo_first = cgo_first
        self._lock = threading.Lock()
        self._started = False
        self._probes = Probes(settings, settings.targets, timings)
        self._audit: Future[Any] | None = None
        self._listed: dict[str, Future[Any]] = {}
        self._pools: list[ThreadPoolExecutor] = []

    def start(self) -> None:
        with self._lock:
            if self._started:
                return
            self._started = True
            from concurrent.futures import ThreadPoolExecutor

            self._probes.start()
            gaps = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gocross-gaps")
            lister = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gocross-list")
            self._pools = [lister, gaps]
            self._audit = gaps.submit(_audit, self.settings, self.timings)
            gaps.submit(_warm_imports)
            for job in self.cgo_first:
                self._listed[str(job.target)] = lister.submit(
                    _usage, job, self.settings, self.config, self.timings
                )

    def usage(self, job: Any) -> Any:
        """The cgo analysis of ``job``'s target: the one started early, or one run now."""
        with self._lock:
            early = self._listed.get(str(job.target))
        return early.result() if early is not None else _usage(job, self.settings, self.config, self.timings)

    def results(self) -> tuple[Any, Any]:
        """Once everything started has ended: the probes' outcome and the audit's result."""
        for pool in self._pools:
            pool.shutdown(wait=True)
        assert self._audit is not None, "Gaps.results() before start()"
        return self._probes.result(), self._audit.result()


def run(settings: Settings, config: Config) -> Report:
    """Build, inspect, diagnose and report the target matrix."""
    from . import build
    from .host import host_goarch, host_goos
    from .ports import load
    from .progress import Progress
    from .timings import Timings

    timings = Timings(started=settings.started)
    if settings.started is not None:
        timings.add("startup", time.monotonic() - settings.started)
    host = (host_goos(), host_goarch())
    with timings.span("plan"):
        known = load("go", settings.env)
        processes = settings.workers * (os.cpu_count() or 1)  # go build runs a compile per CPU
        gc = gctune.settings(settings.env, processes, gctune.available_memory())
        plan = planning.make(settings, config, known, host, gc=gc)
    works = plan.works
    runnable = list(plan.runnable)

    gaps = Gaps(settings, config, timings, cgo_first=[j for j in runnable if str(j.target) in plan.with_cgo])
    progress = Progress([str(j.target) for j in runnable])
    progress.start()
    first_wave = min(settings.workers, len(runnable))
    # More builds than slots: the gap work waits for the first build to end (see above).
    after_first_build = len(runnable) > settings.workers
    running_builds = 0
    launching = threading.Lock()

    def starting(job: Any) -> None:
        timings.mark("first-build")
        progress.building(str(job.target))

    def running(job: Any) -> None:
        # Not before the last slot's go build runs: starting the gap work takes imports and threads.
        nonlocal running_builds
        with launching:
            running_builds += 1
            if running_builds == first_wave and not after_first_build:
                gaps.start()

    def after(outcome: Any) -> None:
        work = works[str(outcome.job.target)]
        work.outcome = outcome
        # A build that passed without cgo leaves nothing for the cgo analysis to explain.
        if outcome.status != "passed" or str(outcome.job.target) in plan.with_cgo:
            work.usage = gaps.usage(outcome.job)
        if outcome.status == "passed":
            _inspect(work, settings, timings)
            if settings.smoke_args is not None:
                _smoke(work, settings.smoke_args, settings, config, timings)

    def done(outcome: Any) -> None:
        if after_first_build:
            gaps.start()  # once: the first build to end starts it
        timings.add("go-build", outcome.duration_s)
        progress.finished(str(outcome.job.target), outcome.status, outcome.duration_s, outcome.job.log)

    with timings.span("builds-wall"):
        build.run_all(
            runnable,
            workers=settings.workers,
            on_start=starting,
            on_spawned=running,
            on_done=done,
            after=after,
        )
    builds_ended = time.monotonic()
    with timings.span("wait"):
        gaps.start()  # when no build ran (or none could start)
        probed, audit_result = gaps.results()
    return _conclude(
        settings,
        config,
        plan,
        timings,
        probed=probed,
        audit_result=audit_result,
        host=host,
        go_version=known.go_version,
        builds_ended=builds_ended,
    )


def _conclude(
    settings: Settings,
    config: Config,
    plan: planning.Plan,
    timings: Timings,
    *,
    probed: Any,
    audit_result: Any,
    host: tuple[str, str],
    go_version: str,
    builds_ended: float,
) -> Report:
    """After the last build: every stage's findings together, refined, proven, reported."""
    from ..findings import Finding, Severity
    from ..probe.system import repo_root
    from . import assemble
    from . import diagnose as diagnosis
    from . import inspect as inspection

    assemble.record_outputs(plan)
    works = plan.works
    findings: list[Finding] = list(plan.findings)
    environment: dict[str, Any] = dict(probed.environment) if probed else {}
    findings += probed.findings if probed else []
    # Notices (GODEBUG defaults, go env -w leftovers) stay in `gocross audit` and environment.audit:
    # the build report keeps to what can break a target.
    findings += [f for f in audit_result.findings if f.severity is not Severity.NOTICE]
    environment.update(audit_result.environment)
    failed = [w for w in works.values() if w.failed]
    if failed:
        with timings.span("diagnose"):
            findings += diagnosis.failed_builds(failed, probed, host, config)
    for work in works.values():
        findings += work.findings
    with timings.span("refine"):
        findings = diagnosis.refine(findings, works, environment=environment, probes=probed, host=host)
    attempts: dict[str, Any] | None = None
    if settings.verify_fixes:
        from . import prove

        with timings.span("prove"):
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
        go_version=go_version,
        attempts=attempts,
        timings=timings,
        repo_root=repo_root(settings.module_dir),
        builds_ended=builds_ended,
    )


def _audit(settings: Settings, timings: Timings) -> Any:
    """The repository's Dockerfiles, workflows and Go settings (``gocross audit``)."""
    from .. import audit
    from ..probe.system import repo_root

    with timings.span("audit"):
        root = repo_root(settings.module_dir) or settings.module_dir
        return audit.run(root, targets=settings.targets, env=settings.env)


def _warm_imports() -> None:
    """Import, while the builds run, what every run needs after them: the refinement of the
    findings, the report and its renderers (an import error surfaces where the module is used)."""
    import importlib

    for name in _AFTER_BUILDS:
        try:
            importlib.import_module(name, __package__)
        except Exception:
            continue


_AFTER_BUILDS = (
    "..diagnose.explain",
    "..diagnose.preconditions",
    "..diagnose.fixes",
    "..cdeps",
    ".verify",
    ".diagnose",
    ".assemble",
    "..report.jsonfmt",
    "..report.text",
)


def _usage(job: Any, settings: Settings, config: Config, timings: Timings) -> Any:
    """The cgo analysis of one target (``go list -deps`` with its settings)."""
    from . import cgo
    from .filesets import tags_of

    with timings.span("cgo-analysis"):
        return cgo.analyse(
            target=job.target,
            package=config.package,
            cwd=settings.module_dir,
            env=job.env,
            tags=tags_of(job.argv),
        )


def _inspect(work: TargetWork, settings: Settings, timings: Timings) -> None:
    from . import inspect as inspection

    with timings.span("inspection"):
        work.binary, judged = inspection.binary(
            work.job.output,
            target=work.job.target,
            module_dir=settings.module_dir,
            judging=settings.judging(),
        )
        work.findings += judged


def _smoke(
    work: TargetWork, args: tuple[str, ...], settings: Settings, config: Config, timings: Timings
) -> None:
    """Run a built binary once; a failed run is a finding, its output diagnosed like a log."""
    from . import smoke
    from .diagnose import smoke_causes

    with timings.span("smoke"):
        work.smoke = smoke.run(work.job.target, work.job.output, args, env=settings.env)
    problem = smoke.finding(work.smoke)
    if problem is not None:
        work.findings.append(problem)
        work.findings += smoke_causes(work, config)
