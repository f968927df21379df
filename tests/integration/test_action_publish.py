"""The real entrypoint against a loopback api.github.com that validates every request body
against GitHub's OpenAPI description: check runs, the sticky comment, summary, outputs, faults.

Most tests aggregate a prepared report (aggregate mode merges any report.json already under
``.gocross/aggregate``), so the findings - and so the annotations - are known exactly."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from gocross_action.findings import Evidence, Finding, Fix, Location, Severity
from gocross_action.github.publish import comment_marker
from gocross_action.report.model import Context, Report, TargetResult
from tests.github_server import Fault, GithubServer, openapi_available
from tests.integration.action_env import HEAD_SHA, PR_NUMBER, TOKEN, ActionHarness, go_module

pytestmark = pytest.mark.skipif(
    not openapi_available(),
    reason="GitHub's OpenAPI description is missing (.ci/setup.d/40-octokit-openapi.sh)",
)

COMMENTS = rf"/issues/{PR_NUMBER}/comments$"


def _finding(i: int, severity: Severity = Severity.ERROR) -> Finding:
    return Finding(
        rule="log.test.injected",
        category="other",
        severity=severity,
        target="linux/arm64",
        title=f"finding {i}",
        root_cause="::error::not a command @octocat <img src=x>",
        fix=Fix(summary="do the thing"),
        evidence=(
            Evidence(
                source="log", text=f"::warning::evil {i}", location=Location(path="main.go", line=i + 1)
            ),
        ),
    )


def _report(findings: list[Finding]) -> Report:
    failed = any(f.severity is Severity.ERROR for f in findings)
    return Report.build(
        context=Context(command="check"),
        findings=findings,
        targets=[TargetResult(target="linux/arm64", status="failed" if failed else "passed")],
    )


@pytest.fixture
def server() -> Iterator[GithubServer]:
    with GithubServer(token=TOKEN) as running:
        yield running


@pytest.fixture
def harness(tmp_path: Path, server: GithubServer) -> ActionHarness:
    h = ActionHarness(tmp_path, server.url)
    go_module(h.workspace, subdir="app")
    return h


def _prepare(h: ActionHarness, report: Report) -> None:
    directory = h.workspace / "app" / ".gocross" / "aggregate" / "gocross-report-check-linux_arm64"
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "report.json").write_text(json.dumps(report.to_json()), encoding="utf-8")


AGGREGATE = {"mode": "aggregate", "working-directory": "app"}


def test_annotations_go_in_batches_of_fifty_on_the_pr_head_sha(
    harness: ActionHarness, server: GithubServer
) -> None:
    _prepare(harness, _report([_finding(i) for i in range(120)]))
    run = harness.run(AGGREGATE)
    assert run.code == 1, run.log
    assert server.problems == []
    (check,) = server.check_runs.values()
    assert check["head_sha"] == HEAD_SHA
    assert check["name"] == "gocross"
    assert check["requests"] == [50, 50, 20]
    assert (check["status"], check["conclusion"]) == ("completed", "failure")
    assert check["annotations"][0]["path"] == "app/main.go"
    assert check["annotations"][0]["start_line"] == 1
    bodies = [json.loads(r.body) for r in server.rest_requests(path=r"/check-runs")]
    assert all(b["output"]["title"] and b["output"]["summary"] for b in bodies)


def test_fail_on_never_concludes_success_and_exits_zero(harness: ActionHarness, server: GithubServer) -> None:
    _prepare(harness, _report([_finding(1)]))
    run = harness.run({**AGGREGATE, "fail-on": "never"})
    assert run.code == 0, run.log
    assert run.outputs["status"] == "passed"
    (check,) = server.check_runs.values()
    assert check["conclusion"] == "success"


def test_sticky_comment_is_edited_on_a_rerun_never_posted_twice(
    harness: ActionHarness, server: GithubServer
) -> None:
    server.add_comment(PR_NUMBER, "a person's comment")
    server.add_comment(PR_NUMBER, f"> {comment_marker('gocross')} quoted by a person")
    _prepare(harness, _report([_finding(1)]))
    first = harness.run(AGGREGATE, run_number=1)
    _prepare(harness, _report([_finding(2, Severity.WARNING)]))
    second = harness.run(AGGREGATE, run_number=2)
    assert (first.code, second.code) == (1, 0), second.log
    ours = [c for c in server.comments[PR_NUMBER] if c["user"]["type"] == "Bot"]
    assert len(ours) == 1
    assert len(server.rest_requests("POST", COMMENTS)) == 1
    assert len(server.rest_requests("PATCH", r"/issues/comments/")) == 1
    body = ours[0]["body"]
    assert body.startswith(comment_marker("gocross"))
    assert "finding 2" in body and "finding 1" not in body
    assert "@octocat" not in body and "<img" not in body
    assert len(server.comments[PR_NUMBER]) == 3


def test_on_failure_posts_no_comment_for_a_passing_run(harness: ActionHarness, server: GithubServer) -> None:
    _prepare(harness, _report([_finding(1, Severity.WARNING)]))
    run = harness.run(AGGREGATE)
    assert run.code == 0, run.log
    assert server.rest_requests("POST", COMMENTS) == []
    assert len(server.rest_requests("GET", COMMENTS)) == 1


def test_comment_is_cut_to_github_limit_with_a_pointer(harness: ActionHarness, server: GithubServer) -> None:
    findings = [
        Finding(
            rule="log.test.big",
            category="other",
            severity=Severity.ERROR,
            title=f"big {i}",
            root_cause="x" * 3000,
            evidence=(Evidence(source="log", text=f"{i} " + "y" * 3000),),
        )
        for i in range(60)
    ]
    _prepare(harness, _report(findings))
    run = harness.run(AGGREGATE)
    assert run.code == 1, run.log
    assert server.problems == []
    (comment,) = server.comments[PR_NUMBER]
    assert len(comment["body"]) <= 65_536
    assert "report.md" in comment["body"]


def test_outputs_summary_and_report_files(harness: ActionHarness, server: GithubServer) -> None:
    _prepare(harness, _report([_finding(1), _finding(2, Severity.WARNING)]))
    run = harness.run(AGGREGATE)
    cache = {name: run.outputs.pop(name, None) for name in ("cache-key", "cache-path")}
    assert run.outputs == {
        "status": "failed",
        "errors": "1",
        "warnings": "1",
        "report": "app/.gocross/report.json",
        "sarif": "app/.gocross/report.sarif",
        "markdown": "app/.gocross/report.md",
    }
    assert cache["cache-key"] and cache["cache-key"].startswith("gocross-linux-")
    assert cache["cache-path"] == str(harness.home / ".cache" / "gocross")
    for name in ("report", "sarif", "markdown"):
        assert (harness.workspace / run.outputs[name]).is_file()
    assert "finding 1" in run.summary
    assert len(run.summary.encode("utf-8")) <= 1024 * 1024


def test_log_lines_from_findings_cannot_run_workflow_commands(
    harness: ActionHarness, server: GithubServer
) -> None:
    _prepare(harness, _report([_finding(1)]))
    run = harness.run(AGGREGATE)
    lines = [line.strip() for line in run.log.splitlines()]
    assert not any(line.startswith("::warning::evil") for line in lines)
    assert not any(line.startswith("::error::not a command") for line in lines)


def test_token_is_masked_first_and_appears_nowhere_else(harness: ActionHarness, server: GithubServer) -> None:
    _prepare(harness, _report([_finding(i) for i in range(3)]))
    run = harness.run(AGGREGATE)
    assert run.stdout.splitlines()[0] == f"::add-mask::{TOKEN}"
    assert TOKEN not in run.stdout.split("\n", 1)[1] + run.stderr
    assert TOKEN not in run.files["outputs"].read_text(encoding="utf-8") + run.summary
    for path in harness.workspace.rglob("*"):
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes(), path
    for request in server.requests:
        assert TOKEN.encode() not in request.body


def test_403_on_comments_degrades_with_a_warning_naming_the_permission(
    harness: ActionHarness, server: GithubServer
) -> None:
    server.inject(Fault("GET", COMMENTS, 403, times=5, message="Resource not accessible by integration"))
    _prepare(harness, _report([_finding(1)]))
    run = harness.run(AGGREGATE)
    assert run.code == 1, run.log
    assert "::warning::" in run.stdout and "pull-requests: write" in run.stdout
    assert len(server.check_runs) == 1
    assert "finding 1" in run.summary


def test_403_on_check_runs_falls_back_to_workflow_command_annotations(
    harness: ActionHarness, server: GithubServer
) -> None:
    server.inject(
        Fault("POST", r"/check-runs$", 403, times=5, message="Resource not accessible by integration")
    )
    _prepare(harness, _report([_finding(i) for i in range(15)]))
    run = harness.run(AGGREGATE)
    assert run.code == 1
    assert "checks: write" in run.stdout
    errors = [
        line
        for line in run.stdout.splitlines()
        if line.startswith("::error ") and ",file=app/main.go," in line
    ]
    assert len(errors) == 10
    assert server.check_runs == {}


def test_502_after_an_applied_patch_does_not_append_annotations_twice(
    harness: ActionHarness, server: GithubServer
) -> None:
    server.inject(Fault("PATCH", r"/check-runs/\d+$", 502, applied=True))
    _prepare(harness, _report([_finding(i) for i in range(70)]))
    run = harness.run(AGGREGATE)
    assert run.code == 1, run.log
    (check,) = server.check_runs.values()
    assert len(check["annotations"]) == 70
    assert check["status"] == "completed"


def test_502_then_success_on_create_makes_one_check_run(harness: ActionHarness, server: GithubServer) -> None:
    server.inject(Fault("POST", r"/check-runs$", 502))
    server.inject(Fault("POST", COMMENTS, 502, applied=True))
    _prepare(harness, _report([_finding(1)]))
    run = harness.run(AGGREGATE)
    assert run.code == 1, run.log
    assert len(server.check_runs) == 1
    assert len(server.rest_requests("POST", r"/check-runs$")) == 2
    assert len(server.comments[PR_NUMBER]) == 1


def test_502_after_an_applied_create_finds_the_check_run_instead_of_making_another(
    harness: ActionHarness, server: GithubServer
) -> None:
    server.inject(Fault("POST", r"/check-runs$", 502, applied=True))
    _prepare(harness, _report([_finding(i) for i in range(60)]))
    run = harness.run(AGGREGATE)
    assert run.code == 1, run.log
    assert server.problems == []
    (check,) = server.check_runs.values()
    assert len(check["annotations"]) == 60
    assert check["conclusion"] == "failure"


def test_429_with_retry_after_is_waited_for_then_retried(
    harness: ActionHarness, server: GithubServer
) -> None:
    server.inject(Fault("POST", r"/check-runs$", 429, headers={"Retry-After": "1"}, message="rate limited"))
    _prepare(harness, _report([_finding(1)]))
    run = harness.run(AGGREGATE)
    assert run.code == 1, run.log
    assert len(server.check_runs) == 1


def test_a_rate_limit_wait_over_a_minute_degrades_at_once(
    harness: ActionHarness, server: GithubServer
) -> None:
    server.inject(
        Fault("POST", r"/check-runs$", 429, headers={"Retry-After": "3600"}, message="rate limited")
    )
    _prepare(harness, _report([_finding(1)]))
    run = harness.run(AGGREGATE)
    assert run.code == 1
    assert len(server.rest_requests("POST", r"/check-runs$")) == 1
    assert ",file=app/main.go,line=2::" in run.stdout


def test_bad_inputs_exit_2_with_one_error_line_each(harness: ActionHarness, server: GithubServer) -> None:
    run = harness.run({"mode": "compile", "fail-on": "sometimes"})
    assert run.code == 2
    errors = [line for line in run.stdout.splitlines() if line.startswith("::error::")]
    assert len(errors) == 2
    assert "Traceback" not in run.log
    assert server.requests == []


@pytest.mark.skipif(
    os.geteuid() != 0, reason="giving files back to another user needs root, as in the container"
)
def test_created_files_are_given_back_to_the_workspace_owner(
    harness: ActionHarness, server: GithubServer
) -> None:
    for path in [harness.workspace, *harness.workspace.rglob("*")]:
        os.chown(path, 1234, 1234)
    _prepare(harness, _report([_finding(1)]))
    harness.run(AGGREGATE)
    created = list((harness.workspace / "app" / ".gocross").rglob("*"))
    assert created
    assert {(p.stat().st_uid, p.stat().st_gid) for p in created} == {(1234, 1234)}
