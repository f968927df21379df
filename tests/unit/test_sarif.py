"""SARIF 2.1.0: one rule per rule id, the category in its properties, a location on every result,
stable fingerprints, and a log that validates against the SARIF 2.1.0 JSON schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from gocross_action.findings import Evidence, Finding, Location, Severity
from gocross_action.report import sarif
from gocross_action.report.model import Context, Report
from tests.conftest import ROOT
from tests.sample_reports import SAMPLES, check_failed

SARIF_SCHEMA = ROOT / ".cache" / "sarif" / "sarif-schema-2.1.0.json"


def finding(
    rule: str = "log.x",
    *,
    severity: Severity = Severity.ERROR,
    target: str | None = "linux/amd64",
    location: Location | None = None,
) -> Finding:
    evidence = (Evidence(source="log", text="line", line=1, location=location),)
    return Finding(
        rule=rule,
        category="other",
        severity=severity,
        target=target,
        title="T",
        root_cause="C.",
        evidence=evidence,
    )


def render(findings: list[Finding], context: Context | None = None) -> dict[str, Any]:
    report = Report.build(
        context=context or Context(command="check", config=".github/gocross.yml", go_mod="go.mod"),
        findings=findings,
    )
    data: dict[str, Any] = json.loads(sarif.render(report))
    return data


def uri(result: dict[str, Any]) -> str:
    return str(result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])


def test_one_rule_per_rule_id_with_the_category_in_properties_and_tags() -> None:
    data = render(
        [
            finding("log.a", target="linux/amd64"),
            finding("log.a", target="linux/arm64"),
            finding("probe.b", target="windows/amd64"),
        ]
    )
    run = data["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["log.a", "probe.b"]
    assert all(r["properties"]["category"] == "other" and "other" in r["properties"]["tags"] for r in rules)
    indexes = sorted((r["ruleId"], r["ruleIndex"]) for r in run["results"])
    assert indexes == [("log.a", 0), ("log.a", 0), ("probe.b", 1)]


def test_rule_default_level_is_its_most_severe_finding() -> None:
    data = render(
        [
            finding("log.a", severity=Severity.NOTICE),
            finding("log.a", severity=Severity.WARNING, target="linux/arm64"),
        ]
    )
    assert data["runs"][0]["tool"]["driver"]["rules"][0]["defaultConfiguration"]["level"] == "warning"
    assert [r["level"] for r in data["runs"][0]["results"]] == ["warning", "note"]


def test_result_points_at_the_evidence_location_when_inside_the_repository() -> None:
    data = render([finding(location=Location(path="./cmd/app/main go.go", line=11, column=27))])
    result = data["runs"][0]["results"][0]
    assert uri(result) == "cmd/app/main%20go.go"
    assert result["locations"][0]["physicalLocation"]["region"] == {"startLine": 11, "startColumn": 27}


def test_finding_without_a_position_points_at_the_config_file() -> None:
    data = render([finding()])
    assert uri(data["runs"][0]["results"][0]) == ".github/gocross.yml"


def test_without_a_config_file_it_points_at_go_mod() -> None:
    data = render([finding()], Context(command="check", config=None, go_mod="sub/go.mod"))
    assert uri(data["runs"][0]["results"][0]) == "sub/go.mod"
    data = render([finding()], Context(command="diagnose"))
    assert uri(data["runs"][0]["results"][0]) == "go.mod"


def test_a_path_outside_the_repository_is_named_in_the_message_not_used_as_location() -> None:
    data = render([finding(location=Location(path="/usr/lib/go/src/os/file.go", line=3))])
    result = data["runs"][0]["results"][0]
    assert uri(result) == ".github/gocross.yml"
    assert "/usr/lib/go/src/os/file.go" in result["message"]["text"]


def test_fingerprints_are_stable_and_distinct() -> None:
    first = render([finding("log.a"), finding("log.a", target="linux/arm64"), finding("log.b")])
    again = render([finding("log.a"), finding("log.a", target="linux/arm64"), finding("log.b")])
    prints = [r["partialFingerprints"]["primaryLocationLineHash"] for r in first["runs"][0]["results"]]
    assert prints == [
        r["partialFingerprints"]["primaryLocationLineHash"] for r in again["runs"][0]["results"]
    ]
    assert len(set(prints)) == 3


def test_every_result_has_a_location_and_a_message() -> None:
    for build in SAMPLES.values():
        for result in json.loads(sarif.render(build()))["runs"][0]["results"]:
            assert result["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1
            assert result["message"]["text"].endswith(".")


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_sarif_validates_against_the_sarif_2_1_0_schema(name: str) -> None:
    if not SARIF_SCHEMA.is_file():
        pytest.skip(f"{SARIF_SCHEMA} is missing (.ci/setup.d/20-sarif.sh fetches it)")
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft4Validator(schema)
    errors = [
        f"{e.json_path}: {e.message}"
        for e in validator.iter_errors(json.loads(sarif.render(SAMPLES[name]())))
    ]
    assert errors == []


def test_the_sarif_schema_check_catches_a_broken_log() -> None:
    if not SARIF_SCHEMA.is_file():
        pytest.skip(f"{SARIF_SCHEMA} is missing (.ci/setup.d/20-sarif.sh fetches it)")
    validator = jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text(encoding="utf-8")))
    broken = json.loads(sarif.render(check_failed()))
    broken["runs"][0]["results"][0]["level"] = "fatal"
    del broken["runs"][0]["results"][0]["message"]
    assert len(list(validator.iter_errors(broken))) >= 1


def test_sarif_schema_copy_is_the_2_1_0_one() -> None:
    if not SARIF_SCHEMA.is_file():
        pytest.skip(f"{SARIF_SCHEMA} is missing (.ci/setup.d/20-sarif.sh fetches it)")
    schema = json.loads(Path(SARIF_SCHEMA).read_text(encoding="utf-8"))
    assert schema["properties"]["version"]["enum"] == ["2.1.0"]
