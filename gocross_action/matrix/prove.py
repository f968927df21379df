"""Prove (``--verify-fixes``): rebuild each failed target, and each built binary with an error
finding, with its top machine-applicable fix, in a scratch directory (``--jobs`` at a time).
A failed rebuild's log is diagnosed and the next cause's fix added; a rebuilt binary is judged
again (the rebuilds themselves: ``verify.py``)."""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from ..findings import Evidence, Finding, Severity, order
from .work import TargetWork


def fixes(
    works: Sequence[TargetWork],
    findings: list[Finding],
    *,
    workers: int,
    diagnoser: Callable[[TargetWork], Any],
    judge: Any,
) -> tuple[list[Finding], dict[str, Any]]:
    """The findings with each tried fix marked proven or not (plus the causes the trials found
    next), and the attempt chains by target. ``diagnoser(work)`` diagnoses a failed trial of
    ``work``; ``judge`` judges a trial's binary."""
    from . import verify

    ordered = order(findings)
    jobs: list[tuple[TargetWork, Finding, bool]] = []
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
            and (f.fix.changes or (not built and installs_packages(f)))
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

        def one(item: tuple[TargetWork, Finding, bool]) -> tuple[Finding, Any]:
            work, top, built = item
            proven: tuple[Finding, Any] = verify.prove(
                top,
                work.job,
                Path(scratch),
                diagnose=None if built else diagnoser(work),
                judge=judge if built else None,
                stage=None if built else verify.stager(work.tc.target, work.job.env),
            )
            return proven

        for (work, top, _), (new, chain) in zip(jobs, pool.map(one, jobs), strict=True):
            replaced[id(top)] = new
            if chain is None:
                continue
            attempts[str(work.tc.target)] = chain.to_json()
            if chain.next_cause is not None and not chain.passed:
                extra.append(next_cause(chain.next_cause, top))
    # The ranked list (one finding per cause) is what the attempts were made on.
    return order([*(replaced.get(id(f), f) for f in ordered), *extra]), attempts


def installs_packages(finding: Finding) -> bool:
    """Whether a finding's fix installs packages (the trial can stand them in, unpacked)."""
    cost = finding.fix.cost if finding.fix else None
    return cost is not None and cost.package_manager == "apt" and finding.category == "cgo-headers-libs"


def next_cause(cause: Finding, top: Finding) -> Finding:
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
