from __future__ import annotations

import dataclasses

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


def test_a_cause_seen_by_a_probe_and_in_the_log_is_one_finding_with_both_evidences() -> None:
    probe = dataclasses.replace(
        make("probe.cgo.cc-missing", Severity.ERROR, priority=90, confidence=1.0),
        target="linux/arm64",
        fix=Fix(summary="install gcc-aarch64-linux-gnu"),
    )
    log = dataclasses.replace(make("log.cgo.c-compiler-not-found", Severity.ERROR), target="linux/arm64")
    other_target = dataclasses.replace(log, target="linux/arm")
    found = order([log, probe, other_target])
    assert [(f.rule, f.target) for f in found] == [
        ("probe.cgo.cc-missing", "linux/arm64"),
        ("log.cgo.c-compiler-not-found", "linux/arm"),
    ]
    assert [e.text for e in found[0].evidence] == [
        "probe.cgo.cc-missing line",
        "log.cgo.c-compiler-not-found line",
    ]
    assert found[0].fix is not None and found[0].fix.summary == "install gcc-aarch64-linux-gnu"


def test_two_log_findings_of_one_category_stay_apart() -> None:
    first = dataclasses.replace(make("log.cgo.a", Severity.ERROR), target="linux/arm64")
    second = dataclasses.replace(make("log.cgo.b", Severity.ERROR), target="linux/arm64")
    assert len(order([first, second])) == 2
