"""Run the built Action image as GitHub's runner runs a docker action, and check what it leaves.

Started by tests/e2e/docker_action.sh after it built the image. The layout is the runner's:
``<temp>/_github_home``, ``_github_workflow`` and ``_runner_file_commands`` mounted at
``/github/{home,workflow,file_commands}``, the checkout (owned by uid 1001, the runner's user) at
``/github/workspace``, ``--workdir /github/workspace``, every ``INPUT_*`` of action.yml with its
default, the ``GITHUB_*``/``RUNNER_*`` variables, and the loopback GitHub API and Actions results
service stand-ins (reached with ``--network host``).

Two jobs run the example module (examples/hello: four targets, cgo linux/arm64 through the cross
gcc with a qemu smoke run): a cold one with an empty home, then a warm one whose home has the
first job's ``cache-path`` restored, as an actions/cache step would. Each is checked: exit code,
outputs, job summary, check run, artifact, file ownership, relative report paths, and clean VCS
stamping of the binaries. Prints the run times; exits non-zero with the first failed check.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

from tests.github_server import GithubServer
from tests.integration.action_env import (
    HEAD_SHA,
    PR_NUMBER,
    REPOSITORY,
    TOKEN,
    parse_outputs,
    pull_request_payload,
)
from tests.results_service import ResultsService

ROOT = Path(__file__).resolve().parents[2]

RUNNER_UID = 1001
WORKING_DIRECTORY = "examples/hello"
EXAMPLE_TARGETS = {"linux/amd64", "linux/arm64", "windows/amd64", "darwin/arm64"}


class Failed(AssertionError):
    pass


def check(condition: object, message: str) -> None:
    if not condition:
        raise Failed(message)


def log(message: str) -> None:
    print(f"[e2e {time.strftime('%H:%M:%S')}] {message}", flush=True)


def action_inputs(overrides: Mapping[str, str]) -> dict[str, str]:
    """Every input of action.yml as the runner passes it: ``INPUT_<NAME>`` (upper case, hyphens
    kept), its default or empty, ``${{ github.token }}`` evaluated to the job's token."""
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    env = {}
    for name, spec in action["inputs"].items():
        value = str(spec.get("default", "")) if spec else ""
        if value == "${{ github.token }}":
            value = TOKEN
        env["INPUT_" + name.upper()] = overrides.get(name, value)
    return env


