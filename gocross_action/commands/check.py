"""`gocross check`: build the target matrix, verify the environment, inspect and smoke-test the
binaries, diagnose the failures and (with ``--verify-fixes``) prove the fixes by rebuilding.

Order of work: targets are validated against this Go's ports before anything runs; then the
probes (one thread) run alongside the builds (``--jobs`` threads), and each build thread goes on
to analyse cgo use, inspect and smoke-test its own binary; failed targets are then diagnosed
with the probe facts, and their top fixes rebuilt.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shlex
import tempfile
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import output
from ..boundary import paths
from ..config import Config, TargetConfig
from ..errors import ConfigError, InputError, UsageError
from ..findings import Evidence, Finding, Fix, Severity, order
from ..report.model import Context, Report, TargetResult
from ..targets import default_targets, parse_list


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dir", nargs="?", default=".", metavar="DIR", help="the Go module (default: .)")
    parser.add_argument(
        "--targets", metavar="LIST", help="goos/goarch[/variant] list, comma or space separated"
    )
    parser.add_argument(
        "--deploy",
        action="append",
        metavar="SYSTEM",
        help="where the binaries run (debian:11, alpine:3.20, ...); repeatable",
    )
    from ..deploy import glibc_option

    parser.add_argument(
        "--glibc-max", metavar="X.Y", type=glibc_option, help="newest GLIBC symbol version a binary may need"
    )
    parser.add_argument(
        "--require-static", action="store_true", default=None, help="every ELF binary must be static"
    )
    parser.add_argument("--smoke", metavar="ARGS", help="run each binary with ARGS (natively or under qemu)")
    parser.add_argument(
        "--verify-fixes", action="store_true", default=None, help="rebuild failed targets with their top fix"
    )
    parser.add_argument("--jobs", type=int, metavar="N", help="parallel builds (default: CPU count)")


def run(args: argparse.Namespace) -> int:
    from .. import config as config_module

    module_dir = Path(getattr(args, "dir", None) or ".")
    config = config_module.load(Path(args.config) if args.config else None, start=module_dir)
    return output.emit(build_report(args, config), args, config)


@dataclass(kw_only=True)
class _TargetWork:
    """What the threads learned about one target (each field written by one thread)."""

    tc: TargetConfig
    job: Any = None  # build.BuildJob
    outcome: Any = None  # build.BuildOutcome
    usage: Any = None  # cgo.CgoUsage
    binary: Mapping[str, Any] | None = None
    smoke: Any = None  # smoke.SmokeResult
    findings: list[Finding] = field(default_factory=list)
    skip_reason: str | None = None
    _log_text: str | None = field(default=None, init=False, repr=False)  # not copied by replace()

    def log_text(self) -> str:
        """The build log's text, read once (its first LOG_TEXT_LIMIT bytes: the build decides
        the log's size) for the analyses that need it whole."""
        if self._log_text is None:
            self._log_text = _read_log(self.outcome.job.log)
        return self._log_text


# Build logs are read whole for the file-set, probe-fact and fix analyses; past this size only
# the head is (the rules stream the whole log).
LOG_TEXT_LIMIT = 16 * 1024 * 1024


def _read_log(log: Path) -> str:
    from ..boundary.read import read_head

    try:
        return read_head(log, limit=LOG_TEXT_LIMIT, what="build log").decode("utf-8", errors="replace")
    except InputError:
        return ""


def _targets(args: argparse.Namespace, config: Config) -> list[TargetConfig]:
    """The targets to build, each once (a target listed twice, by --targets or the Action's
    input, is built once: the first listing wins)."""
    given = getattr(args, "targets", None)
    if not given:
        chosen = list(config.targets) or [TargetConfig(target=t) for t in default_targets()]
    else:
        configured = {str(tc.target): tc for tc in config.targets}
        chosen = [configured.get(str(t), TargetConfig(target=t)) for t in parse_list(given)]
    unique: dict[str, TargetConfig] = {}
    for tc in chosen:
        unique.setdefault(str(tc.target), tc)
    return list(unique.values())


def _smoke_args(args: argparse.Namespace, config: Config) -> tuple[str, ...] | None:
    text = getattr(args, "smoke", None)
    if text is not None:
        try:
            return tuple(shlex.split(text))
        except ValueError as exc:
            raise UsageError(f"--smoke: {exc}") from None
    return config.smoke


