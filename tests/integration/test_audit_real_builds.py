"""Every Dockerfile finding of the audit, checked for real: the corpus case's Go stage is read
with the audit's own parser, its ``go build`` line is run locally (no Docker) with the stage's
ENV/ARG values and the platform BuildKit would give it, and the result is judged by the real
``gocross inspect`` (or the build fails the way the finding says)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from gocross_action import audit
from gocross_action.audit import dockerfile, dockerfile_checks, files, gocommands
from tests.conftest import ROOT, go_cache, require_tool, run_gocross

CORPUS = ROOT / "tests" / "audit" / "testdata"
NET_MAIN = """package main

import (
\t"fmt"
\t"net"
)

func main() { fmt.Println(net.ParseIP("127.0.0.1")) }
"""
UUID_MAIN = """package main

import (
\t"fmt"

\t"github.com/google/uuid"
)

func main() { fmt.Println(uuid.NewString()) }
"""
# What BuildKit gives a stage for `--platform linux/amd64,linux/arm64` on an amd64 machine,
# when it builds the arm64 image.
PLATFORM = {
    "BUILDPLATFORM": "linux/amd64",
    "BUILDOS": "linux",
    "BUILDARCH": "amd64",
    "TARGETPLATFORM": "linux/arm64",
    "TARGETOS": "linux",
    "TARGETARCH": "arm64",
    "TARGETVARIANT": "",
}


def _rules(case: Path, *, git: bool = False) -> set[str]:
    """The audit's rules for a corpus case (in a copy holding a .git when ``git``)."""
    with tempfile.TemporaryDirectory(prefix="gocross-audit-case-") as scratch:
        repo = Path(scratch) / case.name
        shutil.copytree(case, repo)
        if git:
            (repo / ".git").mkdir()
        result = audit.run(repo, env={"PATH": ""}, cgroup=repo / "no-cgroup")
    return {f.rule for f in result.findings}


def _stage(case: Path, name: str = "Dockerfile") -> tuple[dockerfile_checks.GoBuild, dockerfile.Dockerfile]:
    parsed = dockerfile.parse((case / name).read_text(encoding="utf-8"))
    ctx = dockerfile_checks.Context(
        path=name, dockerfile=parsed, repo=files.Repository(root=case), context_dir=case
    )
    return ctx.builds()[-1], parsed


def _stage_env(build: dockerfile_checks.GoBuild, platform: Mapping[str, str] = PLATFORM) -> dict[str, str]:
    """The Go settings the stage's go build runs with, build-time values filled in."""
    env = {}
    for key in gocommands.GO_KEYS:
        value, _, _ = build.setting(key)
        if value is None:
            continue
        for arg, given in platform.items():
            value = value.replace("${" + arg + "}", given)
        env[key] = value
    return env


def _flags(build: dockerfile_checks.GoBuild) -> list[str]:
    """The go build line's own flags (its output path and package replaced by the test's)."""
    out, skip = [], False
    for arg in build.command.args:
        if skip:
            skip = False
            continue
        if arg in ("-o", "-ldflags", "-tags"):
            skip = True
            continue
        if arg.startswith("-") and not arg.startswith(("-o=", "-ldflags")):
            out.append(arg)
    return out


@pytest.fixture
def module() -> Iterator[Path]:
    """A module directory others can read (the USER test builds as another uid)."""
    directory = Path(tempfile.mkdtemp(prefix="gocross-audit-"))
    directory.chmod(0o755)
    try:
        yield directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _copy_case(case: str, module: Path, main: str) -> Path:
    for name in ("go.mod", "go.sum"):
        if (CORPUS / case / name).is_file():
            shutil.copy(CORPUS / case / name, module / name)
    (module / "main.go").write_text(main, encoding="utf-8")
    for path in module.iterdir():
        path.chmod(0o644)
    return module


def _go_build(
    module: Path, build: dockerfile_checks.GoBuild, extra: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "GOCACHE": go_cache(),
        "GOTOOLCHAIN": "local",
        "GOFLAGS": "-buildvcs=false",
        **_stage_env(build),
        **(extra or {}),
    }
    argv = ["go", "build", *_flags(build), "-o", str(module / "app"), "."]
    return subprocess.run(argv, cwd=module, env=env, capture_output=True, text=True, timeout=300)


def _inspect(binary: Path, *options: str) -> tuple[int, dict[str, object]]:
    done = run_gocross(["inspect", str(binary), "--format", "json", *options])
    return done.code, json.loads(done.stdout)


def _categories(report: Mapping[str, object]) -> set[str]:
    findings = report["findings"]
    assert isinstance(findings, list)
    return {f["category"] for f in findings}


def _runtime_image(parsed: dockerfile.Dockerfile) -> str:
    return parsed.stages[-1].image


# ----------------------------------------------------------------------------- platform


