"""judge(): binaries described as data (what the readers produce), checked against targets and
deploy systems."""

from __future__ import annotations

import dataclasses

from gocross_action import deploy
from gocross_action.checks.binary import judge
from gocross_action.findings import Severity
from gocross_action.inspect.binary import BinaryInfo, GoInfo, Module
from gocross_action.targets import Target

GO = GoInfo(version="go1.22.3", settings={"CGO_ENABLED": "1", "GOOS": "linux", "GOARCH": "amd64"})
GLIBC_DYNAMIC = BinaryInfo(
    path="dist/app",
    format="elf",
    goos="linux",
    goarch="amd64",
    bits=64,
    endian="little",
    linkage="dynamic",
    interpreter="/lib64/ld-linux-x86-64.so.2",
    needed=("libc.so.6",),
    glibc_required="2.34",
    go=GO,
    libc="glibc",
    floor_symbols=("__libc_start_main@GLIBC_2.34", "pthread_create@GLIBC_2.34"),
)
STATIC = dataclasses.replace(
    GLIBC_DYNAMIC,
    linkage="static",
    interpreter=None,
    needed=(),
    glibc_required=None,
    libc=None,
    floor_symbols=(),
)
MUSL_DYNAMIC = dataclasses.replace(
    GLIBC_DYNAMIC,
    interpreter="/lib/ld-musl-x86_64.so.1",
    needed=("libc.so",),
    glibc_required=None,
    libc="musl",
    floor_symbols=(),
)


def _judge(
    info: BinaryInfo,
    *,
    expect: str | None = None,
    deploy_to: tuple[str, ...] = (),
    glibc_max: str | None = None,
    require_static: bool = False,
) -> list:  # type: ignore[type-arg]
    return judge(
        info,
        expect=Target.parse(expect) if expect else None,
        deploy=[deploy.resolve(d) for d in deploy_to],
        glibc_max=glibc_max,
        require_static=require_static,
    )


def test_wrong_architecture_is_an_exec_format_error_naming_both_targets() -> None:
    (finding,) = _judge(STATIC, expect="linux/arm64")
    assert (finding.category, finding.severity) == ("exec-format-error", Severity.ERROR)
    assert finding.title == "built for linux/amd64, expected linux/arm64"
    assert "GOARCH" in finding.root_cause and "dist/app" in finding.evidence[0].text
    assert finding.fix is not None and finding.fix.changes is not None
    assert finding.fix.changes.env == {"GOOS": "linux", "GOARCH": "arm64"}


def test_other_goarm_level_is_an_unsupported_target_error() -> None:
    arm7 = dataclasses.replace(STATIC, goarch="arm", variant="7", bits=32)
    (finding,) = _judge(arm7, expect="linux/arm/6")
    assert finding.category == "unsupported-target" and "GOARM=7" in finding.title


def test_glibc_floor_above_the_deploy_system_is_an_error_naming_the_floor_symbols() -> None:
    (finding,) = _judge(GLIBC_DYNAMIC, deploy_to=("debian:bullseye",))
    assert (finding.category, finding.severity) == ("glibc-version-mismatch", Severity.ERROR)
    assert "__libc_start_main@GLIBC_2.34" in finding.evidence[0].text
    code = " ".join(s.code for s in finding.fix.snippets) if finding.fix else ""
    assert "CGO_ENABLED=0" in code and "golang:1.22-bullseye" in code and "x86_64-linux-gnu.2.31" in code


def test_glibc_max_is_checked_like_a_deploy_system() -> None:
    (finding,) = _judge(GLIBC_DYNAMIC, glibc_max="2.28")
    assert finding.severity is Severity.ERROR and "2.28" in finding.title
    assert finding.fix is not None and "golang:1.22-buster" in finding.fix.snippets[1].code


def test_glibc_floor_within_every_deploy_system_gives_no_finding() -> None:
    assert _judge(GLIBC_DYNAMIC, deploy_to=("debian:bookworm", "ubuntu:24.04"), glibc_max="2.36") == []


