"""action.yml, the workflows, the Dockerfile and the README agree with each other and with the
published schemas: every input documented and either a config key or an action-only setting;
the image installs the project's pinned dependencies and runs entrypoint.py."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

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
ISSUE_OUTPUTS = ["status", "errors", "warnings", "report", "sarif", "markdown", "cache-key", "cache-path"]


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


def _lock(name: str) -> dict[str, tuple[str, list[str]]]:
    """requirements/<name>: normalised name -> (version, sha256 hashes)."""
    entries: dict[str, tuple[str, list[str]]] = {}
    current = None
    for line in (ROOT / "requirements" / name).read_text(encoding="utf-8").splitlines():
        pinned = re.match(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)", line)
        if pinned:
            current = re.sub(r"[-_.]+", "-", pinned.group(1)).lower()
            entries[current] = (pinned.group(2), [])
            continue
        digest = re.match(r"^\s+--hash=sha256:([0-9a-f]{64})", line)
        if digest and current:
            entries[current][1].append(digest.group(1))
        elif line.strip() and not line.lstrip().startswith("#"):
            raise AssertionError(f"requirements/{name}: a line pip --require-hashes refuses: {line!r}")
    return entries


def _closure(names: list[str]) -> set[str]:
    """The distributions ``names`` pull in, from the installed metadata (extras followed)."""
    from importlib.metadata import PackageNotFoundError, distribution

    seen: set[str] = set()
    todo = [Requirement(n) for n in names]
    while todo:
        requirement = todo.pop()
        key = re.sub(r"[-_.]+", "-", requirement.name).lower()
        try:
            requires = distribution(requirement.name).requires or []
        except PackageNotFoundError:
            seen.add(key)
            continue
        seen.add(key)
        for text in requires:
            child = Requirement(text)
            extras = requirement.extras or {""}
            if child.marker is None or any(child.marker.evaluate({"extra": e}) for e in extras):
                todo.append(child)
    return seen


def test_the_image_lock_pins_every_package_with_hashes_as_pip_require_hashes_wants() -> None:
    lock = _lock("image.txt")
    assert lock
    for name, (version, hashes) in lock.items():
        assert re.fullmatch(r"[0-9][0-9A-Za-z.+!-]*", version), name
        assert hashes, f"{name}=={version} has no --hash: pip --require-hashes refuses the file"


def test_the_image_lock_holds_the_full_runtime_closure_the_build_backend_and_the_constraints() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    lock = _lock("image.txt")
    for spec in project["project"]["dependencies"]:
        requirement = Requirement(spec)
        key = re.sub(r"[-_.]+", "-", requirement.name).lower()
        assert key in lock and requirement.specifier.contains(lock[key][0]), spec
    # Everything the dependencies pull in (cryptography through PyGithub's pyjwt[crypto]) and the
    # build backend pyproject names: nothing floats when the image installs the project.
    runtime = _closure(project["project"]["dependencies"])
    backend = {
        re.sub(r"[-_.]+", "-", Requirement(r).name).lower() for r in project["build-system"]["requires"]
    }
    assert runtime | backend <= set(lock), sorted((runtime | backend) - set(lock))
    pins = _pins()
    for name, (version, _) in lock.items():
        assert pins.get(name, version) == version, f"{name}: lock {version}, constraints.txt {pins[name]}"


def test_the_zig_lock_pins_ziglang_with_hashes() -> None:
    lock = _lock("zig.txt")
    assert set(lock) == {"ziglang"} and lock["ziglang"][0] == _pins()["ziglang"]
    assert lock["ziglang"][1]


def _dockerfile() -> str:
    return (ROOT / "Dockerfile").read_text(encoding="utf-8")


def test_dockerfile_installs_exactly_the_lock_and_runs_entrypoint_py() -> None:
    dockerfile = _dockerfile()
    bases = set(re.findall(r"^FROM (\S+)", dockerfile, re.M))
    # Go from the official image of a Go release, the rest on the same Debian release (12), slim.
    assert len(bases) == 2, bases
    go = next(b for b in bases if b.startswith("golang:"))
    debian = next(b for b in bases if b.startswith("debian:"))
    assert re.fullmatch(r"golang:\d+\.\d+\.\d+-bookworm", go), go
    assert re.fullmatch(r"debian:12\.\d+-slim", debian), debian
    assert f"GOLANG_VERSION={go.split(':')[1].split('-')[0]}" in dockerfile
    assert re.search(r"^COPY --from=go /usr/local/go /usr/local/go$", dockerfile, re.M)
    assert re.search(r"pip install --require-hashes --no-deps -r requirements/image\.txt", dockerfile)
    assert re.search(r"pip install --no-deps --no-build-isolation \.", dockerfile), "the project adds nothing"
    assert "GOTOOLCHAIN=auto" in dockerfile and "DEBIAN_FRONTEND=noninteractive" in dockerfile
    assert "safe.directory" in dockerfile
    entrypoint = re.search(r"^ENTRYPOINT (\[.*\])", dockerfile, re.M)
    assert entrypoint and entrypoint.group(1).endswith('"/opt/gocross/entrypoint.py"]')
    assert re.search(r"COPY entrypoint\.py ", dockerfile)
    assert re.search(r"^COPY --from=python /opt/gocross /opt/gocross$", dockerfile, re.M)


def test_dockerfile_has_the_cgo_cross_compilers_of_the_supported_targets_and_only_arm_emulators() -> None:
    dockerfile = _dockerfile()
    for package in (
        "gcc-aarch64-linux-gnu",
        "gcc-arm-linux-gnueabihf",
        "gcc-i686-linux-gnu",
        "gcc-x86-64-linux-gnu",  # on a non-amd64 host
        "gcc-mingw-w64-x86-64-win32",
        "qemu-user-static",
    ):
        assert package in dockerfile, package
    assert not re.search(r"gcc-mingw-w64-(x86-64|i686)(-posix)?\s", dockerfile), "only the win32 flavour"
    kept = set(re.findall(r"! -name '(qemu-[a-z0-9_]+-static)'", dockerfile))
    assert kept == {"qemu-aarch64-static", "qemu-arm-static"}
    assert "ziglang" not in dockerfile, "zig is the optional image (Dockerfile.zig)"
    zig = (ROOT / "Dockerfile.zig").read_text(encoding="utf-8")
    assert re.search(r"pip install --require-hashes\s+\\?\s*--no-deps -r \S*requirements/zig\.txt", zig)


def test_dockerignore_lets_in_exactly_what_the_dockerfiles_copy() -> None:
    lines = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert lines[0] == "*", "everything is out unless let in"
    let_in = {line[1:].rstrip("/") for line in lines if line.startswith("!")}
    copied = set()
    for text in (_dockerfile(), (ROOT / "Dockerfile.zig").read_text(encoding="utf-8")):
        for sources in re.findall(r"^COPY (?!--from)(.+) \S+$", text, re.M):
            copied.update(sources.split())
    assert copied == let_in, (sorted(copied), sorted(let_in))


def test_release_tags_pin_action_yml_to_the_pushed_image_by_digest(tmp_path: Path) -> None:
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "release.yml").read_text(encoding="utf-8"))
    run = "\n".join(step.get("run", "") for step in workflow["jobs"]["image"]["steps"])
    assert "docker push" in run and "ghcr.io/" in run and "scripts/pin-action-image" in run
    action = tmp_path / "action.yml"
    action.write_text((ROOT / "action.yml").read_text(encoding="utf-8"), encoding="utf-8")
    digest = "ghcr.io/octo/gocross-action@sha256:" + "0123456789abcdef" * 4
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "pin-action-image"), digest, str(action)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    pinned = yaml.safe_load(action.read_text(encoding="utf-8"))
    assert pinned["runs"] == {"using": "docker", "image": "docker://" + digest}
    assert {k: v for k, v in pinned.items() if k != "runs"} == {
        k: v for k, v in ACTION.items() if k != "runs"
    }
    checker = shutil.which("check-jsonschema")
    assert checker
    valid = subprocess.run(
        [checker, "--builtin-schema", "vendor.github-actions", str(action)], capture_output=True, text=True
    )
    assert valid.returncode == 0, valid.stdout


def test_pinning_refuses_an_image_without_a_digest(tmp_path: Path) -> None:
    action = tmp_path / "action.yml"
    action.write_text((ROOT / "action.yml").read_text(encoding="utf-8"), encoding="utf-8")
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "pin-action-image"),
            "ghcr.io/octo/gocross-action:v1",
            str(action),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2 and "sha256" in proc.stderr and "Traceback" not in proc.stderr
    assert action.read_text(encoding="utf-8") == (ROOT / "action.yml").read_text(encoding="utf-8")
