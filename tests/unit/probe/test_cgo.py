from __future__ import annotations

from gocross_action.config import TargetConfig
from gocross_action.findings import Severity
from gocross_action.probe import cgo
from gocross_action.targets import Target

from .conftest import Machine, rules

CGO_ON = {"CGO_ENABLED": "1"}


def test_cgo_is_off_by_default_when_cross_compiling_and_nothing_is_checked(machine: Machine) -> None:
    result = cgo.probe(machine.ctx("linux/arm64"))
    assert result.findings == []
    assert result.facts["targets"]["linux/arm64"]["cgo"] is False


def test_cgo_is_on_by_default_for_a_native_build_when_gcc_is_on_path(machine: Machine) -> None:
    machine.compiler("gcc", "x86_64-linux-gnu")
    result = cgo.probe(machine.ctx("linux/amd64"))
    facts = result.facts["targets"]["linux/amd64"]
    assert (facts["cgo"], facts["cc"], facts["cc_machine"], facts["cc_fits"]) == (
        True,
        "gcc",
        "x86_64-linux-gnu",
        True,
    )
    assert result.findings == []


def test_native_build_without_a_c_compiler_turns_cgo_off_by_default(machine: Machine) -> None:
    result = cgo.probe(machine.ctx("linux/amd64"))
    assert result.facts["targets"]["linux/amd64"]["cgo"] is False
    assert result.findings == []


def test_host_gcc_for_arm64_is_the_wrong_compiler_and_the_fix_names_the_installed_cross_gcc(
    machine: Machine,
) -> None:
    machine.compiler("gcc", "x86_64-linux-gnu")
    machine.compiler("aarch64-linux-gnu-gcc", "aarch64-linux-gnu")
    result = cgo.probe(machine.ctx("linux/arm64", env=CGO_ON))
    assert rules(result.findings) == ["probe.cgo.cc-wrong-target"]
    finding = result.findings[0]
    assert (finding.category, finding.severity, finding.target) == (
        "cgo-wrong-compiler",
        Severity.ERROR,
        "linux/arm64",
    )
    assert finding.fix is not None and finding.fix.changes is not None
    assert dict(finding.fix.changes.env) == {"CC": "aarch64-linux-gnu-gcc"}


def test_a_missing_compiler_is_cgo_no_c_compiler_and_the_fix_installs_the_debian_package(
    machine: Machine,
) -> None:
    result = cgo.probe(machine.ctx("linux/arm/7", env={**CGO_ON, "CC": "arm-linux-gnueabihf-gcc"}))
    assert rules(result.findings) == ["probe.cgo.cc-missing"]
    finding = result.findings[0]
    assert finding.category == "cgo-no-c-compiler"
    assert finding.fix is not None
    assert "gcc-arm-linux-gnueabihf" in finding.fix.snippets[0].code
    assert finding.fix.changes is None  # nothing installed to switch to: not machine-applicable


def test_linux_gcc_for_windows_is_the_wrong_compiler(machine: Machine) -> None:
    machine.compiler("gcc", "x86_64-linux-gnu")
    result = cgo.probe(machine.ctx("windows/amd64", env=CGO_ON))
    assert [(f.rule, f.category) for f in result.findings] == [
        ("probe.cgo.cc-wrong-target", "cgo-wrong-compiler")
    ]


def test_mingw_for_windows_fits(machine: Machine) -> None:
    machine.compiler("x86_64-w64-mingw32-gcc", "x86_64-w64-mingw32")
    result = cgo.probe(machine.ctx("windows/amd64", env={**CGO_ON, "CC": "x86_64-w64-mingw32-gcc"}))
    assert result.findings == []
    assert result.facts["targets"]["windows/amd64"]["cc_fits"] is True


def test_darwin_without_an_apple_toolchain_is_an_sdk_problem_not_a_missing_clang(machine: Machine) -> None:
    missing = cgo.probe(machine.ctx("darwin/arm64", env=CGO_ON))
    assert [(f.rule, f.category) for f in missing.findings] == [
        ("probe.cgo.cc-missing", "darwin-ios-android-toolchain")
    ]
    machine.compiler("clang", "x86_64-pc-linux-gnu")
    wrong = cgo.probe(machine.ctx("darwin/arm64", env=CGO_ON))
    assert [(f.rule, f.category) for f in wrong.findings] == [
        ("probe.cgo.cc-wrong-target", "darwin-ios-android-toolchain")
    ]


def test_ios_arm64_with_cgo_off_needs_external_linking(machine: Machine) -> None:
    result = cgo.probe(machine.ctx("ios/arm64", env={"CGO_ENABLED": "0"}))
    assert [(f.rule, f.category) for f in result.findings] == [
        ("probe.cgo.external-linking-required", "darwin-ios-android-toolchain")
    ]


def test_the_config_cc_wins_over_the_environment(machine: Machine) -> None:
    machine.compiler("aarch64-linux-gnu-gcc", "aarch64-linux-gnu")
    tc = TargetConfig(target=Target.parse("linux/arm64"), cgo=True, cc="aarch64-linux-gnu-gcc")
    result = cgo.probe(machine.ctx(tc, env={"CC": "gcc"}))
    facts = result.facts["targets"]["linux/arm64"]
    assert (facts["cc"], facts["cc_source"], facts["cgo_source"]) == (
        "aarch64-linux-gnu-gcc",
        "config cc",
        "config cgo",
    )
    assert result.findings == []