def _module_dir(args: argparse.Namespace) -> Path:
    directory = Path(getattr(args, "dir", None) or ".").resolve()
    if not directory.is_dir():
        raise InputError(f"{directory} is not a directory")
    if not (directory / "go.mod").is_file():
        raise InputError(
            f"{directory} has no go.mod: gocross check builds a Go module (run it in the module)"
        )
    return directory


def _cpu_count() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _relative(path: Path, base: Path) -> str:
    try:
        return str(path.resolve().relative_to(base))
    except ValueError:
        return str(path)


def _output_taken(tc: TargetConfig, path: Path) -> Finding:
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


def _fallback(target: str, log: Path, text: str) -> Finding:
    """The build failed and no rule knows why: the evidence is the line that ended it (the
    last non-empty line, with its line number), then the lines just above it."""
    numbered = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
    evidence: tuple[Evidence, ...]
    if numbered:
        last_no, last = numbered[-1]
        above = "\n".join(line for _, line in numbered[-5:-1])
        evidence = (Evidence(source="log", text=last[:400], line=last_no),)
        if above:
            evidence += (Evidence(source="log", text=above[:1000], line=numbered[-5:-1][0][0]),)
    else:
        evidence = (Evidence(source="log", text="(the build printed nothing)"),)
    return Finding(
        rule="log.build-failed",
        category="other",
        severity=Severity.ERROR,
        target=target,
        title=f"go build failed for {target}",
        root_cause="The build failed with an error no diagnosis rule recognises; its last lines are below.",
        evidence=evidence,
        fix=Fix(summary=f"Read the log ({log.name}); a user rule in the config can teach gocross this error"),
    )


class _Probes(threading.Thread):
    """The environment probes, run once, alongside the builds."""

    def __init__(
        self, module_dir: Path, targets: Sequence[TargetConfig], env: Mapping[str, str], timings: Any
    ) -> None:
        super().__init__(name="gocross-probes", daemon=True)
        self.module_dir, self.targets, self.env, self.timings = module_dir, targets, env, timings
        self.outcome: Any = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            from ..probe import ProbeContext, run_all

            with self.timings.span("probes"):
                self.outcome = run_all(
                    ProbeContext(module_dir=self.module_dir, targets=self.targets, env=self.env)
                )
        except BaseException as exc:  # surfaced in the main thread
            self.error = exc


def _facts(work: _TargetWork, probes: Any, host: tuple[str, str]) -> Any:
    import dataclasses

    from ..diagnose.facts import Facts

    names = {f.name for f in dataclasses.fields(Facts)}
    values: dict[str, Any] = {}
    if probes is not None:
        values.update(
            {k: v for k, v in probes.facts_by_target.get(str(work.tc.target), {}).items() if k in names}
        )
        values.setdefault("probes", {n: f.get("status") for n, f in probes.environment.items()})
        values.setdefault("distribution", (probes.environment.get("libc") or {}).get("distribution"))
    env = dict(work.job.env)
    goos = work.tc.target.goos
    default_cc = "clang" if goos in ("darwin", "ios", "freebsd", "openbsd") else "gcc"
    values.update(target=work.tc.target, env=env, cc=env.get("CC") or values.get("cc") or default_cc)
    values.setdefault("host_goos", host[0])
    values.setdefault("host_goarch", host[1])
    if work.usage is not None:
        values["cgo"] = work.usage.enabled if work.usage.enabled is not None else values.get("cgo")
        values["cgo_packages"] = work.usage.packages
    return Facts(**{k: v for k, v in values.items() if k in names})


