"""judge() on what cgo leaves in binaries: a cgo module built without cgo (go-sqlite3's stub),
and the DLLs a Windows binary needs beside it."""

from __future__ import annotations

import dataclasses

from gocross_action.checks.binary import judge
from gocross_action.findings import Changes, Severity
from gocross_action.inspect.binary import BinaryInfo, GoInfo, Module
from gocross_action.matrix.verify import merge
from gocross_action.targets import Target

WINDOWS = Target.parse("windows/amd64")
NO_CGO = GoInfo(
    version="go1.26.0",
    settings={"CGO_ENABLED": "0", "GOOS": "windows", "GOARCH": "amd64"},
    deps=(Module(path="github.com/mattn/go-sqlite3", version="v1.14.53"),),
)
EXE = BinaryInfo(
    path="dist/app.exe",
    format="pe",
    goos="windows",
    goarch="amd64",
    bits=64,
    endian="little",
    needed=("KERNEL32.dll",),
    go=NO_CGO,
)


def _judge(info: BinaryInfo) -> list:  # type: ignore[type-arg]
    return judge(info, expect=WINDOWS, deploy=[], glibc_max=None, require_static=False, target=str(WINDOWS))


def test_go_sqlite3_built_without_cgo_is_an_error_because_it_ships_a_stub() -> None:
    (finding,) = _judge(EXE)
    assert finding.rule == "artifact.cgo-module-without-cgo"
    assert finding.category == "cgo-required-but-disabled"
    assert finding.severity is Severity.ERROR
    assert "github.com/mattn/go-sqlite3" in finding.title
    assert "requires cgo to work" in finding.root_cause
    assert "modernc.org/sqlite" in (finding.fix.summary if finding.fix else "")


def test_a_cgo_module_without_a_known_stub_built_without_cgo_is_a_warning() -> None:
    go = dataclasses.replace(NO_CGO, deps=(Module(path="github.com/go-gl/glfw/v3.3/glfw", version="v0"),))
    (finding,) = _judge(dataclasses.replace(EXE, go=go))
    assert finding.severity is Severity.WARNING


def test_the_same_binary_built_with_cgo_has_no_finding() -> None:
    go = dataclasses.replace(NO_CGO, settings={**NO_CGO.settings, "CGO_ENABLED": "1"})
    assert _judge(dataclasses.replace(EXE, go=go)) == []


def test_modules_that_need_no_cgo_or_only_in_some_packages_are_not_findings() -> None:
    deps = (
        Module(path="modernc.org/sqlite", version="v1"),
        Module(path="github.com/shirou/gopsutil/v4", version="v4"),
        Module(path="github.com/google/gopacket", version="v1.1.19"),  # only gopacket/pcap needs cgo
    )
    assert _judge(dataclasses.replace(EXE, go=dataclasses.replace(NO_CGO, deps=deps))) == []


def test_a_windows_binary_needing_libssp_dll_is_a_deploy_warning_fixed_by_static_libssp() -> None:
    cgo = dataclasses.replace(NO_CGO, settings={"CGO_ENABLED": "1"})
    info = dataclasses.replace(EXE, go=cgo, needed=("KERNEL32.dll", "msvcrt.dll", "libssp-0.dll"))
    (finding,) = _judge(info)
    assert finding.rule == "artifact.private-dlls"
    assert finding.severity is Severity.WARNING
    assert "libssp-0.dll" in finding.title
    assert finding.fix is not None and finding.fix.changes == Changes(env={"CGO_LDFLAGS": "-l:libssp.a"})


def test_system_dlls_and_api_sets_are_not_deploy_findings() -> None:
    cgo = dataclasses.replace(NO_CGO, settings={"CGO_ENABLED": "1"})
    needed = ("KERNEL32.dll", "WS2_32.dll", "api-ms-win-crt-runtime-l1-1-0.dll", "opengl32.dll")
    assert _judge(dataclasses.replace(EXE, go=cgo, needed=needed)) == []


def test_fixes_tried_together_merge_their_build_tags_into_one_flag() -> None:
    merged = merge(
        Changes(env={"CC": "musl-gcc"}, flags=("-tags=musl",)), Changes(flags=("-tags=netgo,musl",))
    )
    assert merged == Changes(env={"CC": "musl-gcc"}, flags=("-tags=musl,netgo",))
