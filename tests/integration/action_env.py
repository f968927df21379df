"""Run the real ``entrypoint.py`` the way the runner starts a docker action: GITHUB_* variables,
an event payload file, the file-command files, ``INPUT_*`` variables with hyphens kept, and the
results-service variables; GitHub's REST API is a loopback ``GithubServer``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import ROOT, go_cache

TOKEN = "ghs_0123456789abcdefTESTTOKENxyz"
REPOSITORY = "octo/hello"
HEAD_SHA = "a" * 40
MERGE_SHA = "b" * 40
PR_NUMBER = 7

HELLO_GO = """package main

import "fmt"

func main() { fmt.Println("hello") }
"""

# A build error at a known line: main.go:5 (an undefined name).
BROKEN_GO = """package main

import "fmt"

func main() { fmt.Println(undefinedName) }
"""


def pull_request_payload(*, fork: bool = False, number: int = PR_NUMBER) -> dict[str, object]:
    head_repo = "someone/hello" if fork else REPOSITORY
    return {
        "action": "synchronize",
        "number": number,
        "pull_request": {
            "number": number,
            "merge_commit_sha": MERGE_SHA,
            "head": {"sha": HEAD_SHA, "ref": "feature", "repo": {"full_name": head_repo}},
            "base": {"sha": "c" * 40, "ref": "main", "repo": {"full_name": REPOSITORY}},
        },
        "repository": {"full_name": REPOSITORY},
    }


def go_module(root: Path, source: str = HELLO_GO, subdir: str = ".") -> Path:
    module = root / subdir
    module.mkdir(parents=True, exist_ok=True)
    (module / "go.mod").write_text("module example.com/hello\n\ngo 1.21\n", encoding="utf-8")
    (module / "main.go").write_text(source, encoding="utf-8")
    return module


@dataclass(frozen=True)
class ActionRun:
    code: int
    stdout: str
    stderr: str
    outputs: dict[str, str]
    summary: str
    files: Mapping[str, Path]

    @property
    def log(self) -> str:
        return self.stdout + self.stderr


def parse_outputs(text: str) -> dict[str, str]:
    """Read a GITHUB_OUTPUT file as the runner does (``name=value`` and heredocs)."""
    values: dict[str, str] = {}
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line:
            i += 1
            continue
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            end = lines.index(delimiter, i + 1)
            values[name] = "\n".join(lines[i + 1 : end])
            i = end + 1
            continue
        name, value = line.split("=", 1)
        values[name] = value
        i += 1
    return values


class ActionHarness:
    """A workspace and runner files under ``tmp``; ``run(inputs)`` starts the entrypoint."""

    def __init__(
        self, tmp: Path, api_url: str, *, event: str = "pull_request", payload: object = None
    ) -> None:
        self.tmp = tmp
        self.workspace = tmp / "workspace"
        self.workspace.mkdir(exist_ok=True)
        self.commands_dir = tmp / "file_commands"
        self.commands_dir.mkdir(exist_ok=True)
        self.home = tmp / "home"
        self.home.mkdir(exist_ok=True)
        self.api_url = api_url
        self.event = event
        self.event_path = tmp / "event.json"
        self.event_path.write_text(json.dumps(payload or pull_request_payload()), encoding="utf-8")
        self.extra_env: dict[str, str] = {}

    def env(self, inputs: Mapping[str, str], run_number: int) -> dict[str, str]:
        outputs = self.commands_dir / f"set_output_{run_number}"
        summary = self.commands_dir / f"step_summary_{run_number}"
        outputs.touch()
        summary.touch()
        env = {
            "PATH": os.environ["PATH"],
            "HOME": str(self.home),
            "GOCACHE": go_cache(),
            "GOFLAGS": "-mod=mod",
            "GOPROXY": "off",
            "GITHUB_ACTIONS": "true",
            "CI": "true",
            "GITHUB_EVENT_NAME": self.event,
            "GITHUB_EVENT_PATH": str(self.event_path),
            "GITHUB_WORKSPACE": str(self.workspace),
            "GITHUB_REPOSITORY": REPOSITORY,
            "GITHUB_SHA": MERGE_SHA,
            "GITHUB_REF": f"refs/pull/{PR_NUMBER}/merge",
            "GITHUB_API_URL": self.api_url,
            "GITHUB_SERVER_URL": "https://github.com",
            "GITHUB_RUN_ID": "4242",
            "GITHUB_RUN_ATTEMPT": "1",
            "GITHUB_JOB": "check",
            "GITHUB_OUTPUT": str(outputs),
            "GITHUB_STEP_SUMMARY": str(summary),
            "GITHUB_ENV": str(self.commands_dir / "set_env"),
            "GITHUB_PATH": str(self.commands_dir / "add_path"),
            "GITHUB_STATE": str(self.commands_dir / "save_state"),
            "RUNNER_TEMP": str(self.tmp / "runner_temp"),
            "INPUT_TOKEN": TOKEN,
            # Inputs the runner always passes, with action.yml's defaults.
            "INPUT_MODE": "check",
            "INPUT_WORKING-DIRECTORY": ".",
            "INPUT_UPLOAD-REPORT": "true",
            "INPUT_REPORT-NAME": "gocross-report",
            "INPUT_TARGETS": "linux/amd64",
            **self.extra_env,
        }
        for name, value in inputs.items():
            env["INPUT_" + name.upper()] = value
        return env

    def run(self, inputs: Mapping[str, str] | None = None, *, run_number: int = 1) -> ActionRun:
        env = self.env(inputs or {}, run_number)
        proc = subprocess.run(
            [sys.executable, str(ROOT / "entrypoint.py")],
            cwd=self.workspace,
            env={**env, "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            timeout=600,
        )
        outputs_text = Path(env["GITHUB_OUTPUT"]).read_text(encoding="utf-8")
        return ActionRun(
            code=proc.returncode,
            stdout=proc.stdout,
            stderr=proc.stderr,
            outputs=parse_outputs(outputs_text),
            summary=Path(env["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8"),
            files={"outputs": Path(env["GITHUB_OUTPUT"]), "summary": Path(env["GITHUB_STEP_SUMMARY"])},
        )
