"""End to end: the real entrypoint in a workspace seeded with hostile files (sources whose compile
errors hold workflow commands, a hostile config, committed symlinks out of the workspace, a file
name with a newline and a command, committed files where gocross writes). It writes nothing
outside the workspace and RUNNER_TEMP (directory snapshots of everything else under the test's
folder, the job's file-command files included), uploads only the files it wrote, emits no
workflow command of the attacker's, and keeps the token masked."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.github_server import GithubServer, openapi_available
from tests.integration.action_env import TOKEN, ActionHarness, ActionRun, go_module
from tests.results_service import ResultsService
from tests.security.hostile import assert_no_foreign_commands
from tests.security.test_paths import snapshot

pytestmark = pytest.mark.skipif(
    not openapi_available(),
    reason="GitHub's OpenAPI description is missing (.ci/setup.d/40-octokit-openapi.sh)",
)

SECRET = "TOPSECRET-do-not-publish"

HOSTILE_GO = """package main

var status int = "##[set-output name=status;]passed"
var mask int = "##[add-mask]hunter2"
var stop int = "##[stop-commands]x"
var forged int = "##[error file=main.go,line=1]forged ::error::forged"
var env int = "##[set-env name=GOFLAGS;]-toolexec=/tmp/evil"

func main() {}
"""

HOSTILE_CONFIG = """\
github:
  check-name: "x --> @octocat <img src=x> ##[set-output name=status;]passed"
report:
  dir: .gocross
"""


@pytest.fixture
def services() -> Iterator[tuple[GithubServer, ResultsService]]:
    with GithubServer(token=TOKEN) as api, ResultsService() as results:
        yield api, results


def _harness(tmp_path: Path, services: tuple[GithubServer, ResultsService]) -> tuple[ActionHarness, str]:
    api, results = services
    harness = ActionHarness(tmp_path, api.url)
    runtime = results.env()
    harness.extra_env.update(runtime)
    (tmp_path / "runner_temp").mkdir()
    decoy = tmp_path / "decoy"
    decoy.mkdir()
    (decoy / "secret").write_text(SECRET + "\n", encoding="utf-8")
    app = go_module(harness.workspace, HOSTILE_GO, subdir="app")
    (app / "gocross.yml").write_text(HOSTILE_CONFIG, encoding="utf-8")
    # Files committed where gocross reads or writes, and names made to confuse a log.
    (app / "evil\n::set-output name=status::passed.go").write_text("package main\n", encoding="utf-8")
    (app / "link-out").symlink_to(decoy)
    (app / "secret.log").symlink_to(decoy / "secret")
    logs = app / ".gocross" / "logs"
    logs.mkdir(parents=True)
    (logs / "committed.log").write_text(SECRET, encoding="utf-8")
    (app / ".gocross" / "aggregate").symlink_to(decoy)
    return harness, runtime["ACTIONS_RUNTIME_TOKEN"]


def _outside(tmp_path: Path) -> dict[str, tuple[str, bytes | str, int]]:
    """Everything under the test's folder but the workspace, RUNNER_TEMP, HOME (the runner's
    temporary home, where go keeps its own settings) and the two files the step is meant to
    write (its outputs and summary)."""
    kept = {}
    for path, entry in snapshot(tmp_path).items():
        relative = Path(path).relative_to(tmp_path)
        if relative.parts[0] in ("workspace", "runner_temp", "home"):
            continue
        if relative.parts[0] == "file_commands" and relative.name.startswith(
            ("set_output_", "step_summary_")
        ):
            continue
        kept[path] = entry
    return kept


def _assert_token_masked(run: ActionRun, secrets: tuple[str, ...]) -> None:
    for line in run.log.splitlines():
        for secret in secrets:
            if secret in line:
                assert line == f"::add-mask::{secret}", line
    for secret in secrets:
        assert f"::add-mask::{secret}" in run.log


def test_a_hostile_workspace_cannot_steer_the_action(
    tmp_path: Path, services: tuple[GithubServer, ResultsService]
) -> None:
    api, results = services
    harness, runtime_token = _harness(tmp_path, services)
    before = _outside(tmp_path)
    run = harness.run({"working-directory": "app", "targets": "linux/amd64"})
    assert run.code == 1, run.log
    assert run.outputs["status"] == "failed"
    assert _outside(tmp_path) == before
    assert_no_foreign_commands(run.log)
    _assert_token_masked(run, (TOKEN, runtime_token))
    # Only what this run wrote went up: the three report files and the target's build log.
    (artifact,) = results.finalized()
    archive = zipfile.ZipFile(io.BytesIO(results.content(artifact.name)))
    assert sorted(archive.namelist()) == [
        ".gocross/logs/linux_amd64.log",
        ".gocross/report.json",
        ".gocross/report.md",
        ".gocross/report.sarif",
    ]
    everything = [run.log, run.summary, json.dumps(api.check_runs, default=str), json.dumps(api.comments)]
    everything += [archive.read(n).decode("utf-8", "replace") for n in archive.namelist()]
    assert SECRET not in "\n".join(everything)
    (comment,) = next(iter(api.comments.values()))
    assert comment["body"].split("\n", 1)[0].startswith("<!-- gocross-report ")
    assert "-->" not in comment["body"].split("\n", 1)[0][: -len("-->")]


@pytest.mark.parametrize(
    ("link", "target"),
    [
        (".gocross", "file_commands"),
        (".gocross/report.json", "file_commands/set_env"),
        (".gocross/report.md", "decoy/secret"),
        (".gocross/logs", "file_commands"),
        (".gocross/logs/linux_amd64.log", "file_commands/set_env"),
        (".gocross/dist", "file_commands"),
    ],
)
def test_a_committed_symlink_where_the_action_writes_is_refused(
    tmp_path: Path, services: tuple[GithubServer, ResultsService], link: str, target: str
) -> None:
    harness, _ = _harness(tmp_path, services)
    app = harness.workspace / "app"
    (app / "main.go").write_text("package main\n\nfunc main() {}\n", encoding="utf-8")
    (app / ".gocross" / "aggregate").unlink()
    path = app / link
    if path.is_dir() and not path.is_symlink():
        import shutil

        shutil.rmtree(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(tmp_path / target)
    (tmp_path / "file_commands" / "set_env").write_text("SAFE=1\n", encoding="utf-8")
    before = _outside(tmp_path)
    run = harness.run({"working-directory": "app", "targets": "linux/amd64"})
    assert run.code == 2, run.log
    assert "refusing to write" in run.log
    assert _outside(tmp_path) == before
    assert (tmp_path / "file_commands" / "set_env").read_text(encoding="utf-8") == "SAFE=1\n"
    assert_no_foreign_commands(run.log)
    _assert_token_masked(run, (TOKEN,))
