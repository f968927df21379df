"""Diagnose: why each failed target failed, and what each finding's fix costs here.

A failed build's log goes through the rule base (``diagnose/``) with the target's facts (probes,
its environment, its cgo analysis); the file sets explain ``undefined:`` errors, a missing header
or library is looked for together with all the others the target's cgo packages lack, and a log
no rule recognises ends in a finding quoting its last lines. Then the findings of every stage are
refined at once (``refine``): a probe's guess is no error on a target that built, error findings
get the machine-applicable changes the facts allow, met preconditions are demoted, and every fix
states its cost on this machine.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from ..config import Config
from ..findings import Evidence, Finding, Fix, Severity, order
from .work import TargetWork, read_log

# Categories a probe can only guess at before the build: a target that built proves them wrong.
BUILD_FAILURE_CATEGORIES = frozenset(
    {
        "cgo-no-c-compiler",
        "cgo-wrong-compiler",
        "cgo-headers-libs",
        "windows-toolchain",
        "darwin-ios-android-toolchain",
        "cgo-required-but-disabled",
    }
)


def facts(work: TargetWork, probes: Any, host: tuple[str, str]) -> Any:
    """The ``diagnose.facts.Facts`` of one target: the probes' facts for it, its build
    environment and its cgo analysis."""
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


def failed_builds(
    failed: Sequence[TargetWork], probes: Any, host: tuple[str, str], config: Config
) -> list[Finding]:
    """The findings that explain each failed build, at least one error each."""
    from ..diagnose.engine import diagnose_file
    from ..diagnose.rules import load_rules
    from . import cgo

    rules = load_rules(config.rules)
    found: list[Finding] = []
    for work in failed:
        target = str(work.tc.target)
        log = work.outcome.job.log
        log_text = work.log_text()
        known = facts(work, probes, host)
        own = list(diagnose_file(log, facts=known, rules=rules))
        own = [f if f.target else with_target(f, target) for f in own]
        own = all_missing(own, work, known)
        if work.usage is not None:
            # Facts that explain the log's own lines: the target's file sets (go list).
            own += cgo.explain_undefined(work.usage, log_text, work.job.cwd)
            cause = cgo.required_but_disabled(work.usage, log_text)
            if cause is not None:
                own.append(cause)
        if not any(f.severity is Severity.ERROR for f in own):
            own.append(fallback(target, log.name, log_text))
        found += own
    return found


def fallback(target: str, log_name: str, text: str) -> Finding:
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
        fix=Fix(summary=f"Read the log ({log_name}); a user rule in the config can teach gocross this error"),
    )


def with_target(finding: Finding, target: str) -> Finding:
    return dataclasses.replace(finding, target=target)


def smoke_causes(work: TargetWork, config: Config) -> list[Finding]:
    """A failed smoke run's output, diagnosed with the build-log rules (go-sqlite3's stub says
    "Binary was compiled with 'CGO_ENABLED=0'...")."""
    from ..diagnose.engine import diagnose_lines
    from ..diagnose.facts import Facts
    from ..diagnose.rules import load_rules

    target = str(work.tc.target)
    known = Facts(target=work.tc.target, env=dict(work.job.env))
    found = diagnose_lines(work.smoke.output.splitlines(), facts=known, rules=load_rules(config.rules))
    note = Evidence(source="artifact", text=f"printed by the smoke run of {work.job.output.name}")
    return [
        dataclasses.replace(f, target=target, evidence=(*f.evidence, note))
        for f in found
        if f.severity is not Severity.NOTICE and f.category != "other"
    ]


def all_missing(own: list[Finding], work: TargetWork, known: Any) -> list[Finding]:
    """A missing header or library in the log: every header and library the target's cgo packages
    lack, found at once with the target's compiler, and one install line for all of them."""
    from .. import cdeps
    from ..diagnose import fixes
    from . import cscan

    wanted = {"log.cgo.missing-header", "log.cgo.missing-library"}
    if not any(f.rule in wanted for f in own) or work.usage is None or not work.usage.packages:
        return own
    env = work.job.env
    missing = cscan.missing(
        packages=work.usage.packages, cc=known.compiler or "gcc", cwd=work.job.cwd, env=env
    )
    if not missing:
        return own
    found = [(k, h) for h in missing.headers if (k := cdeps.package_for("header", h))]
    found += [(k, f"-l{lib}") for lib in missing.libraries if (k := cdeps.package_for("library", lib))]
    unknown = [h for h in missing.headers if not cdeps.package_for("header", h)]
    unknown += [f"-l{lib}" for lib in missing.libraries if not cdeps.package_for("library", lib)]
    root = cdeps.runner_is_root()
    fix = fixes.install_fix(
        found,
        target=work.tc.target,
        manager=fixes.system_manager(known),
        host_goarch=known.host_goarch,
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
        source="probe", text=f"{known.compiler or 'gcc'} cannot find for {work.tc.target}: {text}"
    )
    out = []
    for finding in own:
        if finding.rule in wanted:
            finding = dataclasses.replace(finding, fix=fix, evidence=(*finding.evidence, evidence))
        out.append(finding)
    return out


