"""The real entrypoint running the real engine (go build) in check mode, with the Actions results
service stand-in for the report artifact and the loopback api.github.com for the check run."""

from __future__ import annotations

import io
import json
import os
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from gocross_action.github.publish import comment_marker
from tests.conftest import go_cache
from tests.github_server import GithubServer, openapi_available
from tests.integration.action_env import (
    BROKEN_GO,
    HEAD_SHA,
    HELLO_GO,
    PR_NUMBER,
    TOKEN,
    ActionHarness,
    go_module,
)
from tests.results_service import ResultsService

pytestmark = pytest.mark.skipif(
    not openapi_available(),
    reason="GitHub's OpenAPI description is missing (.ci/setup.d/40-octokit-openapi.sh)",
)


@pytest.fixture
def services() -> Iterator[tuple[GithubServer, ResultsService]]:
    with GithubServer(token=TOKEN) as api, ResultsService() as results:
        yield api, results


def _harness(tmp_path: Path, services: tuple[GithubServer, ResultsService], source: str) -> ActionHarness:
    api, results = services
    harness = ActionHarness(tmp_path, api.url)
    harness.extra_env.update(results.env())
    go_module(harness.workspace, source, subdir="app")
    return harness


def test_a_passing_target_concludes_success_and_uploads_the_report(
    tmp_path: Path, services: tuple[GithubServer, ResultsService]
) -> None:
    api, results = services
    harness = _harness(tmp_path, services, HELLO_GO)
    run = harness.run({"working-directory": "app", "targets": "linux/amd64"})
    assert run.code == 0, run.log
    assert run.outputs["status"] == "passed"
    assert api.problems == []
    (check,) = api.check_runs.values()
    assert (check["name"], check["head_sha"], check["conclusion"]) == (
        "gocross (linux/amd64)",
        HEAD_SHA,
        "success",
    )
    (artifact,) = results.finalized()
    assert artifact.name == "gocross-report-check-linux_amd64"
    names = zipfile.ZipFile(io.BytesIO(results.content(artifact.name))).namelist()
    assert {".gocross/report.json", ".gocross/report.md", ".gocross/report.sarif"} <= set(names)
    assert PR_NUMBER not in api.comments  # on-failure: nothing to say


def test_a_build_error_fails_the_step_with_an_annotation_at_the_source_line(
    tmp_path: Path, services: tuple[GithubServer, ResultsService]
) -> None:
    api, _ = services
    harness = _harness(tmp_path, services, BROKEN_GO)
    run = harness.run({"working-directory": "app", "targets": "linux/amd64"})
    assert run.code == 1, run.log
    assert run.outputs["status"] == "failed"
    report = json.loads((harness.workspace / run.outputs["report"]).read_text(encoding="utf-8"))
    assert report["findings"]
    (check,) = api.check_runs.values()
    assert check["conclusion"] == "failure"
    assert any(a["path"] == "app/main.go" and a["start_line"] == 5 for a in check["annotations"]), check
    (comment,) = api.comments[PR_NUMBER]
    assert comment["body"].startswith(comment_marker("gocross (linux/amd64)"))


BUILD_LOG = (
    "# example.com/hello\n"
    "./main.go:5:27: undefined: unix.Kill\n"
    "# runtime/cgo\n"
    'cgo: C compiler "aarch64-linux-gnu-gcc" not found: exec: "aarch64-linux-gnu-gcc": '
    "executable file not found in $PATH\n"
    "::error::a line of the log that must not become a command\n"
)


def test_diagnose_mode_reads_an_earlier_steps_log_and_annotates_from_the_subfolder(
    tmp_path: Path, services: tuple[GithubServer, ResultsService]
) -> None:
    api, _ = services
    harness = _harness(tmp_path, services, HELLO_GO)
    (harness.workspace / "app" / "build.log").write_text(BUILD_LOG, encoding="utf-8")
    inputs = {"working-directory": "app", "mode": "diagnose", "log-file": "*.log", "targets": "linux/arm64"}
    run = harness.run(inputs)
    assert run.code == 1, run.log
    assert api.problems == []
    report = json.loads((harness.workspace / run.outputs["report"]).read_text(encoding="utf-8"))
    assert "cgo-no-c-compiler" in {f["category"] for f in report["findings"]}
    (check,) = api.check_runs.values()
    assert (check["name"], check["conclusion"]) == ("gocross (linux/arm64)", "failure")
    assert not any(line.strip().startswith("::error::a line of the log") for line in run.log.splitlines())


def test_inspect_mode_judges_an_earlier_steps_binary_against_the_expected_target(
    tmp_path: Path, services: tuple[GithubServer, ResultsService]
) -> None:
    api, _ = services
    harness = _harness(tmp_path, services, HELLO_GO)
    module = harness.workspace / "app"
    env = {**os.environ, "GOOS": "linux", "GOARCH": "arm64", "CGO_ENABLED": "0", "GOCACHE": go_cache()}
    subprocess.run(["go", "build", "-o", "dist/hello", "."], cwd=module, env=env, check=True, timeout=300)
    run = harness.run(
        {"working-directory": "app", "mode": "inspect", "binaries": "dist/*", "targets": "linux/amd64"}
    )
    assert run.code == 1, run.log
    report = json.loads((harness.workspace / run.outputs["report"]).read_text(encoding="utf-8"))
    assert len(report["binaries"]) == 1
    assert "exec-format-error" in {f["category"] for f in report["findings"]}
    (check,) = api.check_runs.values()
    assert (check["name"], check["conclusion"]) == ("gocross (linux/amd64)", "failure")
