"""The real entrypoint leaves the runner clean: binaries stamped from a clean tree (gocross's own
folders are git-excluded), every path in report.json relative, the Go caches in one folder under
the job's home named by the outputs, and everything it created owned by the workspace's owner."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.github_server import GithubServer, openapi_available
from tests.integration.action_env import TOKEN, ActionHarness, go_module
from tests.results_service import ResultsService

pytestmark = pytest.mark.skipif(
    not openapi_available(),
    reason="GitHub's OpenAPI description is missing (.ci/setup.d/40-octokit-openapi.sh)",
)
RUNNER_UID = 1001


@pytest.fixture
def harness(tmp_path: Path) -> Iterator[ActionHarness]:
    with GithubServer(token=TOKEN) as api, ResultsService() as results:
        harness = ActionHarness(tmp_path, api.url)
        harness.extra_env.update(results.env())
        go_module(harness.workspace, subdir="app")
        git = ["git", "-C", str(harness.workspace)]
        subprocess.run([*git, "init", "-q", "-b", "main"], check=True)
        subprocess.run([*git, "add", "-A"], check=True)
        subprocess.run(
            [*git, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-q", "-m", "m"],
            check=True,
        )
        yield harness


def _git(workspace: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(workspace), *args], capture_output=True, text=True, check=True
    ).stdout


def test_binaries_are_stamped_clean_because_gocross_folders_are_git_excluded(harness: ActionHarness) -> None:
    # This machine sets -buildvcs=false in go env: ask for stamping as a default machine does.
    harness.extra_env["GOFLAGS"] = "-mod=mod -buildvcs=true"
    run = harness.run({"working-directory": "app", "targets": "linux/amd64"})
    assert run.code == 0, run.log
    report = json.loads((harness.workspace / run.outputs["report"]).read_text(encoding="utf-8"))
    binary = harness.workspace / "app" / report["targets"][0]["binary"]
    info = subprocess.run(["go", "version", "-m", str(binary)], capture_output=True, text=True).stdout
    assert f"vcs.revision={_git(harness.workspace, 'rev-parse', 'HEAD').strip()}" in info
    assert "vcs.modified=false" in info
    assert _git(harness.workspace, "status", "--porcelain") == ""
    exclude = (harness.workspace / ".git" / "info" / "exclude").read_text(encoding="utf-8")
    assert "/app/.gocross/" in exclude.splitlines()


def test_report_json_names_no_absolute_path_inside_the_module(harness: ActionHarness) -> None:
    run = harness.run({"working-directory": "app", "targets": "linux/amd64", "smoke": "true"})
    assert run.code == 0, run.log
    text = (harness.workspace / run.outputs["report"]).read_text(encoding="utf-8")
    # Environment facts (GOROOT, HOME, the repository's root) stay as the probes saw them; paths
    # to what the run produced inside the module are relative to it, as `binary` is.
    assert str(harness.workspace / "app") + "/" not in text
    report = json.loads(text)
    (target,) = report["targets"]
    assert target["log"] == ".gocross/logs/linux_amd64.log"
    assert (
        "-o .gocross/dist/hello_linux_amd64"
        in report["environment"]["build"]["targets"]["linux/amd64"]["command"]
    )
    assert report["environment"]["smoke"]["linux/amd64"]["command"] == [".gocross/dist/hello_linux_amd64"]
    manifest = harness.workspace / "app" / ".gocross" / "dist" / ".gocross-manifest.json"
    assert list(json.loads(manifest.read_text(encoding="utf-8"))["files"]) == ["hello_linux_amd64"]


def test_the_go_caches_live_under_home_and_the_outputs_name_them(harness: ActionHarness) -> None:
    run = harness.run({"working-directory": "app", "targets": "linux/amd64"})
    assert run.code == 0, run.log
    cache_dir = harness.home / ".cache" / "gocross"
    assert run.outputs["cache-path"] == str(cache_dir)
    assert run.outputs["cache-key"].startswith("gocross-linux-go1.")
    report = json.loads((harness.workspace / run.outputs["report"]).read_text(encoding="utf-8"))
    seen = [facts["gomodcache"] for facts in report["environment"].values() if "gomodcache" in facts]
    assert seen == [str(cache_dir / "mod")], "go build ran with GOMODCACHE in the cache folder"
    assert sorted(p.name for p in harness.home.iterdir()) == [".cache"], "nothing else in the home"
    assert sorted(p.name for p in (harness.home / ".cache").iterdir()) == ["gocross"]
    again = harness.run({"working-directory": "app", "targets": "linux/amd64"}, run_number=2)
    assert again.outputs["cache-key"] == run.outputs["cache-key"]
    other = harness.run({"working-directory": "app", "targets": "linux/arm64"}, run_number=3)
    assert other.outputs["cache-key"] != run.outputs["cache-key"]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="changing owners needs root")
def test_everything_created_in_the_workspace_and_home_belongs_to_the_workspace_owner(
    harness: ActionHarness,
) -> None:
    for top in (harness.workspace, harness.home):
        for path in [top, *top.rglob("*")]:
            os.lchown(path, RUNNER_UID, RUNNER_UID)
    run = harness.run({"working-directory": "app", "targets": "linux/amd64"})
    assert run.code == 0, run.log
    foreign = [
        str(path)
        for top in (harness.workspace, harness.home)
        for path in [top, *top.rglob("*")]
        if path.lstat().st_uid != RUNNER_UID
    ]
    assert foreign == []
