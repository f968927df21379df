from __future__ import annotations

from gocross_action.probe import libc

from .conftest import Machine, rules

BANNER = b"\x00GNU C Library (Debian GLIBC 2.36-9+deb12u4) stable release version 2.36.\n\x00"
VERSION_H = (
    "#define LINUX_VERSION_CODE 393476\n#define LINUX_VERSION_MAJOR 6\n"
    "#define LINUX_VERSION_PATCHLEVEL 1\n#define LINUX_VERSION_SUBLEVEL 4\n"
)


def test_glibc_and_its_version_are_read_from_libc_so_6(machine: Machine) -> None:
    machine.file("/lib/x86_64-linux-gnu/libc.so.6", b"\x7fELF" + BANNER)
    machine.file("/etc/os-release", 'ID=debian\nVERSION_ID="12"\n')
    facts = libc.probe(machine.ctx("linux/amd64")).facts
    assert (
        facts["family"],
        facts["glibc_version"],
        facts["distribution"],
        facts["distribution_version"],
    ) == (
        "glibc",
        "2.36",
        "debian",
        "12",
    )


def test_without_a_banner_the_newest_glibc_symbol_version_counts(machine: Machine) -> None:
    path = machine.file("/lib64/libc.so.6", b"\x7fELF\x00GLIBC_2.17\x00GLIBC_2.28\x00GLIBC_2.3.4\x00")
    assert libc.glibc_version(path) == "2.28"


def test_a_musl_only_host_is_musl_and_native_cgo_binaries_get_a_notice(machine: Machine) -> None:
    machine.file("/lib/ld-musl-x86_64.so.1", b"\x7fELF")
    machine.file("/etc/os-release", "ID=alpine\nVERSION_ID=3.20.0\n")
    machine.compiler("gcc", "x86_64-alpine-linux-musl")
    result = libc.probe(machine.ctx("linux/amd64", env={"CGO_ENABLED": "1"}))
    assert result.facts["family"] == "musl"
    assert result.facts["musl_loader"] == "/lib/ld-musl-x86_64.so.1"
    assert [(f.rule, f.category) for f in result.findings] == [
        ("probe.libc.musl-host", "libc-musl-glibc-mismatch")
    ]


def test_kernel_headers_are_looked_up_on_the_compilers_own_include_path(machine: Machine) -> None:
    with_headers = machine.file("/usr/aarch64-linux-gnu/include/linux/version.h", VERSION_H).parent.parent
    machine.compiler("aarch64-linux-gnu-gcc", "aarch64-linux-gnu", include=[with_headers])
    result = libc.probe(machine.ctx("linux/arm64", env={"CGO_ENABLED": "1", "CC": "aarch64-linux-gnu-gcc"}))
    assert result.findings == []
    assert result.facts["targets"]["linux/arm64"]["kernel_headers"] == "6.1.4"


def test_missing_kernel_headers_name_the_cross_package(machine: Machine) -> None:
    empty = machine.base / "sysroot" / "include"
    empty.mkdir(parents=True)
    machine.compiler("aarch64-linux-gnu-gcc", "aarch64-linux-gnu", include=[empty])
    result = libc.probe(machine.ctx("linux/arm64", env={"CGO_ENABLED": "1", "CC": "aarch64-linux-gnu-gcc"}))
    assert rules(result.findings) == ["probe.libc.kernel-headers-missing"]
    finding = result.findings[0]
    assert finding.category == "cgo-headers-libs"
    assert finding.fix is not None and "linux-libc-dev-arm64-cross" in finding.fix.snippets[0].code


def test_kernel_headers_are_not_judged_for_a_compiler_that_does_not_fit(machine: Machine) -> None:
    machine.compiler("gcc", "x86_64-linux-gnu")
    result = libc.probe(machine.ctx("linux/arm64", env={"CGO_ENABLED": "1"}))
    assert result.findings == []
    assert result.facts["targets"] == {}
