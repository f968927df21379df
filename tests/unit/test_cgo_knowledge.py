"""The cgo knowledge tables (well-known cgo modules, C header/library -> system package) and the
fixes and costs built from them."""

from __future__ import annotations

import pytest

from gocross_action import cdeps
from gocross_action.diagnose.engine import diagnose_lines
from gocross_action.diagnose.facts import Facts
from gocross_action.diagnose.fixes import with_cost
from gocross_action.diagnose.rules import load_rules
from gocross_action.findings import Changes, Finding, Fix, Snippet
from gocross_action.matrix.cscan import preamble
from gocross_action.targets import Target

AMD64 = Target.parse("linux/amd64")


def diagnose_text(log: str, *, facts: Facts) -> list[Finding]:
    return diagnose_lines(log.splitlines(), facts=facts, rules=load_rules())


ARM64 = Target.parse("linux/arm64")


def test_common_cgo_headers_and_libraries_name_their_debian_alpine_and_fedora_packages() -> None:
    assert cdeps.package_for("header", "pcap.h") == "libpcap"
    assert cdeps.package_names("libpcap") == {
        **cdeps.package_names("libpcap"),
        "deb": "libpcap-dev",
        "apk": "libpcap-dev",
        "dnf": "libpcap-devel",
    }
    assert (
        cdeps.package_names(cdeps.package_for("header", "X11/Xcursor/Xcursor.h") or "")["deb"]
        == "libxcursor-dev"
    )
    assert cdeps.package_names(cdeps.package_for("library", "GL") or "")["apk"] == "mesa-dev"
    assert cdeps.package_names(cdeps.package_for("pkgconfig", "gtk+-3.0") or "")["dnf"] == "gtk3-devel"
    assert cdeps.package_for("header", "no-such-header.h") is None


def test_install_for_the_host_architecture_has_no_multiarch_suffix() -> None:
    plan = cdeps.install(["libpcap"], target=AMD64, manager="apt", host_goarch="amd64", root=False)
    assert plan is not None
    assert plan.commands == ("sudo apt-get update", "sudo apt-get install -y libpcap-dev")
    assert not any("dpkg --add-architecture" in c for c in plan.commands)


def test_install_for_a_foreign_architecture_uses_debian_multiarch() -> None:
    plan = cdeps.install(["libpcap", "x11"], target=ARM64, manager="apt", host_goarch="amd64", root=True)
    assert plan is not None
    assert plan.commands == (
        "dpkg --add-architecture arm64",
        "apt-get update",
        "apt-get install -y libpcap-dev:arm64 libx11-dev:arm64",
    )
    assert plan.undo.startswith("apt-get remove -y libpcap-dev:arm64 libx11-dev:arm64")


def test_sudo_only_when_the_runner_is_not_root() -> None:
    as_root = cdeps.install(["zlib"], target=AMD64, manager="dnf", host_goarch="amd64", root=True)
    as_user = cdeps.install(["zlib"], target=AMD64, manager="dnf", host_goarch="amd64", root=False)
    assert as_root is not None and as_user is not None
    assert as_root.commands == ("dnf install -y zlib-devel",)
    assert as_user.commands == ("sudo dnf install -y zlib-devel",)
    assert as_root.needs_root and as_user.needs_root


@pytest.mark.parametrize(
    ("distribution", "host_goos", "markers", "manager"),
    [
        ("debian", "linux", (), "apt"),
        ("ubuntu", "linux", (), "apt"),
        ("alpine", "linux", (), "apk"),
        (None, "linux", ("alpine",), "apk"),
        ("fedora", "linux", (), "dnf"),
        ("rocky", "linux", (), "dnf"),
        (None, "darwin", (), "brew"),
        (None, "windows", (), "choco"),
    ],
)
def test_the_package_manager_is_the_one_of_the_system_the_log_came_from(
    distribution: str | None, host_goos: str, markers: tuple[str, ...], manager: str
) -> None:
    assert cdeps.manager_for(distribution=distribution, host_goos=host_goos, markers=markers) == manager


def test_an_alpine_build_log_gets_apk_add_for_a_missing_header_never_sudo_apt_get() -> None:
    log = (
        "Step 5/7 : RUN apk add --no-cache go gcc musl-dev\n"
        "/go/pkg/mod/github.com/google/gopacket@v1.1.19/pcap/pcap_unix.go:34:10: "
        "fatal error: pcap.h: No such file or directory\n"
    )
    facts = Facts(target=AMD64, host_goos="linux", host_goarch="amd64")
    top = diagnose_text(log, facts=facts)[0]
    assert top.category == "cgo-headers-libs"
    assert top.fix is not None and top.fix.cost is not None
    code = "".join(s.code for s in top.fix.snippets)
    assert "apk add --no-cache libpcap-dev" in code
    assert "apt-get" not in code and "sudo" not in code
    assert top.fix.cost.package_manager == "apk"
    assert top.fix.cost.undo == "apk del libpcap-dev"


def test_a_debian_log_for_another_architecture_names_the_multiarch_package() -> None:
    log = "/usr/bin/aarch64-linux-gnu-ld: cannot find -lpcap: No such file or directory\n"
    facts = Facts(target=ARM64, host_goos="linux", host_goarch="amd64", distribution="debian")
    top = diagnose_text(log, facts=facts)[0]
    assert top.fix is not None
    assert "libpcap-dev:arm64" in top.fix.summary
    assert "sudo dpkg --add-architecture arm64" in top.fix.snippets[0].code