def git(workspace: Path, *args: str) -> str:
    proc = subprocess.run(
        # The checkout belongs to uid 1001, this script runs as root.
        ["git", "-c", "safe.directory=*", "-C", str(workspace), *args],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return proc.stdout


def checkout(workspace: Path) -> str:
    """A repository holding the example module, committed, owned by the runner's user."""
    shutil.copytree(ROOT / "examples", workspace / "examples", ignore=shutil.ignore_patterns(".gocross"))
    git(workspace, "init", "-q", "-b", "main")
    git(workspace, "add", "-A")
    git(
        workspace,
        "-c",
        "user.name=e2e",
        "-c",
        "user.email=e2e@example.invalid",
        "commit",
        "-q",
        "-m",
        "example",
    )
    for path in [workspace, *workspace.rglob("*")]:
        os.lchown(path, RUNNER_UID, RUNNER_UID)
    return git(workspace, "rev-parse", "HEAD").strip()


def walk_strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from walk_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk_strings(item)


def not_owned(top: Path) -> list[str]:
    return [str(p) for p in [top, *top.rglob("*")] if p.lstat().st_uid != RUNNER_UID]


class Job:
    """One job on the runner: its temp folders, a fresh checkout, and the container run."""

    def __init__(self, base: Path, name: str) -> None:
        self.temp = base / name / "_temp"
        self.home = self.temp / "_github_home"
        self.workflow = self.temp / "_github_workflow"
        self.file_commands = self.temp / "_runner_file_commands"
        self.workspace = base / name / "work" / "hello" / "hello"
        for folder in (self.home, self.workflow, self.file_commands, self.workspace):
            folder.mkdir(parents=True)
            os.chown(folder, RUNNER_UID, RUNNER_UID)
        self.commit = checkout(self.workspace)
        (self.workflow / "event.json").write_text(json.dumps(pull_request_payload()), encoding="utf-8")
        step = uuid.uuid4()
        self.outputs = self.file_commands / f"set_output_{step}"
        self.summary = self.file_commands / f"step_summary_{step}"
        for path in (self.outputs, self.summary):
            path.touch()
            os.chown(path, RUNNER_UID, RUNNER_UID)

    def env(self, api: GithubServer, results: ResultsService) -> dict[str, str]:
        inside = "/github/file_commands/"
        return {
            **action_inputs({"working-directory": WORKING_DIRECTORY}),
            "HOME": "/github/home",
            "GITHUB_JOB": "cross",
            "GITHUB_REF": f"refs/pull/{PR_NUMBER}/merge",
            "GITHUB_SHA": "b" * 40,
            "GITHUB_REPOSITORY": REPOSITORY,
            "GITHUB_REPOSITORY_OWNER": REPOSITORY.split("/")[0],
            "GITHUB_RUN_ID": "4242",
            "GITHUB_RUN_NUMBER": "1",
            "GITHUB_RUN_ATTEMPT": "1",
            "GITHUB_ACTOR": "octocat",
            "GITHUB_WORKFLOW": "ci",
            "GITHUB_HEAD_REF": "feature",
            "GITHUB_BASE_REF": "main",
            "GITHUB_EVENT_NAME": "pull_request",
            "GITHUB_SERVER_URL": "https://github.com",
            "GITHUB_API_URL": api.url,
            "GITHUB_GRAPHQL_URL": api.url + "/graphql",
            "GITHUB_WORKSPACE": "/github/workspace",
            "GITHUB_ACTION": "gocross",
            "GITHUB_EVENT_PATH": "/github/workflow/event.json",
            "GITHUB_ACTION_REPOSITORY": "",
            "GITHUB_ACTION_REF": "",
            "GITHUB_PATH": inside + f"add_path_{uuid.uuid4()}",
            "GITHUB_ENV": inside + f"set_env_{uuid.uuid4()}",
            "GITHUB_STEP_SUMMARY": inside + self.summary.name,
            "GITHUB_STATE": inside + f"save_state_{uuid.uuid4()}",
            "GITHUB_OUTPUT": inside + self.outputs.name,
            "RUNNER_OS": "Linux",
            "RUNNER_ARCH": "X64",
            "RUNNER_NAME": "e2e",
            "RUNNER_ENVIRONMENT": "github-hosted",
            "RUNNER_TOOL_CACHE": "/opt/hostedtoolcache",
            "RUNNER_TEMP": str(self.temp),
            "RUNNER_WORKSPACE": str(self.workspace.parent),
            "ACTIONS_RUNTIME_URL": results.origin + "/",
            **results.env(),
            "GITHUB_ACTIONS": "true",
            "CI": "true",
        }

    def run(self, image: str, api: GithubServer, results: ResultsService) -> tuple[int, float, str]:
        env = self.env(api, results)
        argv = ["docker", "run", "--name", f"gocross-e2e-{uuid.uuid4().hex[:8]}"]
        argv += ["--workdir", "/github/workspace", "--rm", "--network", "host"]
        for name in env:
            argv += ["-e", name]
        for host, inside in (
            (self.home, "/github/home"),
            (self.workflow, "/github/workflow"),
            (self.file_commands, "/github/file_commands"),
            (self.workspace, "/github/workspace"),
        ):
            argv += ["-v", f"{host}:{inside}"]
        argv.append(image)
        docker = os.environ.get("DOCKER", "docker")
        started = time.monotonic()
        proc = subprocess.run(
            [docker, *argv[1:]], env={**os.environ, **env}, capture_output=True, text=True, timeout=1800
        )
        return proc.returncode, time.monotonic() - started, proc.stdout + proc.stderr


def verify(
    job: Job, code: int, output: str, api: GithubServer, results: ResultsService, artifacts: int
) -> dict[str, str]:
    check(code == 0, f"the action exited {code}:\n{output[-4000:]}")
    leaked = [line for line in output.splitlines() if TOKEN in line and line != f"::add-mask::{TOKEN}"]
    check(not leaked, "the token reached the log outside its ::add-mask:: command")
    outputs = parse_outputs(job.outputs.read_text(encoding="utf-8"))
    check(outputs.get("status") == "passed", f"outputs: {outputs}")
    check(outputs.get("errors") == "0", f"outputs: {outputs}")
    prefix = WORKING_DIRECTORY + "/.gocross/"
    for name, file in (("report", "report.json"), ("sarif", "report.sarif"), ("markdown", "report.md")):
        check(outputs.get(name) == prefix + file, f"output {name} is {outputs.get(name)!r}")
        check((job.workspace / outputs[name]).is_file(), f"{outputs[name]} is not in the workspace")
    key = outputs.get("cache-key", "")
    pattern = r"gocross-linux-go1\.\d+(\.\d+)?-([0-9a-f]{16}|nosum)-[0-9a-f]{16}"
    check(re.fullmatch(pattern, key), f"cache-key {key!r}")
    cache_path = Path(outputs.get("cache-path", ""))
    check(cache_path == job.home / ".cache" / "gocross", f"cache-path is {cache_path} (home {job.home})")
    check((cache_path / "go-build").is_dir(), f"no Go build cache in {cache_path}")

    summary = job.summary.read_text(encoding="utf-8")
    check(summary.strip() and "linux/arm64" in summary, f"job summary: {summary[:500]!r}")

    check(api.problems == [], f"API requests that break GitHub's schema: {api.problems}")
    runs = [r for r in api.check_runs.values() if r.get("head_sha") == HEAD_SHA]
    check(runs and runs[-1].get("conclusion") == "success", f"check runs: {list(api.check_runs.values())}")

    finalized = results.finalized()
    check(len(finalized) == artifacts, f"{len(finalized)} artifacts, expected {artifacts}")
    names = zipfile.ZipFile(io.BytesIO(results.content(finalized[-1].name))).namelist()
    check({".gocross/report.json", ".gocross/report.md", ".gocross/report.sarif"} <= set(names), names)
    check(any(n.startswith(".gocross/logs/") for n in names), f"no target log in the artifact: {names}")

    report = json.loads((job.workspace / outputs["report"]).read_text(encoding="utf-8"))
    targets = {t["target"]: t for t in report["targets"]}
    check(set(targets) == EXAMPLE_TARGETS, f"targets: {sorted(targets)}")
    check(all(t["status"] == "passed" for t in targets.values()), f"targets: {targets}")
    smoke = report["environment"].get("smoke", {}).get("linux/arm64", {})
    check(smoke.get("how") == "qemu" and smoke.get("exit_code") == 0, f"linux/arm64 smoke run: {smoke}")
    facts = [f.get("gomodcache") for f in report["environment"].values() if "gomodcache" in f]
    check(facts == ["/github/home/.cache/gocross/mod"], f"GOMODCACHE was {facts}")
    # Paths to what the run produced (logs, binaries, build and smoke commands) are relative; only
    # environment facts (GOROOT, HOME, the checkout's root) are absolute.
    inside = [s for s in walk_strings(report) if "/github/workspace/" in s]
    check(not inside, f"report.json names paths inside the container's workspace: {inside[:5]}")
    for target in targets.values():
        check(not target["log"].startswith("/"), f"log path {target['log']}")
        check((job.workspace / WORKING_DIRECTORY / target["log"]).is_file(), f"{target['log']} missing")
    dist = job.workspace / WORKING_DIRECTORY / ".gocross" / "dist"
    manifest = json.loads((dist / ".gocross-manifest.json").read_text(encoding="utf-8"))
    check(all(not k.startswith("/") for k in manifest["files"]), f"manifest names: {list(manifest['files'])}")

    binary = job.workspace / WORKING_DIRECTORY / targets["linux/amd64"]["binary"]
    info = subprocess.run(
        ["go", "version", "-m", str(binary)], capture_output=True, text=True, timeout=60
    ).stdout
    check(f"vcs.revision={job.commit}" in info, f"no VCS stamp in {binary.name}:\n{info}")
    check("vcs.modified=false" in info, f"{binary.name} is stamped modified:\n{info}")
    check(git(job.workspace, "status", "--porcelain") == "", "git status is not clean after the run")

    foreign = not_owned(job.workspace) + not_owned(job.home) + not_owned(job.file_commands)
    check(not foreign, f"files not owned by uid {RUNNER_UID}: {foreign[:5]} ({len(foreign)} in all)")
    return outputs


def python_set(image: str) -> None:
    """The image's Python distributions are exactly requirements/image.txt plus gocross-action."""
    lock = {}
    for line in (ROOT / "requirements" / "image.txt").read_text(encoding="utf-8").splitlines():
        found = re.match(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)", line)
        if found:
            lock[re.sub(r"[-_.]+", "-", found.group(1)).lower()] = found.group(2)
    script = (
        "import importlib.metadata as m, json; "
        "print(json.dumps({d.metadata['Name']: d.version for d in m.distributions()}))"
    )
    docker = os.environ.get("DOCKER", "docker")
    python = "/opt/gocross/venv/bin/python"
    proc = subprocess.run(
        [docker, "run", "--rm", "--network", "host", "--entrypoint", python, image, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    installed = {re.sub(r"[-_.]+", "-", k).lower(): v for k, v in json.loads(proc.stdout).items()}
    check(installed.pop("gocross-action", None) is not None, "gocross-action is not installed in the image")
    differences = set(installed.items()) ^ set(lock.items())
    check(installed == lock, f"the image's Python set differs from the lock: {sorted(differences)}")
    log(f"python set: the image installs exactly the {len(lock)} locked distributions (+ gocross-action)")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--image", required=True)
    parser.add_argument("--times", help="write the run times here as JSON")
    args = parser.parse_args()
    try:
        python_set(args.image)
        with tempfile.TemporaryDirectory(prefix="gocross-e2e-") as tmp:
            base = Path(tmp)
            base.chmod(0o755)
            with GithubServer(token=TOKEN) as api, ResultsService() as results:
                cold = Job(base, "cold")
                code, cold_s, output = cold.run(args.image, api, results)
                outputs = verify(cold, code, output, api, results, artifacts=1)
                log(f"cold run (empty Go caches): {cold_s:.1f}s, outputs {json.dumps(outputs)}")

                warm = Job(base, "warm")
                restored = warm.home / ".cache" / "gocross"
                shutil.copytree(Path(outputs["cache-path"]), restored, symlinks=True)
                code, warm_s, output = warm.run(args.image, api, results)
                warm_outputs = verify(warm, code, output, api, results, artifacts=2)
                check(warm_outputs["cache-key"] == outputs["cache-key"], "the cache key changed between jobs")
                log(f"warm run (cache-path restored): {warm_s:.1f}s = {warm_s / cold_s:.2f} of the cold run")
            if args.times:
                times = {"cold_s": cold_s, "warm_s": warm_s}
                Path(args.times).write_text(json.dumps(times), encoding="utf-8")
    except Failed as exc:
        print(f"e2e: FAILED: {exc}", file=sys.stderr)
        return 1
    print("e2e: all checks passed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
