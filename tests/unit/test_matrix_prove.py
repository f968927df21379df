"""matrix/prove.py alone: which fixes --verify-fixes tries, and where a cause found behind a fix
ranks (the trial rebuilds themselves run go: tests/integration/test_check_failures.py)."""

from __future__ import annotations

from pathlib import Path

from gocross_action.config import Config, TargetConfig
from gocross_action.findings import Changes, Evidence, Finding, Fix, Severity
from gocross_action.matrix import build, prove
from gocross_action.matrix.work import TargetWork
from gocross_action.targets import Target


def _finding(rule: str, *, fix: Fix | None, priority: int = 50, confidence: float = 0.9) -> Finding:
    return Finding(
        rule=rule,
        category="cgo-no-c-compiler",
        severity=Severity.ERROR,
        target="linux/arm64",
        title=f"{rule} title",
        root_cause="A cause.",
        evidence=(Evidence(source="log", text="line"),),
        fix=fix,
        priority=priority,
        confidence=confidence,
    )


def _failed(tmp_path: Path) -> TargetWork:
    tc = TargetConfig(target=Target.parse("linux/arm64"))
    job = build.make_job(
        module_dir=tmp_path, config=Config(), tc=tc, base_env={}, out_dir=tmp_path, log_dir=tmp_path, name="t"
    )
    work = TargetWork(tc=tc, job=job)
    work.outcome = build.BuildOutcome(job=job, status="failed", duration_s=1.0, returncode=1)
    return work


def test_a_fix_without_machine_applicable_changes_is_not_tried(tmp_path: Path) -> None:
    advice = _finding("log.advice-only", fix=Fix(summary="Read the docs"))
    findings, attempts = prove.fixes(
        [_failed(tmp_path)], [advice], workers=1, diagnoser=lambda work: None, judge=None
    )
    assert attempts == {}
    assert findings == [advice]


def test_a_cause_found_behind_a_fix_ranks_just_below_it() -> None:
    top = _finding("log.top", fix=Fix(summary="Set CC", changes=Changes(env={"CC": "cc"})), priority=80)
    behind = _finding("log.next", fix=None, priority=95, confidence=1.0)
    ranked = prove.next_cause(behind, top)
    assert ranked.priority == 79
    assert ranked.confidence == top.confidence
    assert (
        ranked.evidence[-1].text == "found by --verify-fixes in the rebuild with the fix for: log.top title"
    )
