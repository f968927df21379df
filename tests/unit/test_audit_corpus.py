"""The audit's corpus: real-style repositories under tests/audit/testdata, each with the findings
it must produce in expect.json beside it (rule, severity, file and line). The good ones produce
none."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from gocross_action import audit
from gocross_action.report.model import Context, Report
from gocross_action.report.render import render
from tests.report_schema import assert_valid_report

CORPUS = Path(__file__).resolve().parents[1] / "audit" / "testdata"
CASES = sorted(p.name for p in CORPUS.iterdir() if (p / "expect.json").is_file())


def _run(tmp_path: Path, name: str) -> tuple[list[dict[str, Any]], audit.Result, dict[str, Any]]:
    expect = json.loads((CORPUS / name / "expect.json").read_text(encoding="utf-8"))
    repo = tmp_path / name
    shutil.copytree(CORPUS / name, repo, ignore=shutil.ignore_patterns("expect.json"))
    if expect["git"]:
        (repo / ".git").mkdir()
        (repo / ".git" / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    # No go env file, no GOROOT and no cgroup quota: only the repository speaks.
    result = audit.run(repo, env={"PATH": ""}, cgroup=tmp_path / "no-cgroup")
    found = []
    for finding in result.findings:
        location = finding.locations[0]
        found.append(
            {
                "rule": finding.rule,
                "severity": finding.severity.value,
                "path": location.path,
                "line": location.line,
            }
        )
    found.sort(key=lambda e: (e["path"], e["line"], e["rule"]))
    return found, result, expect


def test_the_corpus_is_large_enough() -> None:
    dockerfiles = [
        p for p in CORPUS.rglob("*") if p.is_file() and ("Dockerfile" in p.name or p.name == "Containerfile")
    ]
    workflows = list(CORPUS.glob("*/.github/workflows/*.yml"))
    assert len(dockerfiles) >= 30
    assert len(workflows) >= 15
    good = [c for c in CASES if not json.loads((CORPUS / c / "expect.json").read_text())["findings"]]
    assert len(good) >= 15


@pytest.mark.parametrize("name", CASES)
def test_corpus_case_gives_exactly_its_expected_findings(tmp_path: Path, name: str) -> None:
    found, result, expect = _run(tmp_path, name)
    assert found == expect["findings"], json.dumps(found, indent=1)
    report = Report.build(
        context=Context(command="audit"), findings=list(result.findings), environment=dict(result.environment)
    )
    assert_valid_report(json.loads(render(report, "json")))
    for finding in result.findings:
        assert finding.fix is not None and finding.fix.snippets, finding.rule
        assert finding.rule.startswith("audit.")


@pytest.mark.parametrize("name", ["wf-hostile-alias-bomb", "wf-hostile-deep-nesting", "wf-good-not-yaml"])
def test_an_unreadable_workflow_is_skipped_with_a_note(tmp_path: Path, name: str) -> None:
    _, result, _ = _run(tmp_path, name)
    (note,) = result.environment["audit"]["skipped"]
    assert ".github/workflows/" in note


def test_the_fix_snippet_speaks_the_files_language(tmp_path: Path) -> None:
    _, docker, _ = _run(tmp_path, "bad-emulated-targetarch")
    (finding,) = docker.findings
    assert finding.fix is not None
    assert finding.fix.snippets[0].language == "dockerfile"
    assert "FROM --platform=$BUILDPLATFORM golang:1.26-alpine AS builder" in finding.fix.snippets[0].code
    _, workflow, _ = _run(tmp_path, "wf-bad-alpine-container-node")
    assert workflow.findings[0].fix is not None
    assert workflow.findings[0].fix.snippets[0].language == "yaml"
