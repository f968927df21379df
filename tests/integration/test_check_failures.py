"""`gocross check` on one fixture module per failure a build can produce here: each test asserts
the target's status, the top finding's category and, where a machine fix exists, that
``--verify-fixes`` proved it with a rebuild."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import go_cache, require_tool

from .cgolibs import require_modules
from .checkrun import check, copy_fixture


def _verified(run_top: dict[str, object]) -> object:
    fix = run_top["fix"]
    assert isinstance(fix, dict), run_top
    return fix["verified"]


def test_cgo_disabled_where_a_package_needs_it_is_cgo_required_and_cgo_on_fixes_it(tmp_path: Path) -> None:
    module = copy_fixture("cgo-needed", tmp_path)
    run = check(module, "--targets", "linux/amd64", "--verify-fixes", env={"CGO_ENABLED": "0"})
    assert run.code == 1
    assert run.status("linux/amd64") == "failed"
    top = run.top("linux/amd64")
    assert top["category"] == "cgo-required-but-disabled"
    assert _verified(top) is True
    assert top["fix"]["changes"]["env"]["CGO_ENABLED"] == "1"
    assert run.report["environment"]["cgo-usage"]["linux/amd64"]["packages"] == ["example.com/cgoneeded/cadd"]
    assert run.report["environment"]["verify-fixes"]["linux/amd64"]["status"] == "passed"


def test_missing_cross_compiler_is_cgo_no_c_compiler_and_the_installed_one_fixes_it(tmp_path: Path) -> None:
    require_tool("aarch64-linux-gnu-gcc")
    module = copy_fixture("cgo-needed", tmp_path)
    env = {"CGO_ENABLED": "1", "CC": "aarch64-linux-musl-gcc"}
    run = check(module, "--targets", "linux/arm64", "--verify-fixes", env=env)
    assert run.status("linux/arm64") == "failed"
    top = run.top("linux/arm64")
    assert top["category"] == "cgo-no-c-compiler"
    assert top["fix"]["changes"]["env"]["CC"] == "aarch64-linux-gnu-gcc"
    assert _verified(top) is True


def test_needless_cgo_with_a_missing_compiler_is_fixed_by_cgo_off(tmp_path: Path) -> None:
    module = copy_fixture("net-user", tmp_path)
    env = {"CGO_ENABLED": "1", "CC": "aarch64-linux-musl-gcc"}
    run = check(module, "--targets", "linux/arm64", "--verify-fixes", env=env)
    assert run.status("linux/arm64") == "failed"
    top = run.top("linux/arm64")
    assert top["category"] == "cgo-no-c-compiler"
    assert top["fix"]["changes"]["env"] == {"CGO_ENABLED": "0"}
    assert _verified(top) is True
    assert run.report["environment"]["cgo-usage"]["linux/arm64"]["packages"] == []


def test_host_gcc_for_arm64_is_the_wrong_compiler_and_the_cross_gcc_fixes_it(tmp_path: Path) -> None:
    require_tool("aarch64-linux-gnu-gcc")
    module = copy_fixture("cgo-needed", tmp_path)
    run = check(module, "--targets", "linux/arm64", "--verify-fixes", env={"CGO_ENABLED": "1", "CC": "gcc"})
    assert run.status("linux/arm64") == "failed"
    top = run.top("linux/arm64")
    assert top["category"] == "cgo-wrong-compiler"
    assert _verified(top) is True


def test_linux_gcc_for_windows_is_the_wrong_compiler_and_mingw_fixes_it(tmp_path: Path) -> None:
    require_tool("x86_64-w64-mingw32-gcc")
    module = copy_fixture("cgo-needed", tmp_path)
    run = check(module, "--targets", "windows/amd64", "--verify-fixes", env={"CGO_ENABLED": "1", "CC": "gcc"})
    assert run.status("windows/amd64") == "failed"
    top = run.top("windows/amd64")
    assert top["category"] == "cgo-wrong-compiler"
    assert top["fix"]["changes"]["env"]["CC"] == "x86_64-w64-mingw32-gcc"
    assert _verified(top) is True


@pytest.mark.network
def test_missing_header_is_cgo_headers_libs_and_the_unpacked_package_proves_the_install(
    tmp_path: Path,
) -> None:
    require_tool("apt-get")
    assert not Path("/usr/include/pcap.h").exists(), "the fixture expects libpcap-dev to be absent"
    module = copy_fixture("cgo-header", tmp_path)
    run = check(module, "--targets", "linux/amd64", "--verify-fixes", env={"CGO_ENABLED": "1"})
    assert run.status("linux/amd64") == "failed"
    top = run.top("linux/amd64")
    assert top["category"] == "cgo-headers-libs"
    assert "libpcap-dev" in top["fix"]["summary"]
    # apt-get download into a scratch tree stands in for the install: the rebuild links -lpcap.
    assert _verified(top) is True
    assert top["fix"]["cost"]["needs_root"] is True


def test_host_library_missing_for_the_target_is_cgo_headers_libs(tmp_path: Path) -> None:
    require_tool("aarch64-linux-gnu-gcc")
    assert not list(Path("/usr/lib").glob("aarch64-linux-gnu/libz.*")), "the fixture expects no arm64 libz"
    module = copy_fixture("cgo-lib", tmp_path)
    env = {"CGO_ENABLED": "1", "CC": "aarch64-linux-gnu-gcc"}
    run = check(module, "--targets", "linux/arm64", env=env)
    assert run.status("linux/arm64") == "failed"
    assert run.top("linux/arm64")["category"] == "cgo-headers-libs"


def test_files_only_for_linux_are_build_constraints_on_windows(tmp_path: Path) -> None:
    module = copy_fixture("constraints", tmp_path)
    run = check(module, "--targets", "linux/amd64,windows/amd64")
    assert run.status("linux/amd64") == "passed"
    assert run.status("windows/amd64") == "failed"
    assert run.top("windows/amd64")["category"] == "build-constraints"


def test_unix_only_api_on_windows_is_platform_api(tmp_path: Path) -> None:
    module = copy_fixture("platform-api", tmp_path)
    run = check(module, "--targets", "linux/amd64,windows/amd64")
    assert run.status("linux/amd64") == "passed"
    assert run.status("windows/amd64") == "failed"
    assert run.top("windows/amd64")["category"] == "platform-api"


def _files(module: Path) -> dict[str, bytes]:
    """The module's own files (not what gocross writes under .gocross/), by relative path."""
    return {
        str(p.relative_to(module)): p.read_bytes()
        for p in sorted(module.rglob("*"))
        if p.is_file() and ".gocross" not in p.relative_to(module).parts
    }