@pytest.mark.parametrize(
    ("case", "rule"),
    [
        ("bad-emulated-bake", "audit.dockerfile.emulated-build"),
        ("bad-target-ignored", "audit.dockerfile.target-ignored"),
        ("bad-fixed-goarch-env", "audit.dockerfile.fixed-target"),
        ("bad-fixed-goarch-arg", "audit.dockerfile.fixed-target"),
    ],
)
def test_the_stage_run_without_emulation_builds_the_build_machines_binary_for_the_arm64_image(
    case: str, rule: str, module: Path
) -> None:
    assert rule in _rules(CORPUS / case)
    build, _ = _stage(CORPUS / case)
    _copy_case(case, module, NET_MAIN)
    done = _go_build(module, build)
    assert done.returncode == 0, done.stderr
    code, report = _inspect(module / "app", "--expect", "linux/arm64")
    assert code == 1
    assert "exec-format-error" in _categories(report)
    binaries = report["binaries"]
    assert isinstance(binaries, list) and binaries[0]["goarch"] == "amd64"


def test_the_emulated_build_fix_cross_compiles_the_arm64_binary_natively(module: Path) -> None:
    build, _ = _stage(CORPUS / "bad-emulated-bake")
    _copy_case("bad-emulated-bake", module, NET_MAIN)
    # The finding's fix: FROM --platform=$BUILDPLATFORM, GOOS=$TARGETOS GOARCH=$TARGETARCH.
    done = _go_build(module, build, {"GOOS": PLATFORM["TARGETOS"], "GOARCH": PLATFORM["TARGETARCH"]})
    assert done.returncode == 0, done.stderr
    code, report = _inspect(module / "app", "--expect", "linux/arm64", "--deploy", "alpine:3.20")
    assert code == 0, report["findings"]


def test_goarch_fixed_on_the_go_build_line_gives_the_amd64_image_an_arm64_binary(module: Path) -> None:
    case = "bad-fixed-inline"
    assert "audit.dockerfile.fixed-target" in _rules(CORPUS / case)
    build, _ = _stage(CORPUS / case)
    _copy_case(case, module, NET_MAIN)
    assert _go_build(module, build).returncode == 0
    code, report = _inspect(module / "app", "--expect", "linux/amd64")
    assert code == 1
    assert "exec-format-error" in _categories(report)


# ----------------------------------------------------------------------------- C library


@pytest.mark.parametrize(
    ("case", "rule", "category", "cc"),
    [
        ("bad-cgo-scratch", "audit.dockerfile.cgo-in-static-image", "static-linking", "gcc"),
        ("bad-cgo-default-distroless", "audit.dockerfile.cgo-in-static-image", "static-linking", "gcc"),
        ("bad-cgo-glibc-on-alpine", "audit.dockerfile.cgo-libc-mismatch", "libc-musl-glibc-mismatch", "gcc"),
        (
            "bad-musl-builder-glibc-runtime",
            "audit.dockerfile.cgo-libc-mismatch",
            "libc-musl-glibc-mismatch",
            "musl-gcc",
        ),
        ("bad-glibc-newer-than-runtime", "audit.dockerfile.glibc-too-new", "glibc-version-mismatch", "gcc"),
    ],
)
def test_the_cgo_binary_cannot_run_on_the_runtime_image(
    case: str, rule: str, category: str, cc: str, module: Path
) -> None:
    if shutil.which(cc) is None:
        pytest.skip(f"{cc} is not installed (.ci/run installs it)")
    assert rule in _rules(CORPUS / case)
    build, parsed = _stage(CORPUS / case)
    _copy_case(case, module, NET_MAIN)
    # The builder's C compiler: gcc of the Debian golang image, musl gcc of the Alpine one.
    done = _go_build(module, build, {"CC": cc})
    assert done.returncode == 0, done.stderr
    code, report = _inspect(module / "app", "--deploy", _runtime_image(parsed))
    assert code == 1, report["findings"]
    assert category in _categories(report)
    binaries = report["binaries"]
    assert isinstance(binaries, list) and binaries[0]["interpreter"]  # dynamically linked


# ----------------------------------------------------------------------------- build environment


