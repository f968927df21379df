from __future__ import annotations

import pytest

from gocross_action.findings import Changes, Evidence, Finding, Fix, Location, Severity, order


def make(rule: str, severity: Severity, priority: int = 50, confidence: float = 0.9) -> Finding:
    return Finding(
        rule=rule,
        category="cgo-no-c-compiler",
        severity=severity,
        title=f"{rule} title",
        root_cause="cause",
        priority=priority,
        confidence=confidence,
        evidence=(Evidence(source="log", text=f"{rule} line", line=3),),
    )


def test_findings_are_ordered_by_severity_then_priority_then_confidence() -> None:
    found = [
        make("log.notice", Severity.NOTICE, priority=99),
        make("log.symptom", Severity.ERROR, priority=10),
        make("log.cause", Severity.ERROR, priority=90),
        make("log.warn", Severity.WARNING),
        make("log.cause-less-sure", Severity.ERROR, priority=90, confidence=0.5),
    ]
    assert [f.rule for f in order(found)] == [
        "log.cause",
        "log.cause-less-sure",
        "log.symptom",
        "log.warn",
        "log.notice",
    ]


def test_the_same_finding_twice_is_reported_once() -> None:
    assert len(order([make("log.x", Severity.ERROR), make("log.x", Severity.ERROR)])) == 1


def test_unknown_category_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown category"):
        Finding(rule="x", category="not-a-category", severity=Severity.ERROR, title="t", root_cause="c")


def test_json_round_trip_keeps_every_field() -> None:
    finding = Finding(
        rule="log.undefined-platform-api",
        category="platform-api",
        severity=Severity.ERROR,
        target="windows/amd64",
        title="syscall.Stat_t does not exist on windows",
        root_cause="The code uses a Unix-only API.",
        fix=Fix(
            summary="Move the code behind a build tag",
            snippets=(),
            changes=Changes(env={"CGO_ENABLED": "0"}, flags=("-buildvcs=false",)),
            verified=None,
        ),
        evidence=(
            Evidence(
                source="log",
                text="./main.go:11:27: undefined: syscall.Stat_t",
                line=4,
                location=Location(path="main.go", line=11, column=27),
            ),
        ),
        confidence=0.8,
    )
    data = finding.to_json()
    assert set(data) == {
        "rule",
        "category",
        "severity",
        "target",
        "title",
        "root_cause",
        "fix",
        "evidence",
        "confidence",
    }
    assert data["fix"]["changes"] == {"env": {"CGO_ENABLED": "0"}, "flags": ["-buildvcs=false"]}
    assert Finding.from_json(data).to_json() == data


def test_fail_on_thresholds() -> None:
    assert Severity.WARNING.reaches("warning") and not Severity.WARNING.reaches("error")
    assert not Severity.ERROR.reaches("never")
