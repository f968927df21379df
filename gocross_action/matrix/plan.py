"""Plan: what the run will do, decided before anything is built.

The targets (each once), the run's settings, the ports this Go supports (a target it cannot build
is a finding, not a build), one ``go build`` job per buildable target, and the order they start
in: the targets built with cgo first (they link with the C toolchain, so they are the longest),
so that the last build to finish is a short one. Pure: no process runs here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..boundary import paths
from ..config import Config, TargetConfig
from ..targets import default_targets, parse_list
from . import build
from .work import TargetWork

if TYPE_CHECKING:
    from ..deploy import DeploySystem
    from ..findings import Finding
    from ..output import ReportDir
    from .ports import Ports


@dataclass(frozen=True, kw_only=True)
class Settings:
    """What the user asked for (the command line over the config), checked."""

    module_dir: Path
    targets: tuple[TargetConfig, ...]
    deploy: tuple[DeploySystem, ...]
    glibc_max: str | None
    require_static: bool
    smoke_args: tuple[str, ...] | None
    verify_fixes: bool
    workers: int
    env: Mapping[str, str]
    report_dir: ReportDir | None = None
    started: float | None = None  # time.monotonic() at the start of the gocross process, when known

    def judging(self) -> dict[str, Any]:
        """The expectations every binary is judged against (``checks.binary.judge``)."""
        return {"deploy": self.deploy, "glibc_max": self.glibc_max, "require_static": self.require_static}


@dataclass(frozen=True, kw_only=True)
class Plan:
    works: dict[str, TargetWork]  # every target, in the order the report lists them
    runnable: tuple[build.BuildJob, ...]  # in the order they start
    with_cgo: frozenset[str]  # targets built with cgo (their cgo analysis need not wait)
    findings: tuple[Finding, ...]  # from before any build: ports, outputs not ours
    out_dir: Path
    manifest: build.Manifest
    gc: Mapping[str, str]  # the collector's settings the builds run with (``gctune``), if any


def choose_targets(given: str | None, config: Config) -> list[TargetConfig]:
    """The targets to build, each once (a target listed twice, by --targets or the Action's
    input, is built once: the first listing wins)."""
    if not given:
        chosen = list(config.targets) or [TargetConfig(target=t) for t in default_targets()]
    else:
        configured = {str(tc.target): tc for tc in config.targets}
        chosen = [configured.get(str(t), TargetConfig(target=t)) for t in parse_list(given)]
    unique: dict[str, TargetConfig] = {}
    for tc in chosen:
        unique.setdefault(str(tc.target), tc)
    return list(unique.values())


def make(
    settings: Settings,
    config: Config,
    ports: Ports,
    host: tuple[str, str],
    *,
    gc: Mapping[str, str] | None = None,
) -> Plan:
    """The jobs for the targets ``ports`` can build, written only where gocross may write;
    ``gc`` is the garbage collector's settings for the builds (``gctune``), on top of the
    inherited environment."""
    from .host import cgo_by_default
    from .ports import validate

    validation = validate(settings.targets, ports, settings.env)
    findings: list[Finding] = list(validation.findings)
    module_dir = settings.module_dir
    # Everything the builds write stays in the workspace, never through a symlink.
    roots = paths.roots(module_dir)
    out_dir = paths.lexical(Path(config.build.out), module_dir)
    log_dir = module_dir / ".gocross" / "logs"
    name = build.binary_name(module_dir, config.package)
    manifest = build.Manifest.load(out_dir, roots)
    works = {
        str(tc.target): TargetWork(tc=tc, skip_reason=validation.skipped.get(str(tc.target)))
        for tc in settings.targets
    }
    runnable = []
    for tc in validation.buildable:
        work = works[str(tc.target)]
        work.job = build.make_job(
            module_dir=module_dir,
            config=config,
            tc=tc,
            base_env={**settings.env, **(gc or {})},
            out_dir=out_dir,
            log_dir=log_dir,
            name=name,
            roots=roots,
        )
        if not manifest.may_write(work.job.output):
            findings.append(output_taken(tc, work.job.output))
            work.skip_reason = "output path taken"
            continue
        runnable.append(work.job)
    with_cgo = frozenset(str(j.target) for j in runnable if cgo_by_default(j.target, j.env, host))
    runnable.sort(key=lambda job: str(job.target) not in with_cgo)
    return Plan(
        works=works,
        runnable=tuple(runnable),
        with_cgo=with_cgo,
        findings=tuple(findings),
        out_dir=out_dir,
        manifest=manifest,
        gc=dict(gc or {}),
    )


def output_taken(tc: TargetConfig, path: Path) -> Finding:
    from ..findings import Evidence, Finding, Fix, Severity

    return Finding(
        rule="config.output-exists",
        category="other",
        severity=Severity.ERROR,
        target=str(tc.target),
        title=f"{path.name} exists and was not written by gocross",
        root_cause=(
            f"The output path {path} holds a file that gocross did not create (it is not in the "
            "output directory's manifest), so gocross will not overwrite it."
        ),
        evidence=(Evidence(source="config", text=str(path)),),
        fix=Fix(summary="Move the file away, or set build.out (or the target's output) to another path"),
    )