def test_go_build_as_a_user_without_home_cannot_create_its_cache(module: Path) -> None:
    case = "bad-user-without-cache"
    assert "audit.dockerfile.user-without-cache" in _rules(CORPUS / case)
    if shutil.which("setpriv") is None:
        pytest.skip("setpriv is not installed")
    build, _ = _stage(CORPUS / case)
    user = next(s.instruction.args for s in build.stage.steps if s.instruction.keyword == "USER").strip()
    _copy_case(case, module, "package main\n\nfunc main() {}\n")  # small: the fix compiles it afresh
    go_bin = str(Path(shutil.which("go") or "go").resolve().parent)
    # A uid with no passwd entry gets HOME=/ in a container; nothing else is writable to it.
    env = {"PATH": f"{go_bin}:/usr/bin:/bin", "HOME": "/", "GOTOOLCHAIN": "local", **_stage_env(build)}
    argv = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", "env", "-i"]
    argv += [f"{k}={v}" for k, v in env.items()]
    argv += ["go", "build", "-o", str(module / "app"), "."]
    done = subprocess.run(argv, cwd=module, capture_output=True, text=True, timeout=300)
    assert done.returncode != 0
    assert "mkdir /.cache: permission denied" in done.stderr
    # The fix: a writable HOME and GOCACHE for that user.
    cache = Path(tempfile.mkdtemp(prefix="gocross-audit-cache-"))
    try:
        cache.chmod(0o777)
        fixed = [*argv[:6], f"HOME={cache}", f"GOCACHE={cache}/go-build", *argv[6:-3]]
        fixed += ["-o", str(cache / "app"), "."]
        done = subprocess.run(fixed, cwd=module, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
    finally:
        shutil.rmtree(cache, ignore_errors=True)


def test_mod_vendor_without_vendor_directory_stops_the_build(module: Path) -> None:
    case = "bad-vendor-missing"
    assert "audit.dockerfile.vendor-missing" in _rules(CORPUS / case)
    build, _ = _stage(CORPUS / case)
    _copy_case(case, module, UUID_MAIN)
    done = _go_build(module, build, {"GOFLAGS": _stage_env(build)["GOFLAGS"]})
    assert done.returncode != 0
    assert "inconsistent vendoring" in done.stderr


def test_goproxy_off_without_vendored_modules_cannot_find_them(module: Path) -> None:
    case = "bad-goproxy-off"
    assert "audit.dockerfile.goproxy-off" in _rules(CORPUS / case)
    build, _ = _stage(CORPUS / case)
    _copy_case(case, module, UUID_MAIN)
    empty = module / "modcache"
    done = _go_build(module, build, {"GOMODCACHE": str(empty)})
    shutil.rmtree(empty, ignore_errors=True)
    assert done.returncode != 0
    assert "module lookup disabled by GOPROXY=off" in done.stderr


def _git_repo(module: Path) -> None:
    git = ["git", "-c", "user.email=a@example.com", "-c", "user.name=a"]
    subprocess.run(["git", "init", "-q"], cwd=module, check=True)
    subprocess.run([*git, "add", "."], cwd=module, check=True)
    subprocess.run([*git, "commit", "-qm", "init"], cwd=module, check=True)


def _path_without_git(module: Path) -> str:
    tools = module.parent / f"{module.name}-tools"
    tools.mkdir()
    (tools / "go").symlink_to(Path(shutil.which("go") or "go").resolve())
    return str(tools)


def test_buildvcs_true_without_git_fails_and_auto_drops_the_revision(module: Path) -> None:
    require_tool("git")
    for case in ("bad-vcs-no-git-true", "bad-vcs-no-git-auto"):
        assert "audit.dockerfile.vcs-without-git" in _rules(CORPUS / case, git=True)
    _copy_case("bad-vcs-no-git-true", module, NET_MAIN)
    _git_repo(module)
    path = _path_without_git(module)
    try:
        explicit, _ = _stage(CORPUS / "bad-vcs-no-git-true")
        done = _go_build(module, explicit, {"PATH": path, "GOFLAGS": _stage_env(explicit)["GOFLAGS"]})
        assert done.returncode != 0
        assert "error obtaining VCS status" in done.stderr
        auto, _ = _stage(CORPUS / "bad-vcs-no-git-auto")
        done = _go_build(module, auto, {"PATH": path, "GOFLAGS": "-buildvcs=auto"})
        assert done.returncode == 0, done.stderr
        _, report = _inspect(module / "app")
        binaries = report["binaries"]
        assert isinstance(binaries, list)
        assert "vcs.revision" not in binaries[0]["go"]["settings"]
        # With git in the image the same build records the commit.
        done = _go_build(module, auto, {"GOFLAGS": "-buildvcs=auto"})
        assert done.returncode == 0, done.stderr
        _, report = _inspect(module / "app")
        binaries = report["binaries"]
        assert isinstance(binaries, list) and "vcs.revision" in binaries[0]["go"]["settings"]
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _compiles(done: subprocess.CompletedProcess[str]) -> int:
    return sum(1 for line in done.stderr.splitlines() if "/compile " in line and " -p " in line)


def test_without_a_cache_mount_every_layer_rebuild_compiles_everything_again(module: Path) -> None:
    case = "bad-no-cache-mount"
    assert "audit.dockerfile.no-cache-mount" in _rules(CORPUS / case)
    build, _ = _stage(CORPUS / case)
    _copy_case(case, module, NET_MAIN)
    # go build -n plans the build against the cache it is given, without running it.
    fresh = Path(tempfile.mkdtemp(prefix="gocross-audit-gocache-"))
    try:  # a rebuilt layer starts from the image's empty cache
        planned = _go_build(module, build, {"GOCACHE": str(fresh), "GOFLAGS": "-n -buildvcs=false"})
    finally:
        shutil.rmtree(fresh, ignore_errors=True)
    assert planned.returncode == 0, planned.stderr
    assert _compiles(planned) > 10  # the standard library's packages, every time
    # With the cache mounted, what an earlier build compiled is not compiled again.
    assert _go_build(module, build).returncode == 0
    again = _go_build(module, build, {"GOFLAGS": "-n -buildvcs=false"})
    assert _compiles(again) == 0