def build_report(args: argparse.Namespace, config: Config) -> Report:
    from .. import build, cgo, ports, smoke, verify
    from ..deploy import resolve
    from ..filesets import tags_of
    from ..probe.system import repo_root
    from ..progress import Progress
    from ..timings import Timings

    timings = Timings()
    module_dir = _module_dir(args)
    # Everything the run writes stays in the workspace: a config that says otherwise is refused
    # before anything is built.
    problems = paths.config_write_problems(config, module_dir=module_dir)
    if problems:
        raise ConfigError(str(config.path) if config.path else "config", problems)
    _check_output_dir(args)
    targets = _targets(args, config)
    deploy = [resolve(spec) for spec in (getattr(args, "deploy", None) or config.deploy)]
    glibc_max = getattr(args, "glibc_max", None) or config.glibc_max
    require_static = bool(getattr(args, "require_static", None) or config.require_static)
    smoke_args = _smoke_args(args, config)
    verify_fixes = bool(getattr(args, "verify_fixes", None) or config.verify_fixes)
    jobs_wanted = getattr(args, "jobs", None)
    if jobs_wanted is not None and jobs_wanted < 1:
        raise UsageError("--jobs must be at least 1")
    workers = jobs_wanted or _cpu_count()
    base_env = dict(os.environ)
    host = (smoke.host_goos(), smoke.host_goarch())

    with timings.span("ports"):
        known = ports.load("go", base_env)
        validation = ports.validate(targets, known, base_env)
    findings: list[Finding] = list(validation.findings)

    # Everything the builds write stays in the workspace, never through a symlink.
    roots = paths.roots(module_dir)
    out_dir = paths.lexical(Path(config.build.out), module_dir)
    log_dir = module_dir / ".gocross" / "logs"
    name = build.binary_name(module_dir, config.package)
    manifest = build.Manifest.load(out_dir, roots)
    works = {
        str(tc.target): _TargetWork(tc=tc, skip_reason=validation.skipped.get(str(tc.target)))
        for tc in targets
    }
    runnable = []
    for tc in validation.buildable:
        work = works[str(tc.target)]
        work.job = build.make_job(
            module_dir=module_dir,
            config=config,
            tc=tc,
            base_env=base_env,
            out_dir=out_dir,
            log_dir=log_dir,
            name=name,
            roots=roots,
        )
        if not manifest.may_write(work.job.output):
            findings.append(_output_taken(tc, work.job.output))
            work.skip_reason = "output path taken"
            continue
        runnable.append(work.job)

    probes = _Probes(module_dir, targets, base_env, timings)
    progress = Progress([str(j.target) for j in runnable])
    progress.start()
    # The longest builds first (cgo ones link with the C toolchain), so the last build to finish
    # is a short one; the report keeps the targets' order.
    with_cgo = {str(j.target) for j in runnable if cgo.enabled_by_default(j.target, j.env, host)}
    runnable.sort(key=lambda job: str(job.target) not in with_cgo)
    # The builds start first. Once every build slot is busy, the probes start, and so does the
    # cgo analysis (go list) of the targets built with cgo, which does not wait for their build:
    # both fill the gaps instead of lengthening the tail; inspection follows each build.
    first_wave = min(workers, len(runnable))
    launched: list[str] = []
    launching = threading.Lock()
    lister = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gocross-list")
    listed: dict[str, Future[Any]] = {}

    def usage_of(job: Any) -> Any:
        with timings.span("cgo-analysis"):
            return cgo.analyse(
                target=job.target,
                package=config.package,
                cwd=module_dir,
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
                    if str(early.target) in with_cgo:
                        listed[str(early.target)] = lister.submit(usage_of, early)

    def after(outcome: Any) -> None:
        work = works[str(outcome.job.target)]
        work.outcome = outcome
        # A build that passed without cgo leaves nothing for the cgo analysis to explain.
        if outcome.status != "passed" or str(outcome.job.target) in with_cgo:
            with launching:
                early = listed.get(str(outcome.job.target))
            work.usage = early.result() if early is not None else usage_of(outcome.job)
        if outcome.status != "passed":
            return
        from ..checks.binary import judge
        from ..inspect import read

        # Named as in the targets table (relative to the module), not by this machine's absolute path.
        with timings.span("inspection"):
            info = dataclasses.replace(
                read(outcome.job.output), path=_relative(outcome.job.output, module_dir)
            )
            work.binary = info.to_json()
            work.findings += judge(
                info,
                expect=outcome.job.target,
                deploy=deploy,
                glibc_max=glibc_max,
                require_static=require_static,
                target=str(outcome.job.target),
            )
        if smoke_args is not None:
            with timings.span("smoke"):
                work.smoke = smoke.run(outcome.job.target, outcome.job.output, smoke_args, env=base_env)
            problem = smoke.finding(work.smoke)
            if problem is not None:
                work.findings.append(problem)
                work.findings += _smoke_causes(work, config)

    def done(outcome: Any) -> None:
        timings.add("go-build", outcome.duration_s)
        progress.finished(str(outcome.job.target), outcome.status, outcome.duration_s, outcome.job.log)

    with timings.span("builds-wall"):
        build.run_all(
            runnable,
            workers=workers,
            on_start=starting,
            on_done=done,
            after=after,
        )
    lister.shutdown(wait=True)
    if not first_wave:
        probes.start()
    with timings.span("probes-wait"):
        probes.join()
    if probes.error is not None:
        raise probes.error
    for work in works.values():
        if work.outcome is not None and work.outcome.status == "passed":
            manifest.record(work.outcome.job.output)
        elif work.outcome is not None:
            manifest.remove_stale(work.outcome.job.output)
    if runnable:
        manifest.save()

    environment: dict[str, dict[str, Any]] = dict(probes.outcome.environment) if probes.outcome else {}
    findings += probes.outcome.findings if probes.outcome else []
    from .. import audit  # the repository's Dockerfiles, workflows and Go settings (issue 13)

    audited = audit.run(repo_root(module_dir) or module_dir, targets=targets, env=base_env)
    # Notices (GODEBUG defaults, go env -w leftovers) stay in `gocross audit` and environment.audit:
    # the build report keeps to what can break a target.
    findings += [f for f in audited.findings if f.severity is not Severity.NOTICE]
    environment.update(audited.environment)
    failed = [w for w in works.values() if w.outcome is not None and w.outcome.status == "failed"]
    if failed:
        with timings.span("diagnose"):
            findings += _diagnose(failed, probes.outcome, host, config)
    for work in works.values():
        findings += work.findings
    findings = _probe_guesses_on_passed(works, findings)
    findings = _complete_fixes(list(works.values()), findings, verify)
    from ..diagnose.explain import with_probe_facts
    from ..diagnose.preconditions import demote_met

    findings = with_probe_facts(
        findings,
        logs={str(w.tc.target): w.log_text() for w in failed},
        cgo_facts=(environment.get("cgo") or {}).get("targets") or {},
    )

    findings = demote_met(findings, {str(w.tc.target): w.job.env for w in failed})
    findings = _costed(findings, probes.outcome, host)

    attempts: dict[str, Any] = {}
    if verify_fixes:
        judging = {"deploy": deploy, "glibc_max": glibc_max, "require_static": require_static}
        findings, attempts = _verify(
            list(works.values()),
            findings,
            verify,
            workers=workers,
            diagnoser=lambda work: _trial_diagnoser(work, probes.outcome, host, config, verify),
            judging=judging,
        )

    report_dir = output.report_dir(args, config, module_dir=module_dir)
    results = [_result(w, module_dir, report_dir) for w in works.values()]
    environment["build"] = {
        "go_version": known.go_version,
        "jobs": workers,
        "out": _relative(out_dir, module_dir),
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
    if smoke_args is not None:
        environment["smoke"] = {t: w.smoke.to_json() for t, w in works.items() if w.smoke is not None}
    if verify_fixes and (failed or attempts):  # also when no fix could be tried: the report says so
        environment["verify-fixes"] = attempts
    environment["timings"] = timings.to_json()
    root = repo_root(module_dir) or module_dir  # the repository holding the module, else the module
    # Paths inside the module are shown relative to it (as binaries are): in the Action the module
    # lies under /github/workspace, a path that no later step on the runner has.
    results = [dataclasses.replace(r, log=_module_relative(r.log, module_dir)) for r in results]
    environment = _module_relative(environment, module_dir)
    return Report.build(
        context=Context(
            command="check",
            config=_relative(config.path, root) if config.path else None,
            go_mod=_relative(module_dir / "go.mod", root),
        ),
        findings=findings,
        targets=results,
        binaries=[w.binary for w in works.values() if w.binary is not None],
        environment=environment,
    )


def _module_relative(value: Any, module_dir: Path) -> Any:
    """``value`` (JSON-like) with every path under ``module_dir`` made relative to it, also inside
    command lines (``go build -o <module>/.gocross/dist/x .`` -> ``-o .gocross/dist/x``)."""
    prefix = str(module_dir.resolve()).rstrip("/") + "/"
    if isinstance(value, str):
        if value == prefix[:-1]:
            return "."
        return value.replace(prefix, "")
    if isinstance(value, Mapping):
        return {key: _module_relative(item, module_dir) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_module_relative(item, module_dir) for item in value]
    return value


def _copy(source: Path, dest: Path, roots: paths.Roots) -> None:
    """Copy a log into the report directory, unless it is already there (``--report-dir .gocross``
    names the folder the build logs are written to); never through a symlink."""
    if paths.lexical(source) == paths.lexical(dest):
        return
    paths.copy_file(source, dest, roots)


def _result(work: _TargetWork, module_dir: Path, report_dir: output.ReportDir | None) -> TargetResult:
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
        binary=_relative(work.outcome.job.output, module_dir) if passed else None,
        log=shown,
    )


def _both(first: paths.Roots, second: paths.Roots) -> paths.Roots:
    """Roots allowing what either allows (the logs' and the report directory's)."""
    extra = [r for r in second.all() if r not in first.all()]
    for directory in extra:
        first = first.adding(directory)
    return first


def _diagnose(
    failed: Sequence[_TargetWork], probes: Any, host: tuple[str, str], config: Config
) -> list[Finding]:
    from .. import cgo
    from ..diagnose.engine import diagnose_file
    from ..diagnose.rules import load_rules

    rules = load_rules(config.rules)
    found: list[Finding] = []
    for work in failed:
        target = str(work.tc.target)
        log = work.outcome.job.log
        log_text = work.log_text()
        facts = _facts(work, probes, host)
        own = list(diagnose_file(log, facts=facts, rules=rules))
        own = [f if f.target else _with_target(f, target) for f in own]
        own = _all_missing(own, work, facts)
        if work.usage is not None:
            # Facts that explain the log's own lines: the target's file sets (go list).
            own += cgo.explain_undefined(work.usage, log_text, work.job.cwd)
            cause = cgo.required_but_disabled(work.usage, log_text)
            if cause is not None:
                own.append(cause)
        if not any(f.severity is Severity.ERROR for f in own):
            own.append(_fallback(target, log, log_text))
        found += own
    return found


def _complete_fixes(works: Sequence[_TargetWork], findings: list[Finding], verify: Any) -> list[Finding]:
    """Give a failed target's error findings, and a built binary's, the machine-applicable changes
    the facts allow."""
    by_target = {str(w.tc.target): w for w in works if w.outcome is not None}
    completed = []
    for finding in findings:
        work = by_target.get(finding.target or "")
        if work is None or finding.severity is not Severity.ERROR:
            completed.append(finding)
            continue
        if work.outcome.status == "passed" and not finding.rule.startswith("artifact."):
            completed.append(finding)
            continue
        completed.append(
            verify.complete(
                finding,
                target=work.tc.target,
                usage=work.usage,
                env=work.job.env,
                log_text=work.log_text(),
            )
        )
    return completed


def _with_target(finding: Finding, target: str) -> Finding:
    import dataclasses

    return dataclasses.replace(finding, target=target)


def _smoke_causes(work: _TargetWork, config: Config) -> list[Finding]:
    """A failed smoke run's output, diagnosed with the build-log rules (go-sqlite3's stub says
    "Binary was compiled with 'CGO_ENABLED=0'...")."""
    from ..diagnose.engine import diagnose_lines
    from ..diagnose.facts import Facts
    from ..diagnose.rules import load_rules

    target = str(work.tc.target)
    facts = Facts(target=work.tc.target, env=dict(work.job.env))
    found = diagnose_lines(work.smoke.output.splitlines(), facts=facts, rules=load_rules(config.rules))
    note = Evidence(source="artifact", text=f"printed by the smoke run of {work.job.output.name}")
    return [
        dataclasses.replace(f, target=target, evidence=(*f.evidence, note))
        for f in found
        if f.severity is not Severity.NOTICE and f.category != "other"
    ]


def _check_output_dir(args: argparse.Namespace) -> None:
    """``--output`` into a directory that does not exist is refused before anything is built."""
    target = getattr(args, "output", None)
    if target and not Path(target).resolve().parent.is_dir():
        raise InputError(f"--output {target}: directory {Path(target).parent} does not exist")


# Categories a probe can only guess at before the build: a target that built proves them wrong.
_BUILD_FAILURE_CATEGORIES = frozenset(
    {
        "cgo-no-c-compiler",
        "cgo-wrong-compiler",
        "cgo-headers-libs",
        "windows-toolchain",
        "darwin-ios-android-toolchain",
        "cgo-required-but-disabled",
    }
)


def _probe_guesses_on_passed(works: Mapping[str, _TargetWork], findings: list[Finding]) -> list[Finding]:
    """A target that built carries no build-failure error from a probe's guess: such a finding
    becomes a warning that says the build passed."""
    passed = {t for t, w in works.items() if w.outcome is not None and w.outcome.status == "passed"}
    kept = []
    for finding in findings:
        if (
            finding.target in passed
            and finding.rule.startswith("probe.")
            and finding.severity is Severity.ERROR
            and finding.category in _BUILD_FAILURE_CATEGORIES
        ):
            finding = dataclasses.replace(
                finding,
                severity=Severity.WARNING,
                evidence=(
                    *finding.evidence,
                    Evidence(source="config", text=f"the build for {finding.target} passed all the same"),
                ),
            )
        kept.append(finding)
    return kept


def _all_missing(own: list[Finding], work: _TargetWork, facts: Any) -> list[Finding]:
    """A missing header or library in the log: every header and library the target's cgo packages
    lack, found at once with the target's compiler, and one install line for all of them."""
    from .. import cscan
    from ..diagnose import fixes

    wanted = {"log.cgo.missing-header", "log.cgo.missing-library"}
    if not any(f.rule in wanted for f in own) or work.usage is None or not work.usage.packages:
        return own
    env = work.job.env
    missing = cscan.missing(
        packages=work.usage.packages, cc=facts.compiler or "gcc", cwd=work.job.cwd, env=env
    )
    if not missing:
        return own
    from .. import cdeps

    found = [(k, h) for h in missing.headers if (k := cdeps.package_for("header", h))]
    found += [(k, f"-l{lib}") for lib in missing.libraries if (k := cdeps.package_for("library", lib))]
    unknown = [h for h in missing.headers if not cdeps.package_for("header", h)]
    unknown += [f"-l{lib}" for lib in missing.libraries if not cdeps.package_for("library", lib)]
    root = cdeps.runner_is_root()
    fix = fixes.install_fix(
        found,
        target=work.tc.target,
        manager=fixes.system_manager(facts),
        host_goarch=facts.host_goarch,
        root=root,
    )
    if fix is None:
        return own
    if unknown:
        fix = dataclasses.replace(
            fix, summary=f"{fix.summary}; also missing, not in the package table: {', '.join(unknown)}"
        )
    text = ", ".join([*missing.headers, *(f"-l{lib}" for lib in missing.libraries)])
    evidence = Evidence(
        source="probe", text=f"{facts.compiler or 'gcc'} cannot find for {work.tc.target}: {text}"
    )
    out = []
    for finding in own:
        if finding.rule in wanted:
            finding = dataclasses.replace(finding, fix=fix, evidence=(*finding.evidence, evidence))
        out.append(finding)
    return out


def _costed(findings: list[Finding], probes: Any, host: tuple[str, str]) -> list[Finding]:
    """Every fix states its cost, fitted to this machine's package manager and user."""
    from .. import cdeps
    from ..diagnose import fixes

    distribution = (probes.environment.get("libc") or {}).get("distribution") if probes else None
    manager = cdeps.manager_for(distribution=distribution, host_goos=host[0])
    root = cdeps.runner_is_root()
    return [
        dataclasses.replace(f, fix=fixes.with_cost(f.fix, target=f.target, manager=manager, root=root))
        if f.fix is not None
        else f
        for f in findings
    ]


def _trial_diagnoser(
    work: _TargetWork, probes: Any, host: tuple[str, str], config: Config, verify: Any
) -> Any:
    """How a failed trial rebuild of ``work`` is diagnosed: its log, with the trial's environment."""
    from ..diagnose.engine import diagnose_file
    from ..diagnose.rules import load_rules

    rules = load_rules(config.rules)

    def diagnose(trial: Any) -> list[Finding]:
        facts = _facts(dataclasses.replace(work, job=trial), probes, host)
        found = [
            f if f.target else _with_target(f, str(work.tc.target))
            for f in diagnose_file(trial.log, facts=facts, rules=rules)
        ]
        found = _all_missing(found, dataclasses.replace(work, job=trial), facts)
        text = _read_log(trial.log)
        return order(
            verify.complete(f, target=work.tc.target, usage=work.usage, env=trial.env, log_text=text)
            for f in found
        )

    return diagnose


def _trial_judge(work: _TargetWork, module_dir: Path, judging: Mapping[str, Any]) -> Any:
    """How a trial rebuild's binary is judged: as the original was, against the same systems."""
    from ..checks.binary import judge
    from ..inspect import read

    def judge_trial(trial: Any) -> list[Finding]:
        return judge(read(trial.output), expect=trial.target, target=str(trial.target), **judging)

    return judge_trial


def _verify(
    works: Sequence[_TargetWork],
    findings: list[Finding],
    verify: Any,
    *,
    workers: int,
    diagnoser: Any,
    judging: Mapping[str, Any],
) -> tuple[list[Finding], dict[str, Any]]:
    """Prove the top fix of each failed target, and of each built binary's error finding, by
    rebuilding with it in a scratch directory (``--jobs`` at a time): a failed rebuild's log is
    diagnosed and the next cause's fix added, a rebuilt binary is judged again."""
    from concurrent.futures import ThreadPoolExecutor

    ordered = order(findings)
    jobs: list[tuple[_TargetWork, Finding, bool]] = []
    for work in works:
        if work.outcome is None:
            continue
        target = str(work.tc.target)
        built = work.outcome.status == "passed"
        # The most important error finding that carries a machine-applicable fix.
        tops = [
            f
            for f in ordered
            if f.target == target
            and f.severity is Severity.ERROR
            and f.fix is not None
            and (f.fix.changes or (not built and _installs_packages(f)))
            and (not built or f.rule.startswith("artifact."))
        ]
        if tops:
            jobs.append((work, tops[0], built))
    attempts: dict[str, Any] = {}
    replaced: dict[int, Finding] = {}
    extra: list[Finding] = []
    with (
        tempfile.TemporaryDirectory(prefix="gocross-verify-") as scratch,
        ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="gocross-verify") as pool,
    ):

        def one(item: tuple[_TargetWork, Finding, bool]) -> tuple[Finding, Any]:
            work, top, built = item
            judge = _trial_judge(work, work.job.cwd, judging) if built else None
            proven: tuple[Finding, Any] = verify.prove(
                top,
                work.job,
                Path(scratch),
                diagnose=None if built else diagnoser(work),
                judge=judge,
                stage=None if built else verify.stager(work.tc.target, work.job.env),
            )
            return proven

        for (work, top, _), (new, chain) in zip(jobs, pool.map(one, jobs), strict=True):
            replaced[id(top)] = new
            if chain is None:
                continue
            attempts[str(work.tc.target)] = chain.to_json()
            if chain.next_cause is not None and not chain.passed:
                extra.append(_next_cause(chain.next_cause, top))
    # The ranked list (one finding per cause) is what the attempts were made on.
    return order([*(replaced.get(id(f), f) for f in ordered), *extra]), attempts


def _installs_packages(finding: Finding) -> bool:
    """Whether a finding's fix installs packages (the trial can stand them in, unpacked)."""
    cost = finding.fix.cost if finding.fix else None
    return cost is not None and cost.package_manager == "apt" and finding.category == "cgo-headers-libs"


def _next_cause(cause: Finding, top: Finding) -> Finding:
    """The cause a failed trial rebuild named, reported after the one it was found behind."""
    note = Evidence(
        source="config", text=f"found by --verify-fixes in the rebuild with the fix for: {top.title}"
    )
    return dataclasses.replace(
        cause,
        rule=cause.rule,
        evidence=(*cause.evidence, note),
        priority=min(cause.priority, top.priority - 1),
        confidence=min(cause.confidence, top.confidence),
    )
