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
import shutil
import tempfile
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import output
from ..config import Config, TargetConfig
from ..errors import InputError, UsageError
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
    parser.add_argument("--glibc-max", metavar="X.Y", help="newest GLIBC symbol version a binary may need")
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


def _targets(args: argparse.Namespace, config: Config) -> list[TargetConfig]:
    given = getattr(args, "targets", None)
    if not given:
        return list(config.targets) or [TargetConfig(target=t) for t in default_targets()]
    configured = {str(tc.target): tc for tc in config.targets}
    return [configured.get(str(t), TargetConfig(target=t)) for t in parse_list(given)]


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


def _fallback(target: str, log: Path) -> Finding:
    try:
        lines = [
            line for line in log.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()
        ]
    except OSError:
        lines = []
    tail = "\n".join(lines[-5:]) or "(the build printed nothing)"
    return Finding(
        rule="log.build-failed",
        category="other",
        severity=Severity.ERROR,
        target=target,
        title=f"go build failed for {target}",
        root_cause="The build failed with an error no diagnosis rule recognises; its last lines are below.",
        evidence=(Evidence(source="log", text=tail, line=len(lines) or None),),
        fix=Fix(summary=f"Read the log ({log.name}); a user rule in the config can teach gocross this error"),
    )


class _Probes(threading.Thread):
    """The environment probes, run once, alongside the builds."""

    def __init__(self, module_dir: Path, targets: Sequence[TargetConfig], env: Mapping[str, str]) -> None:
        super().__init__(name="gocross-probes", daemon=True)
        self.module_dir, self.targets, self.env = module_dir, targets, env
        self.outcome: Any = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            from ..probe import ProbeContext, run_all

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
    from ..probe.system import repo_root
    from ..progress import Progress

    module_dir = _module_dir(args)
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

    known = ports.load("go", base_env)
    validation = ports.validate(targets, known, base_env)
    findings: list[Finding] = list(validation.findings)

    out_dir = (module_dir / config.build.out).resolve()
    log_dir = module_dir / ".gocross" / "logs"
    name = build.binary_name(module_dir, config.package)
    manifest = build.Manifest.load(out_dir)
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
        )
        if not manifest.may_write(work.job.output):
            findings.append(_output_taken(tc, work.job.output))
            work.skip_reason = "output path taken"
            continue
        runnable.append(work.job)

    probes = _Probes(module_dir, targets, base_env)
    probes.start()
    progress = Progress([str(j.target) for j in runnable])
    progress.start()

    def after(outcome: Any) -> None:
        work = works[str(outcome.job.target)]
        work.outcome = outcome
        # A build that passed without cgo leaves nothing for the cgo analysis to explain.
        if outcome.status != "passed" or cgo.enabled_by_default(outcome.job.target, outcome.job.env, host):
            work.usage = cgo.analyse(
                target=outcome.job.target, package=config.package, cwd=module_dir, env=outcome.job.env
            )
        if outcome.status != "passed":
            return
        from ..checks.binary import judge
        from ..inspect import read

        # Named as in the targets table (relative to the module), not by this machine's absolute path.
        info = dataclasses.replace(read(outcome.job.output), path=_relative(outcome.job.output, module_dir))
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
            work.smoke = smoke.run(outcome.job.target, outcome.job.output, smoke_args, env=base_env)
            problem = smoke.finding(work.smoke)
            if problem is not None:
                work.findings.append(problem)
                work.findings += _smoke_causes(work, config)

    build.run_all(
        runnable,
        workers=workers,
        on_start=lambda job: progress.building(str(job.target)),
        on_done=lambda o: progress.finished(str(o.job.target), o.status, o.duration_s, o.job.log),
        after=after,
    )
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
    failed = [w for w in works.values() if w.outcome is not None and w.outcome.status == "failed"]
    if failed:
        findings += _diagnose(failed, probes.outcome, host, config)
    for work in works.values():
        findings += work.findings
    findings = _probe_guesses_on_passed(works, findings)
    findings = _complete_fixes(list(works.values()), findings, verify)
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

    report_dir = output.report_dir(args, config)
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
    if attempts:
        environment["verify-fixes"] = attempts
    root = repo_root(module_dir) or module_dir  # the repository holding the module, else the module
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


def _copy(source: Path, dest: Path) -> None:
    """Copy a log into the report directory, unless it is already there (``--report-dir .gocross``
    names the folder the build logs are written to)."""
    if dest.exists() and dest.samefile(source):
        return
    shutil.copyfile(source, dest)


def _result(work: _TargetWork, module_dir: Path, report_dir: Path | None) -> TargetResult:
    target = str(work.tc.target)
    if work.outcome is None:
        return TargetResult(target=target, status="skipped")
    log = work.outcome.job.log
    shown = str(log)
    if report_dir is not None:
        copied = report_dir / "logs" / log.name
        try:
            copied.parent.mkdir(parents=True, exist_ok=True)
            _copy(log, copied)
            shown = str(copied)
            for verify_log in sorted(log.parent.glob(log.name.replace(".log", ".verify*.log"))):
                _copy(verify_log, copied.with_name(verify_log.name))
        except OSError as exc:
            raise InputError(f"cannot copy {log} into {report_dir}: {exc.strerror or exc}") from None
    passed = work.outcome.status == "passed"
    return TargetResult(
        target=target,
        status=work.outcome.status,
        duration_s=work.outcome.duration_s,
        binary=_relative(work.outcome.job.output, module_dir) if passed else None,
        log=shown,
    )


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
        log_text = log.read_text(encoding="utf-8", errors="replace")
        facts = _facts(work, probes, host)
        own = list(diagnose_file(log, facts=facts, rules=rules))
        own = [f if f.target else _with_target(f, target) for f in own]
        own = _all_missing(own, work, facts)
        cause = cgo.required_but_disabled(work.usage, log_text) if work.usage is not None else None
        if cause is not None:
            own.append(cause)
        if not any(f.severity is Severity.ERROR for f in own):
            own.append(_fallback(target, log))
        found += own
    return found


def _complete_fixes(works: Sequence[_TargetWork], findings: list[Finding], verify: Any) -> list[Finding]:
    """Give a failed target's error findings, and a built binary's, the machine-applicable changes
    the facts allow."""
    by_target = {str(w.tc.target): w for w in works if w.outcome is not None}
    logs: dict[str, str] = {}
    completed = []
    for finding in findings:
        work = by_target.get(finding.target or "")
        if work is None or finding.severity is not Severity.ERROR:
            completed.append(finding)
            continue
        if work.outcome.status == "passed" and not finding.rule.startswith("artifact."):
            completed.append(finding)
            continue
        if finding.target not in logs:
            logs[finding.target or ""] = work.outcome.job.log.read_text(encoding="utf-8", errors="replace")
        completed.append(
            verify.complete(
                finding,
                target=work.tc.target,
                usage=work.usage,
                env=work.job.env,
                log_text=logs[finding.target or ""],
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
        text = trial.log.read_text(encoding="utf-8", errors="replace")
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
