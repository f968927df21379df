"""Assemble: what the run leaves behind. The output directory's manifest (the binaries gocross
wrote), the build logs copied into the report directory, and the report itself: per-target
results, the binaries' facts, the environment (probes, audit, build commands, cgo analysis,
smoke runs, fix attempts, timings), every path inside the module shown relative to it."""

from __future__ import annotations

import dataclasses
import shlex
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..boundary import paths
from ..errors import InputError
from ..findings import Finding
from ..report.model import Context, Report, TargetResult
from .inspect import relative
from .work import TargetWork

if TYPE_CHECKING:
    from ..config import Config
    from ..output import ReportDir
    from .plan import Plan, Settings


def record_outputs(plan: Plan) -> None:
    """The manifest lists the binaries this run wrote and forgets the ones a failed build left."""
    for work in plan.works.values():
        if work.passed:
            plan.manifest.record(work.outcome.job.output)
        elif work.outcome is not None:
            plan.manifest.remove_stale(work.outcome.job.output)
    if plan.runnable:
        plan.manifest.save()


def report(
    *,
    settings: Settings,
    config: Config,
    plan: Plan,
    findings: Sequence[Finding],
    environment: dict[str, Any],
    go_version: str,
    attempts: Mapping[str, Any] | None,
    timings: Any,
    repo_root: Path | None,
    builds_ended: float | None = None,
) -> Report:
    """The report of the run. ``attempts`` is None without ``--verify-fixes``; ``builds_ended``
    (a ``time.monotonic()`` value) times what followed the last build."""
    began = time.monotonic()
    module_dir = settings.module_dir
    works = plan.works
    results = [result(w, module_dir, settings.report_dir) for w in works.values()]
    environment["build"] = {
        "go_version": go_version,
        "jobs": settings.workers,
        "out": relative(plan.out_dir, module_dir),
        # GOGC/GOMEMLIMIT for the Go toolchain's own collector (not a build input; see gctune).
        "gc": dict(plan.gc),
        "targets": {
            t: {
                "command": shlex.join([Path(w.job.argv[0]).name, *w.job.argv[1:]]),
                "env": dict(w.job.overrides),
            }
            for t, w in works.items()
            if w.job is not None
        },
    }
    environment["cgo-usage"] = {t: w.usage.to_json() for t, w in works.items() if w.usage is not None}
    if settings.smoke_args is not None:
        environment["smoke"] = {t: w.smoke.to_json() for t, w in works.items() if w.smoke is not None}
    failed = any(w.failed for w in works.values())
    if attempts is not None and (failed or attempts):  # also when no fix could be tried: the report says so
        environment["verify-fixes"] = dict(attempts)
    now = time.monotonic()
    timings.add("assemble", now - began)
    if builds_ended is not None:
        timings.add("after-builds", now - builds_ended)
    environment["timings"] = timings.to_json()
    root = repo_root or module_dir  # the repository holding the module, else the module
    # Paths inside the module are shown relative to it (as binaries are): in the Action the module
    # lies under /github/workspace, a path that no later step on the runner has.
    results = [dataclasses.replace(r, log=module_relative(r.log, module_dir)) for r in results]
    return Report.build(
        context=Context(
            command="check",
            config=relative(config.path, root) if config.path else None,
            go_mod=relative(module_dir / "go.mod", root),
        ),
        findings=list(findings),
        targets=results,
        binaries=[w.binary for w in works.values() if w.binary is not None],
        environment=module_relative(environment, module_dir),
    )


def module_relative(value: Any, module_dir: Path) -> Any:
    """``value`` (JSON-like) with every path under ``module_dir`` made relative to it, also inside
    command lines (``go build -o <module>/.gocross/dist/x .`` -> ``-o .gocross/dist/x``)."""
    return _relative(value, str(module_dir.resolve()).rstrip("/") + "/")


def _relative(value: Any, prefix: str) -> Any:
    if isinstance(value, str):
        if value == prefix[:-1]:
            return "."
        return value.replace(prefix, "")
    if isinstance(value, Mapping):
        return {key: _relative(item, prefix) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_relative(item, prefix) for item in value]
    return value


def result(work: TargetWork, module_dir: Path, report_dir: ReportDir | None) -> TargetResult:
    """One target's line in the report; its log (and its trial rebuilds' logs) copied into the
    report directory when there is one."""
    target = str(work.tc.target)
    if work.outcome is None:
        return TargetResult(target=target, status="skipped")
    log = work.outcome.job.log
    shown = str(log)
    if report_dir is not None:
        copied = report_dir.path / "logs" / log.name
        roots = (
            report_dir.roots
            if work.outcome.job.roots is None
            else _both(report_dir.roots, work.outcome.job.roots)
        )
        try:
            _copy(log, copied, roots)
            shown = str(copied)
            for verify_log in sorted(log.parent.glob(log.name.replace(".log", ".verify*.log"))):
                _copy(verify_log, copied.with_name(verify_log.name), roots)
        except OSError as exc:
            raise InputError(f"cannot copy {log} into {report_dir.path}: {exc.strerror or exc}") from None
    passed = work.outcome.status == "passed"
    return TargetResult(
        target=target,
        status=work.outcome.status,
        duration_s=work.outcome.duration_s,
        binary=relative(work.outcome.job.output, module_dir) if passed else None,
        log=shown,
    )


def _copy(source: Path, dest: Path, roots: paths.Roots) -> None:
    """Copy a log into the report directory, unless it is already there (``--report-dir .gocross``
    names the folder the build logs are written to); never through a symlink."""
    if paths.lexical(source) == paths.lexical(dest):
        return
    paths.copy_file(source, dest, roots)


def _both(first: paths.Roots, second: paths.Roots) -> paths.Roots:
    """Roots allowing what either allows (the logs' and the report directory's)."""
    extra = [r for r in second.all() if r not in first.all()]
    for directory in extra:
        first = first.adding(directory)
    return first