def test_kafka_version_error_is_a_c_dependency_not_a_go_compile_error() -> None:
    log = (
        'kafka/00version.go:44:2: error: #error "confluent-kafka-go requires librdkafka v2.11.1 or later. '
        'Install the latest version of librdkafka from the Confluent repositories"\n'
    )
    top = diagnose_text(log, facts=Facts(target=Target.parse("linux/arm")))[0]
    assert top.category == "cgo-headers-libs"
    assert "v2.11.1" in top.title


def test_mingw_stack_protector_is_fixed_by_linking_libssp_statically() -> None:
    log = "/tmp/go-build/cgo-gcc-prolog:60: undefined reference to `__stack_chk_fail'\n"
    top = diagnose_text(log, facts=Facts(target=Target.parse("windows/amd64")))[0]
    assert top.category == "windows-toolchain"
    assert top.fix is not None and top.fix.changes == Changes(env={"CGO_LDFLAGS": "-l:libssp.a"})


def test_a_go_env_w_fix_is_undone_with_go_env_u() -> None:
    fix = Fix(summary="s", snippets=(Snippet(language="bash", code="go env -w CC=zig CGO_ENABLED=1\n"),))
    cost = with_cost(fix, target="linux/arm64", manager="apt", root=False).cost
    assert cost is not None
    assert cost.undo == "go env -u CC CGO_ENABLED"
    assert not cost.needs_root
    assert cost.targets == ("linux/arm64",)


def test_install_snippets_for_other_package_managers_are_dropped_and_sudo_kept_for_non_root() -> None:
    fix = Fix(
        summary="s",
        snippets=(
            Snippet(language="bash", code="sudo apt-get install -y gcc-aarch64-linux-gnu\n"),
            Snippet(language="bash", code="apk add --no-cache gcc-aarch64-none-elf\n"),
            Snippet(language="yaml", code="env:\n  CC: aarch64-linux-gnu-gcc\n"),
        ),
    )
    costed = with_cost(fix, target="linux/arm64", manager="apt", root=False)
    assert [s.language for s in costed.snippets] == ["bash", "yaml"]
    assert costed.snippets[0].code.startswith("sudo apt-get")
    assert costed.cost is not None
    assert costed.cost.needs_root and costed.cost.changes_repo
    assert costed.cost.undo == "sudo apt-get remove -y gcc-aarch64-linux-gnu"


def test_known_cgo_modules_say_what_they_need_per_target() -> None:
    kafka = cdeps.module_for("github.com/confluentinc/confluent-kafka-go/v2")
    assert kafka is not None and kafka.tags is not None
    assert {"musl", "dynamic"} <= set(kafka.tags)
    assert kafka.has_bundle_for(ARM64) and not kafka.has_bundle_for(Target.parse("linux/arm/7"))
    sqlite = cdeps.module_for("github.com/mattn/go-sqlite3")
    assert sqlite is not None and sqlite.stub and "stub" in sqlite.stub
    pcap = cdeps.module_for("github.com/google/gopacket")
    assert pcap is not None and not pcap.needs_cgo_for("windows") and pcap.needs_cgo_for("linux")
    glfw = cdeps.module_for("github.com/go-gl/glfw/v3.3/glfw")
    assert glfw is not None and "xcursor" in glfw.libraries_for("linux")
    for pure in ("modernc.org/sqlite", "golang.org/x/sys", "github.com/shirou/gopsutil/v4"):
        row = cdeps.module_for(pure)
        assert row is not None and not row.needs_cgo_for("linux")
    assert cdeps.module_for("github.com/mattn/go-sqlite3x") is None


def test_the_cgo_preamble_is_the_comment_right_before_import_c_without_cgo_lines() -> None:
    source = (
        "// Package p.\npackage p\n\n"
        "/*\n#cgo LDFLAGS: -lpcap\n#include <pcap.h>\n#include <X11/Xlib.h>\n*/\n"
        'import "C"\n'
    )
    assert preamble(source) == "\n#include <pcap.h>\n#include <X11/Xlib.h>\n"
    assert (
        preamble('package p\n\n// #include <zlib.h>\n// #cgo LDFLAGS: -lz\nimport "C"\n')
        == " #include <zlib.h>\n"
    )
    assert preamble('package p\n\nimport "fmt"\n') is None
    assert preamble('package p\n\n// not the preamble\n\nvar x = 1\nimport "C"\n') is None


def test_alpine_has_no_multiarch_so_no_apk_line_is_offered_for_another_architecture() -> None:
    assert cdeps.install(["libpcap"], target=ARM64, manager="apk", host_goarch="amd64", root=True) is None


def test_the_text_and_markdown_reports_state_a_fix_s_cost_in_one_line() -> None:
    from gocross_action.findings import Cost, Severity
    from gocross_action.report import markdown, text
    from gocross_action.report.model import Context, Report

    cost = Cost(
        needs_root=True,
        package_manager="apk",
        targets=("linux/amd64",),
        changes_repo=False,
        undo="apk del libpcap-dev",
    )
    finding = Finding(
        rule="log.cgo.missing-header",
        category="cgo-headers-libs",
        severity=Severity.ERROR,
        title="C header pcap.h not found",
        root_cause="c",
        target="linux/amd64",
        fix=Fix(summary="Install libpcap-dev", cost=cost),
    )
    report = Report.build(context=Context(command="diagnose"), findings=[finding])
    line = "needs root (apk); affects linux/amd64; no repository change; undo: apk del libpcap-dev"
    assert f"    cost: {line}" in text.render(report).splitlines()
    assert f"Cost: {line}" in markdown.render(report)
    assert report.to_json()["findings"][0]["fix"]["cost"] == cost.to_json()