def _language_version() -> str:
    done = subprocess.run(["go", "env", "GOVERSION"], capture_output=True, text=True, check=True)
    major, minor = done.stdout.strip().removeprefix("go").split(".")[:2]
    return f"{major}.{minor.split('rc')[0]}"


def test_go_mod_newer_than_this_go_is_go_version_toolchain_fixed_by_the_go_line_on_a_copy(
    tmp_path: Path,
) -> None:
    module = copy_fixture("go-version", tmp_path)
    before = _files(module)
    run = check(module, "--targets", "linux/amd64", "--verify-fixes", env={"GOTOOLCHAIN": "local"})
    assert run.status("linux/amd64") == "failed"
    top = run.top("linux/amd64")
    assert top["category"] == "go-version-toolchain"
    version = _language_version()
    assert top["fix"]["changes"]["go_mod_edit"] == [f"-go={version}"]
    assert _verified(top) is True
    cost = top["fix"]["cost"]
    assert (cost["changes_repo"], cost["needs_root"], cost["undo"]) == (True, False, "go mod edit -go=1.999")
    # The edit was made on a copy the rebuild read with -modfile: the user's files are as they were.
    command = run.report["environment"]["verify-fixes"]["linux/amd64"]["command"]
    assert command.startswith(f"go mod edit -go={version} ") and "-modfile=" in command
    assert _files(module) == before