def test_cc_for_goos_goarch_is_reported_as_ignored_by_go_build(machine: Machine) -> None:
    machine.compiler("gcc", "x86_64-linux-gnu")
    machine.compiler("aarch64-linux-gnu-gcc", "aarch64-linux-gnu")
    result = cgo.probe(
        machine.ctx("linux/arm64", env={**CGO_ON, "CC_FOR_linux_arm64": "aarch64-linux-gnu-gcc"})
    )
    assert sorted(rules(result.findings)) == ["probe.cgo.cc-for-ignored", "probe.cgo.cc-wrong-target"]
    ignored = next(f for f in result.findings if f.rule == "probe.cgo.cc-for-ignored")
    assert ignored.fix is not None and ignored.fix.changes is not None
    assert dict(ignored.fix.changes.env) == {"CC": "aarch64-linux-gnu-gcc"}


def test_zig_is_the_fix_when_no_cross_gcc_is_installed(machine: Machine) -> None:
    machine.compiler("gcc", "x86_64-linux-gnu")
    machine.tool("zig", "echo 0.13.0\n")
    result = cgo.probe(machine.ctx("linux/arm64", env=CGO_ON))
    assert result.facts["zig"]["version"] == "0.13.0"
    fix = result.findings[0].fix
    assert fix is not None and fix.changes is not None
    assert dict(fix.changes.env) == {"CC": "zig cc -target aarch64-linux-gnu"}


def test_host_include_and_library_paths_in_cgo_flags_warn_when_cross_compiling(machine: Machine) -> None:
    machine.compiler("aarch64-linux-gnu-gcc", "aarch64-linux-gnu")
    env = {
        **CGO_ON,
        "CC": "aarch64-linux-gnu-gcc",
        "CGO_CFLAGS": "-O2 -I/usr/include -I/usr/aarch64-linux-gnu/include",
        "CGO_LDFLAGS": "-L/usr/lib/x86_64-linux-gnu -L/usr/lib/aarch64-linux-gnu",
    }
    result = cgo.probe(machine.ctx("linux/arm64", env=env))
    assert [(f.rule, f.category) for f in result.findings] == [("probe.cgo.host-paths", "cgo-headers-libs")]
    assert [e.text for e in result.findings[0].evidence] == [
        "CGO_CFLAGS: /usr/include",
        "CGO_LDFLAGS: /usr/lib/x86_64-linux-gnu",
    ]


def test_target_paths_in_pkg_config_libdir_are_fine(machine: Machine) -> None:
    machine.compiler("aarch64-linux-gnu-gcc", "aarch64-linux-gnu")
    env = {
        **CGO_ON,
        "CC": "aarch64-linux-gnu-gcc",
        "PKG_CONFIG_LIBDIR": "/usr/lib/aarch64-linux-gnu/pkgconfig",
    }
    assert cgo.probe(machine.ctx("linux/arm64", env=env)).findings == []


def test_host_gcc_serves_386_only_with_its_32_bit_multilib(machine: Machine) -> None:
    machine.compiler("gcc", "x86_64-linux-gnu")
    without = cgo.probe(machine.ctx("linux/386", env=CGO_ON))
    assert rules(without.findings) == ["probe.cgo.cc-wrong-target"]
    assert "-m32" in without.findings[0].root_cause
    machine.compiler("gcc", "x86_64-linux-gnu", crt_dirs={"-m32": "/usr/lib32"})
    with_multilib = cgo.probe(machine.ctx("linux/386", env=CGO_ON))
    assert with_multilib.findings == []


def test_each_distinct_cc_is_asked_once(machine: Machine) -> None:
    machine.compiler("gcc", "x86_64-linux-gnu")
    ctx = machine.ctx("linux/arm64", "linux/riscv64", "windows/amd64", env=CGO_ON)
    cgo.probe(ctx)
    assert [c for c in machine.calls("gcc") if "-dumpmachine" in c] == ["-dumpmachine"]


def test_triplets_map_onto_goos_and_goarch() -> None:
    assert cgo.triplet_goarch("armv7a-linux-androideabi") == "arm"
    assert cgo.triplet_goarch("powerpc64le-linux-gnu") == "ppc64le"
    assert cgo.triplet_fits_os("aarch64-linux-android", "linux") is False
    assert cgo.triplet_fits_os("aarch64-linux-android", "android") is True
    assert cgo.triplet_fits_os("arm64-apple-darwin23.1.0", "darwin") is True
    assert cgo.triplet_fits_os("x86_64-unknown-freebsd14.0", "freebsd") is True


def test_the_assembler_behind_each_compiler_and_its_binutils_version_are_probed(machine: Machine) -> None:
    from gocross_action.config import TargetConfig
    from gocross_action.targets import Target

    fake_as = machine.tool("aarch64-linux-gnu-as", 'echo "GNU assembler (GNU Binutils for Debian) 2.40"\n')
    machine.tool(
        "aarch64-linux-gnu-gcc",
        'case "$*" in *-dumpmachine*) echo aarch64-linux-gnu; exit 0;; esac\n'
        f'case "$*" in *-print-prog-name=as*) echo {fake_as}; exit 0;; esac\nexit 1\n',
    )
    tc = TargetConfig(target=Target.parse("linux/arm64"), cgo=True, cc="aarch64-linux-gnu-gcc")
    facts = cgo.probe(machine.ctx(tc)).facts["targets"]["linux/arm64"]
    assert facts["assembler"]["path"] == str(fake_as)
    assert facts["assembler"]["version"] == "2.40"