def refine(
    findings: list[Finding],
    works: Mapping[str, TargetWork],
    *,
    environment: Mapping[str, Any],
    probes: Any,
    host: tuple[str, str],
) -> list[Finding]:
    """Every stage's findings, settled against what the builds showed, with complete, costed fixes."""
    from ..diagnose.explain import with_probe_facts
    from ..diagnose.preconditions import demote_met

    failed = [w for w in works.values() if w.failed]
    findings = probe_guesses_on_passed(works, findings)
    findings = complete_fixes(list(works.values()), findings)
    findings = with_probe_facts(
        findings,
        logs={str(w.tc.target): w.log_text() for w in failed},
        cgo_facts=(environment.get("cgo") or {}).get("targets") or {},
    )
    findings = demote_met(findings, {str(w.tc.target): w.job.env for w in failed})
    return costed(findings, probes, host)


def probe_guesses_on_passed(works: Mapping[str, TargetWork], findings: list[Finding]) -> list[Finding]:
    """A target that built carries no build-failure error from a probe's guess: such a finding
    becomes a warning that says the build passed."""
    passed = {t for t, w in works.items() if w.passed}
    kept = []
    for finding in findings:
        if (
            finding.target in passed
            and finding.rule.startswith("probe.")
            and finding.severity is Severity.ERROR
            and finding.category in BUILD_FAILURE_CATEGORIES
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


def complete_fixes(works: Sequence[TargetWork], findings: list[Finding]) -> list[Finding]:
    """Give a failed target's error findings, and a built binary's, the machine-applicable changes
    the facts allow."""
    from . import verify

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


def costed(findings: list[Finding], probes: Any, host: tuple[str, str]) -> list[Finding]:
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


def trial_diagnoser(work: TargetWork, probes: Any, host: tuple[str, str], config: Config) -> Any:
    """How a failed trial rebuild of ``work`` is diagnosed: its log, with the trial's environment."""
    from ..diagnose.engine import diagnose_file
    from ..diagnose.rules import load_rules
    from . import verify

    rules = load_rules(config.rules)

    def diagnose(trial: Any) -> list[Finding]:
        known = facts(dataclasses.replace(work, job=trial), probes, host)
        found = [
            f if f.target else with_target(f, str(work.tc.target))
            for f in diagnose_file(trial.log, facts=known, rules=rules)
        ]
        found = all_missing(found, dataclasses.replace(work, job=trial), known)
        text = read_log(trial.log)
        return order(
            verify.complete(f, target=work.tc.target, usage=work.usage, env=trial.env, log_text=text)
            for f in found
        )

    return diagnose