def test_go_mod_that_needs_updating_is_module_proxy_sum_fixed_by_mod_mod(tmp_path: Path) -> None:
    module = copy_fixture("mod-mod", tmp_path)
    before = (module / "go.mod").read_text()
    run = check(module, "--targets", "linux/amd64", "--verify-fixes", env={"GOFLAGS": "-mod=readonly"})
    assert run.status("linux/amd64") == "failed"
    top = run.top("linux/amd64")
    assert top["category"] == "module-proxy-sum"
    assert "-mod=mod" in top["fix"]["changes"]["env"]["GOFLAGS"]
    assert _verified(top) is True
    assert (module / "go.mod").read_text() == before, "the trial rebuild must not touch the user's go.mod"


@pytest.mark.network
def test_modules_that_cannot_be_fetched_offline_are_module_proxy_sum_fixed_by_the_proxy(
    tmp_path: Path,
) -> None:
    require_modules("offline")  # skipped, saying why, when the Go module proxy cannot be reached
    module = copy_fixture("offline", tmp_path)
    (module / "go.sum").unlink()  # with -mod=mod the rebuild writes go.sum: into its copy only
    before = _files(module)
    env = {
        "GOPROXY": "off",
        "GOMODCACHE": str(tmp_path / "modcache"),  # empty: nothing to build from offline
        "GOFLAGS": "-mod=mod -modcacherw",
    }
    run = check(module, "--targets", "linux/amd64", "--verify-fixes", env=env)
    assert run.status("linux/amd64") == "failed"
    top = run.top("linux/amd64")
    assert top["category"] == "module-proxy-sum"
    assert top["fix"]["changes"]["env"]["GOPROXY"] not in ("", "off")
    assert _verified(top) is True
    assert _files(module) == before


def test_checkout_owned_by_another_user_is_vcs_stamping_fixed_by_buildvcs_false(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("changing a checkout's owner needs root (CI runs as root)")
    module = copy_fixture("pure", tmp_path)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], cwd=module, check=True)
    subprocess.run([*git, "add", "."], cwd=module, check=True)
    subprocess.run([*git, "commit", "-qm", "init"], cwd=module, check=True)
    subprocess.run(["chown", "-R", "12345:12345", str(module)], check=True)
    env = {"GOFLAGS": "-buildvcs=auto", "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"}
    run = check(module, "--targets", "linux/amd64", "--verify-fixes", env=env)
    assert run.status("linux/amd64") == "failed"
    top = run.top("linux/amd64")
    assert top["category"] == "vcs-stamping"
    assert top["fix"]["changes"]["flags"] == ["-buildvcs=false"]
    assert _verified(top) is True


def test_no_gocache_and_no_home_is_gocache_home_fixed_by_setting_gocache(tmp_path: Path) -> None:
    module = copy_fixture("pure", tmp_path)
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir()
    # The fix points GOCACHE into RUNNER_TEMP: make that the shared cache so the rebuild is warm.
    (runner_temp / "gocross-gocache").symlink_to(go_cache())
    env = {"GOCACHE": "", "HOME": "", "XDG_CACHE_HOME": "", "RUNNER_TEMP": str(runner_temp)}
    run = check(module, "--targets", "linux/amd64", "--verify-fixes", env=env)
    assert run.status("linux/amd64") == "failed"
    top = run.top("linux/amd64")
    assert top["category"] == "gocache-home"
    assert top["fix"]["changes"]["env"]["GOCACHE"]
    assert _verified(top) is True


def test_darwin_with_cgo_from_linux_is_darwin_toolchain(tmp_path: Path) -> None:
    if shutil.which("clang") or shutil.which("o64-clang"):
        pytest.skip("a clang is installed: the failure this test needs does not happen")
    module = copy_fixture("cgo-needed", tmp_path)
    run = check(module, "--targets", "darwin/arm64", env={"CGO_ENABLED": "1"})
    assert run.status("darwin/arm64") == "failed"
    assert run.top("darwin/arm64")["category"] == "darwin-ios-android-toolchain"


def test_ios_without_cgo_is_darwin_toolchain(tmp_path: Path) -> None:
    module = copy_fixture("pure", tmp_path)
    run = check(module, "--targets", "ios/arm64", env={"CGO_ENABLED": "0"})
    assert run.status("ios/arm64") == "failed"
    assert run.top("ios/arm64")["category"] == "darwin-ios-android-toolchain"
