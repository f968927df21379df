"""action.yml, the workflows, the Dockerfile and the README agree with each other and with the
published schemas: every input documented and either a config key or an action-only setting;
the image installs the project's pinned dependencies and runs entrypoint.py."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
import tomllib
import yaml
from packaging.requirements import Requirement

from gocross_action.github.inputs import ACTION_ONLY, CONFIG_KEYS
from tests.conftest import ROOT

ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
ACTIONLINT = ROOT / ".cache" / "tools" / "actionlint-v1.7.12" / "actionlint"
ISSUE_INPUTS = [
    "token",
    "working-directory",
    "config",
    "targets",
    "mode",
    "log-file",
    "binaries",
    "deploy",
    "glibc-max",
    "require-static",
    "smoke",
    "verify-fixes",
    "fail-on",
    "comment",
    "check-run",
    "check-name",
    "upload-report",
    "report-name",
]
ISSUE_OUTPUTS = ["status", "errors", "warnings", "report", "sarif", "markdown"]


def _readme_action_section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("<!-- action -->")
    end = text.index("\n## ", start)
    return text[start:end]


def test_action_declares_exactly_the_inputs_and_outputs_of_the_issue() -> None:
    assert sorted(ACTION["inputs"]) == sorted(ISSUE_INPUTS)
    assert sorted(ACTION["outputs"]) == sorted(ISSUE_OUTPUTS)


def test_every_input_is_a_config_key_or_an_action_only_setting() -> None:
    for name in ACTION["inputs"]:
        assert (name in CONFIG_KEYS) != (name in ACTION_ONLY), name


def test_config_key_inputs_have_no_default_so_the_config_file_applies() -> None:
    for name in CONFIG_KEYS:
        assert "default" not in ACTION["inputs"][name], name


def test_every_input_and_output_is_documented_in_the_readme() -> None:
    section = _readme_action_section()
    for name in [*ACTION["inputs"], *ACTION["outputs"]]:
        assert re.search(rf"\|\s*`{re.escape(name)}`\s*\|", section), f"{name} is not in the README's tables"


def test_action_is_a_docker_action_built_from_the_dockerfile() -> None:
    assert ACTION["runs"] == {"using": "docker", "image": "Dockerfile"}
    assert ACTION["branding"]["icon"] and ACTION["branding"]["color"]


def test_action_and_workflows_validate_against_the_published_schemas() -> None:
    checker = shutil.which("check-jsonschema")
    assert checker, "check-jsonschema is a test dependency (pyproject's test extra)"
    for schema, files in (
        ("vendor.github-actions", [ROOT / "action.yml"]),
        ("vendor.github-workflows", WORKFLOWS),
    ):
        proc = subprocess.run(
            [checker, "--builtin-schema", schema, *map(str, files)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr


def test_workflows_pass_actionlint() -> None:
    if not ACTIONLINT.is_file():
        pytest.skip("actionlint is not built (.ci/setup.d/41-actionlint.sh builds it)")
    proc = subprocess.run(
        [str(ACTIONLINT), *map(str, WORKFLOWS)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_example_matrix_posts_one_comment_from_an_aggregate_job() -> None:
    workflow = yaml.safe_load(
        (ROOT / ".github" / "workflows" / "example-matrix.yml").read_text(encoding="utf-8")
    )
    steps = {
        name: [s for s in job["steps"] if s.get("uses") == "./"] for name, job in workflow["jobs"].items()
    }
    matrix_jobs = [n for n, job in workflow["jobs"].items() if "strategy" in job]
    assert matrix_jobs
    for name in matrix_jobs:
        assert all(s["with"]["comment"] == "never" for s in steps[name])
    aggregate = [n for n, s in steps.items() if any(step["with"].get("mode") == "aggregate" for step in s)]
    assert len(aggregate) == 1
    assert (
        set(workflow["jobs"][aggregate[0]]["needs"]) >= set(matrix_jobs)
        or workflow["jobs"][aggregate[0]]["needs"] in matrix_jobs
    )


def _pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"constraints.txt pins exactly: {line!r}"
            pins[re.sub(r"[-_.]+", "-", name).lower()] = version
    return pins


def test_constraints_pin_every_runtime_dependency_within_its_specifier() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = _pins()
    for spec in project["dependencies"]:
        requirement = Requirement(spec)
        key = re.sub(r"[-_.]+", "-", requirement.name).lower()
        assert key in pins, f"{requirement.name} is not pinned in constraints.txt"
        assert requirement.specifier.contains(pins[key]), f"{requirement.name}=={pins[key]} breaks {spec!r}"


def test_dockerfile_installs_the_project_with_the_constraints_and_runs_entrypoint_py() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    base = re.search(r"^FROM (\S+)", dockerfile, re.M)
    assert base and re.search(r":\d+\.\d+\.\d+", base.group(1)), "the base image is pinned to a release"
    assert re.search(r"COPY [^\n]*constraints\.txt", dockerfile)
    assert re.search(r"pip install -c constraints\.txt \.", dockerfile)
    assert "GOTOOLCHAIN=auto" in dockerfile and "DEBIAN_FRONTEND=noninteractive" in dockerfile
    assert "safe.directory" in dockerfile
    entrypoint = re.search(r"^ENTRYPOINT (\[.*\])", dockerfile, re.M)
    assert entrypoint and entrypoint.group(1).endswith('"/opt/gocross/entrypoint.py"]')
    assert re.search(r"COPY entrypoint\.py ", dockerfile)
    assert "ziglang" in dockerfile and "ziglang" in _pins()
    for package in ("qemu-user-static", "gcc-aarch64-linux-gnu", "gcc-mingw-w64-x86-64"):
        assert package in dockerfile