def test_cgo_only_dependency_keeps_the_fix_from_proposing_cgo_disabled_as_a_change() -> None:
    sqlite = dataclasses.replace(
        GLIBC_DYNAMIC, go=dataclasses.replace(GO, deps=(Module(path="github.com/mattn/go-sqlite3"),))
    )
    (finding,) = _judge(sqlite, deploy_to=("centos:7",))
    assert finding.fix is not None and finding.fix.changes is None


def test_glibc_binary_on_alpine_and_musl_binary_on_debian_are_libc_mismatches() -> None:
    (glibc_on_musl,) = _judge(GLIBC_DYNAMIC, deploy_to=("alpine:3.20",))
    (musl_on_glibc,) = _judge(MUSL_DYNAMIC, deploy_to=("debian:12",))
    for finding in (glibc_on_musl, musl_on_glibc):
        assert (finding.category, finding.severity) == ("libc-musl-glibc-mismatch", Severity.ERROR)
    assert "/lib64/ld-linux-x86-64.so.2" in glibc_on_musl.root_cause


def test_dynamic_binary_in_scratch_or_with_require_static_is_a_static_linking_error() -> None:
    for found in (_judge(MUSL_DYNAMIC, deploy_to=("scratch",)), _judge(MUSL_DYNAMIC, require_static=True)):
        (finding,) = found
        assert (finding.category, finding.severity) == ("static-linking", Severity.ERROR)


def test_require_static_does_not_judge_windows_or_macos_binaries() -> None:
    windows = dataclasses.replace(
        MUSL_DYNAMIC, format="pe", goos="windows", linkage=None, needed=("kernel32.dll",)
    )
    assert _judge(windows, require_static=True, deploy_to=("scratch",)) == []


def test_static_glibc_binary_with_nss_functions_is_a_warning() -> None:
    nss = dataclasses.replace(STATIC, libc="glibc", nss_symbols=("getaddrinfo", "getpwuid_r"))
    (finding,) = _judge(nss)
    assert (finding.category, finding.severity) == ("static-linking", Severity.WARNING)
    assert "getaddrinfo" in finding.root_cause


def test_dynamic_glibc_binary_without_deploy_systems_warns_naming_old_distributions() -> None:
    (finding,) = _judge(GLIBC_DYNAMIC)
    assert (finding.category, finding.severity) == ("glibc-version-mismatch", Severity.WARNING)
    assert "CentOS 7 (2.17)" in finding.root_cause and "Debian 11" in finding.root_cause
    assert "Debian 12" not in finding.root_cause


def test_dynamic_glibc_binary_that_runs_on_every_common_distribution_gives_no_warning() -> None:
    old = dataclasses.replace(GLIBC_DYNAMIC, glibc_required="2.17", floor_symbols=())
    assert _judge(old) == []


def test_binary_that_fits_its_expectations_gives_no_finding() -> None:
    assert (
        _judge(STATIC, expect="linux/amd64", deploy_to=("scratch", "alpine", "centos:7"), require_static=True)
        == []
    )


def test_unreadable_binary_is_not_judged() -> None:
    assert _judge(BinaryInfo(path="x", error="truncated"), expect="linux/arm64", require_static=True) == []


def test_findings_about_a_binary_are_labelled_with_what_it_is_not_what_was_expected() -> None:
    amd64 = dataclasses.replace(GLIBC_DYNAMIC, variant="v1")
    findings = _judge(amd64, expect="linux/arm64", glibc_max="2.17")
    assert {f.target for f in findings} == {"linux/amd64"}
    wrong = next(f for f in findings if f.category == "exec-format-error")
    assert wrong.title == "built for linux/amd64, expected linux/arm64"


def test_a_binary_at_a_non_default_level_keeps_its_variant_in_its_label() -> None:
    v3 = dataclasses.replace(GLIBC_DYNAMIC, variant="v3")
    (finding,) = _judge(v3, glibc_max="2.17")
    assert finding.target == "linux/amd64/v3"
