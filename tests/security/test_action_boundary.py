"""The Action's side of the boundary, through the real entrypoint with a loopback GitHub and
results service: repository files its inputs match, the check name from the repository's
config, what it uploads, and report artifacts other jobs wrote."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from gocross_action.findings import Finding, Fix, Severity
from gocross_action.report.model import Context, Report, TargetResult
from tests.github_server import GithubServer, openapi_available
from tests.integration.action_env import PR_NUMBER, TOKEN, ActionHarness, ActionRun, go_module
from tests.results_service import ResultsService
from tests.security.hostile import assert_no_foreign_commands

pytestmark = pytest.mark.skipif(
    not openapi_available(),
    reason="GitHub's OpenAPI description is missing (.ci/setup.d/40-octokit-openapi.sh)",
)

SECRET = "TOPSECRET-do-not-publish"
BUILD_LOG = (
    "# example.com/hello\n"
    'cgo: C compiler "aarch64-linux-gnu-gcc" not found: exec: "aarch64-linux-gnu-gcc": '
    "executable file not found in $PATH\n"
)


@pytest.fixture
def services() -> Iterator[tuple[GithubServer, ResultsService]]:
    with GithubServer(token=TOKEN) as api, ResultsService() as results:
        yield api, results


@pytest.fixture
def harness(tmp_path: Path, services: tuple[GithubServer, ResultsService]) -> ActionHarness:
    api, results = services
    h = ActionHarness(tmp_path, api.url)
    h.extra_env.update(results.env())
    go_module(h.workspace, subdir="app")
    decoy = tmp_path / "decoy"
    decoy.mkdir()
    (decoy / "secret.log").write_text(f"{SECRET}\n{BUILD_LOG}", encoding="utf-8")
    (decoy / "secret.bin").write_bytes(b"\x7fELF" + SECRET.encode())
    return h


def published(run: ActionRun, api: GithubServer, results: ResultsService, workspace: Path) -> str:
    """Everything a reader could see: the log, summary, outputs, check runs, comments, the
    artifacts and the report files left in the workspace."""
    parts = [run.log, run.summary, json.dumps(run.outputs), json.dumps(api.check_runs, default=str)]
    parts += [json.dumps(c) for c in api.comments.get(PR_NUMBER, [])]
    for artifact in results.finalized():
        archive = zipfile.ZipFile(io.BytesIO(results.content(artifact.name)))
        parts += [archive.read(n).decode("utf-8", "replace") for n in archive.namelist()]
    parts += [p.read_text(encoding="utf-8", errors="replace") for p in workspace.glob("**/report.*")]
    return "\n".join(parts)


@pytest.mark.parametrize("pattern", ["*.log", "../../decoy/secret.log", "{decoy}/secret.log"])
def test_a_log_file_match_outside_the_workspace_is_refused_and_never_published(
    harness: ActionHarness, services: tuple[GithubServer, ResultsService], pattern: str
) -> None:
    api, results = services
    app = harness.workspace / "app"
    (app / "build.log").write_text(BUILD_LOG, encoding="utf-8")
    (app / "linked.log").symlink_to(harness.tmp / "decoy" / "secret.log")
    inputs = {
        "working-directory": "app",
        "mode": "diagnose",
        "log-file": pattern.format(decoy=harness.tmp / "decoy"),
        "targets": "linux/arm64",
    }
    run = harness.run(inputs)
    assert run.code == (1 if pattern == "*.log" else 2), run.log
    assert "refusing to read log-file" in run.log
    assert SECRET not in published(run, api, results, harness.workspace)
    assert_no_foreign_commands(run.log)


def test_a_binary_match_through_a_symlink_is_refused(
    harness: ActionHarness, services: tuple[GithubServer, ResultsService]
) -> None:
    api, results = services
    (harness.workspace / "app" / "app.bin").symlink_to(harness.tmp / "decoy" / "secret.bin")
    run = harness.run({"working-directory": "app", "mode": "inspect", "binaries": "*.bin"})
    assert run.code == 2, run.log
    assert "refusing to read binaries" in run.log
    assert SECRET not in published(run, api, results, harness.workspace)


def test_a_config_input_leading_outside_is_an_error_that_shows_nothing_of_the_file(
    harness: ActionHarness,
) -> None:
    (harness.workspace / "app" / "gocross.yml").symlink_to(harness.tmp / "decoy" / "secret.log")
    for config in ("gocross.yml", str(harness.tmp / "decoy" / "secret.log")):
        run = harness.run({"working-directory": "app", "config": config})
        assert run.code == 2, run.log
        assert "::error::gocross: action inputs: config: refusing to read the config file" in run.log
        assert SECRET not in run.log


def _aggregate_report(h: ActionHarness, report: Report) -> None:
    directory = h.workspace / "app" / ".gocross" / "aggregate" / "gocross-report-check-linux_arm64"
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "report.json").write_text(json.dumps(report.to_json()), encoding="utf-8")


def _failing_report(log: str | None = None) -> Report:
    finding = Finding(
        rule="log.test.injected",
        category="other",
        severity=Severity.ERROR,
        target="linux/arm64",
        title="a finding",
        root_cause="it broke",
        fix=Fix(summary="fix it"),
    )
    return Report.build(
        context=Context(command="check"),
        findings=[finding],
        targets=[TargetResult(target="linux/arm64", status="failed", log=log)],
    )


def test_a_hostile_check_name_never_reaches_the_comment_marker(
    harness: ActionHarness, services: tuple[GithubServer, ResultsService]
) -> None:
    api, _ = services
    name = "x --> @octocat <img src=x> ##[set-output name=status;]passed\n::error::forged"
    (harness.workspace / "app" / "gocross.yml").write_text(
        "github: {check-name: " + json.dumps(name) + "}\n", encoding="utf-8"
    )
    _aggregate_report(harness, _failing_report())
    run = harness.run({"working-directory": "app", "mode": "aggregate"})
    assert run.code == 1, run.log
    assert api.problems == []
    (comment,) = api.comments[PR_NUMBER]
    first_line = comment["body"].split("\n", 1)[0]
    assert re.fullmatch(r"<!-- gocross-report [0-9a-f]{16} -->", first_line)
    assert "@octocat" not in comment["body"] and "<img" not in comment["body"]
    (check,) = api.check_runs.values()
    assert "\n" not in check["name"] and check["name"].startswith("x --> @octocat")
    assert_no_foreign_commands(run.log)


def test_only_files_this_run_wrote_are_uploaded(
    harness: ActionHarness, services: tuple[GithubServer, ResultsService]
) -> None:
    _, results = services
    committed = harness.workspace / "app" / ".gocross" / "logs" / "committed.log"
    committed.parent.mkdir(parents=True)
    committed.write_text(SECRET, encoding="utf-8")
    # The aggregated report names the committed file as a target's log.
    _aggregate_report(harness, _failing_report(log=".gocross/logs/committed.log"))
    run = harness.run({"working-directory": "app", "mode": "aggregate"})
    assert run.code == 1, run.log
    (artifact,) = results.finalized()
    names = zipfile.ZipFile(io.BytesIO(results.content(artifact.name))).namelist()
    assert sorted(names) == [".gocross/report.json", ".gocross/report.md", ".gocross/report.sarif"]
    assert "not uploaded" in run.log


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_malformed_report_artifacts_are_skipped_with_a_warning(
    harness: ActionHarness, services: tuple[GithubServer, ResultsService]
) -> None:
    _, results = services
    good = json.dumps(_failing_report().to_json())
    nul = json.loads(good)
    nul["context"]["command"] = "\u0000"
    wrong = json.loads(good)
    wrong["findings"] = "not a list"
    results.put_artifact("gocross-report-check-good", _zip({"report.json": good.encode()}))
    results.put_artifact("gocross-report-check-nul", _zip({"report.json": json.dumps(nul).encode()}))
    results.put_artifact("gocross-report-check-schema", _zip({"report.json": json.dumps(wrong).encode()}))
    results.put_artifact("gocross-report-check-junk", _zip({"report.json": b"\xff\xfe{not json"}))
    # Sorted first, so a failure that stopped the downloads would lose every other report.
    results.put_artifact("gocross-report-check-a-not-a-zip", b"PK but not really")
    run = harness.run({"working-directory": "app", "mode": "aggregate"})
    # The one good report decides: its error finding fails the step (1), never exit 2 or 3.
    assert run.code == 1, run.log
    assert "gocross: merging 1 reports" in run.log
    skipped = [line for line in run.log.splitlines() if "aggregate: skipped" in line]
    assert len(skipped) == 4, run.log
    assert any("skipped an artifact" in line and "not a zip" in line for line in skipped)
    assert any("NUL" in line for line in skipped)
    assert any("does not match the report schema" in line for line in skipped)
    assert any("not a JSON document" in line for line in skipped)


def test_a_symlinked_aggregate_folder_is_not_read(
    harness: ActionHarness, services: tuple[GithubServer, ResultsService]
) -> None:
    _, results = services
    outside = harness.tmp / "decoy" / "reports" / "one"
    outside.mkdir(parents=True)
    (outside / "report.json").write_text(json.dumps(_failing_report().to_json()), encoding="utf-8")
    (harness.workspace / "app" / ".gocross").mkdir()
    (harness.workspace / "app" / ".gocross" / "aggregate").symlink_to(harness.tmp / "decoy" / "reports")
    good = json.dumps(_failing_report().to_json()).replace("it broke", "it broke here")
    results.put_artifact("gocross-report-check-good", _zip({"report.json": good.encode()}))
    run = harness.run({"working-directory": "app", "mode": "aggregate"})
    assert run.code == 1, run.log
    assert "leads outside the workspace; its reports are not read" in run.log
    assert "gocross: merging 1 reports" in run.log
