"""`gocross check` on modules that import real cgo libraries (go-sqlite3, gopacket/pcap,
go-gl/glfw, confluent-kafka-go, gopsutil) and fail for real reasons: each test asserts the
target's status, the top cause and the package it names, and that ``--verify-fixes`` proved the
fix where this machine can apply it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import require_tool
from tests.report_schema import assert_valid_report

from .cgolibs import require_modules
from .checkrun import check, copy_fixture

pytestmark = [pytest.mark.network, pytest.mark.slow]


def test_go_sqlite3_cross_compiled_without_cgo_ships_a_stub_and_mingw_fixes_it(tmp_path: Path) -> None:
    require_tool("x86_64-w64-mingw32-gcc")
    require_modules("cgolib-sqlite")
    module = copy_fixture("cgolib-sqlite", tmp_path)
    run = check(module, "--targets", "windows/amd64", "--verify-fixes")
    assert run.status("windows/amd64") == "passed"
    assert run.code == 1, "a stub that fails at run time is an error"
    top = run.top("windows/amd64")
    assert top["rule"] == "artifact.cgo-module-without-cgo"
    assert top["category"] == "cgo-required-but-disabled"
    assert "github.com/mattn/go-sqlite3" in top["title"]
    assert top["fix"]["changes"]["env"] == {"CGO_ENABLED": "1", "CC": "x86_64-w64-mingw32-gcc"}
    assert top["fix"]["verified"] is True


def test_pcap_names_libpcap_dev_and_the_cross_rebuild_names_the_arm64_package_next(tmp_path: Path) -> None:
    require_tool("aarch64-linux-gnu-gcc")
    require_tool("apt-get")
    require_modules("cgolib-pcap")
    assert not Path("/usr/include/pcap.h").exists(), "the fixture expects libpcap-dev to be absent"
    module = copy_fixture("cgolib-pcap", tmp_path)
    run = check(module, "--targets", "linux/amd64,linux/arm64", "--verify-fixes", env={"CC": ""})
    assert run.status("linux/amd64") == "failed"
    native = run.top("linux/amd64")
    assert native["category"] == "cgo-headers-libs"
    assert "libpcap-dev " in native["fix"]["summary"] and ":amd64" not in native["fix"]["summary"]
    assert native["fix"]["cost"]["package_manager"] == "apt"
    assert native["fix"]["cost"]["needs_root"] is True
    # Proven without root: the packages unpacked in a scratch directory, the target rebuilt against them.
    assert native["fix"]["verified"] is True
    # Cross-compiling turns cgo off; with cgo on and the cross gcc, the rebuild needs arm64 libpcap.
    assert run.status("linux/arm64") == "failed"
    cross = run.top("linux/arm64")
    assert cross["category"] == "cgo-required-but-disabled"
    chain = run.report["environment"]["verify-fixes"]["linux/arm64"]
    assert chain["chain"][0]["changes"]["env"]["CC"] == "aarch64-linux-gnu-gcc"
    # The first rebuild's log names pcap.h: arm64 libpcap stands in, unpacked, for the next rebuild.
    assert len(chain["chain"]) >= 2, chain
    assert any("libpcap-dev:arm64" in e["text"] for e in cross["evidence"]), cross["evidence"]
    assert cross["fix"]["verified"] is (chain["status"] == "passed")
    assert_valid_report({**run.report, "environment": {}})  # the findings, their fixes and costs


def test_glfw_names_every_missing_x11_package_at_once_and_mingw_fixes_windows(tmp_path: Path) -> None:
    require_tool("x86_64-w64-mingw32-gcc")
    require_tool("apt-get")
    require_modules("cgolib-glfw")
    if Path("/usr/include/X11/Xcursor/Xcursor.h").exists():
        pytest.skip("libxcursor-dev is installed: the failure this test needs does not happen")
    module = copy_fixture("cgolib-glfw", tmp_path)
    env = {"CGO_ENABLED": "1", "CC": "gcc"}
    run = check(module, "--targets", "linux/amd64,windows/amd64", "--verify-fixes", env=env)
    assert run.status("linux/amd64") == "failed"
    linux = run.top("linux/amd64")
    assert linux["category"] == "cgo-headers-libs"
    install = "".join(s["code"] for s in linux["fix"]["snippets"])
    assert "libxcursor-dev" in install and "libxrandr-dev" in install and "libxinerama-dev" in install
    assert install.count("install -y") == 1, "one install line for every missing package"
    assert linux["fix"]["verified"] is True
    assert run.status("windows/amd64") == "failed"
    windows = run.top("windows/amd64")
    assert windows["category"] == "cgo-wrong-compiler"
    assert windows["fix"]["changes"]["env"]["CC"] == "x86_64-w64-mingw32-gcc"
    assert windows["fix"]["verified"] is True


def test_kafka_with_musl_gcc_needs_the_musl_tag_and_it_is_verified(tmp_path: Path) -> None:
    require_tool("musl-gcc")
    require_modules("cgolib-kafka")
    module = copy_fixture("cgolib-kafka", tmp_path)
    run = check(
        module, "--targets", "linux/amd64", "--verify-fixes", env={"CGO_ENABLED": "1", "CC": "musl-gcc"}
    )
    assert run.status("linux/amd64") == "failed"
    top = run.top("linux/amd64")
    assert top["category"] == "libc-musl-glibc-mismatch"
    assert "confluent-kafka-go" in top["title"]
    assert top["fix"]["changes"]["flags"] == ["-tags=musl"]
    assert top["fix"]["verified"] is True
    assert top["fix"]["cost"]["needs_root"] is False
    assert_valid_report({**run.report, "environment": {}})  # the findings, their fixes and costs


def test_gopsutil_for_windows_with_cgo_on_passes_without_a_false_error(tmp_path: Path) -> None:
    require_modules("cgolib-gopsutil")
    module = copy_fixture("cgolib-gopsutil", tmp_path)
    run = check(module, "--targets", "windows/amd64", env={"CGO_ENABLED": "1", "CC": "gcc"})
    assert run.status("windows/amd64") == "passed"
    assert [f for f in run.findings("windows/amd64") if f["severity"] == "error"] == []
    assert run.code == 0


def test_mingw_stack_protector_is_fixed_by_static_libssp_and_plain_lssp_needs_a_dll(tmp_path: Path) -> None:
    require_tool("x86_64-w64-mingw32-gcc")
    module = copy_fixture("cgo-ssp", tmp_path)
    env = {"CGO_ENABLED": "1", "CC": "x86_64-w64-mingw32-gcc"}
    run = check(module, "--targets", "windows/amd64", "--verify-fixes", env=env)
    assert run.status("windows/amd64") == "failed"
    top = run.top("windows/amd64")
    assert top["category"] == "windows-toolchain"
    assert top["fix"]["changes"]["env"] == {"CGO_LDFLAGS": "-l:libssp.a"}
    assert top["fix"]["verified"] is True
    run = check(module, "--targets", "windows/amd64", env={**env, "CGO_LDFLAGS": "-lssp"})
    assert run.status("windows/amd64") == "passed"
    dlls = [f for f in run.findings("windows/amd64") if f["rule"] == "artifact.private-dlls"]
    assert dlls and "libssp-0.dll" in dlls[0]["title"]


def test_the_stub_s_smoke_output_is_diagnosed_as_cgo_disabled(tmp_path: Path) -> None:
    require_tool("qemu-aarch64-static")
    require_modules("cgolib-sqlite")
    module = copy_fixture("cgolib-sqlite", tmp_path)
    run = check(module, "--targets", "linux/arm64", "--smoke", "")
    assert run.status("linux/arm64") == "passed"
    top = run.top("linux/arm64")
    assert top["rule"] == "artifact.cgo-module-without-cgo"
    # The smoke run's output, read by the build-log rules, is the same cause: its evidence joins.
    texts = [e["text"] for e in top["evidence"]]
    assert any("requires cgo to work" in t for t in texts), texts
    assert any("smoke run" in t for t in texts), texts


def test_a_glibc_floor_too_new_for_the_deploy_system_is_fixed_by_zig_and_proven_by_reinspection(
    tmp_path: Path,
) -> None:
    module = copy_fixture("cgo-needed", tmp_path)
    cache = Path(__file__).resolve().parents[2] / ".cache" / "gocross"  # zig from PyPI, kept between runs
    env = {"CGO_ENABLED": "1", "CC": "gcc", "GOCROSS_CACHE": str(cache)}
    run = check(module, "--targets", "linux/amd64", "--deploy", "debian:11", "--verify-fixes", env=env)
    assert run.status("linux/amd64") == "passed"
    top = run.top("linux/amd64")
    if top["category"] != "glibc-version-mismatch":
        pytest.skip(f"this machine's glibc links a binary that fits debian:11 ({top['title']})")
    assert top["fix"]["changes"]["env"]["CC"] == "zig cc -target x86_64-linux-gnu.2.31"
    assert top["fix"]["verified"] is True, top["evidence"]


@pytest.mark.parametrize(
    ("option", "category"),
    [(("--require-static",), "static-linking"), (("--deploy", "alpine:3.20"), "libc-musl-glibc-mismatch")],
    ids=["require-static", "glibc-on-alpine"],
)
def test_a_binary_that_does_not_fit_its_system_is_rebuilt_without_needless_cgo_and_reinspected(
    tmp_path: Path, option: tuple[str, ...], category: str
) -> None:
    module = copy_fixture("net-user", tmp_path)
    run = check(
        module, "--targets", "linux/amd64", "--verify-fixes", *option, env={"CGO_ENABLED": "1", "CC": "gcc"}
    )
    assert run.status("linux/amd64") == "passed"
    top = run.top("linux/amd64")
    assert top["category"] == category
    assert top["fix"]["changes"]["env"] == {"CGO_ENABLED": "0"}
    assert top["fix"]["verified"] is True
    assert run.report["environment"]["verify-fixes"]["linux/amd64"]["status"] == "passed"
