"""verify.derive/complete: which machine-applicable change fits a finding, from the facts."""

from __future__ import annotations

import os
from pathlib import Path

from gocross_action.findings import Changes, Finding, Fix, Severity
from gocross_action.matrix.cgo import CgoUsage
from gocross_action.matrix.verify import GO_DEFAULT_PROXY, complete, derive, merge
from gocross_action.targets import Target

ARM64 = Target.parse("linux/arm64")


def _finding(category: str, fix: Fix | None = None) -> Finding:
    return Finding(
        rule="log.test",
        category=category,
        severity=Severity.ERROR,
        title="t",
        root_cause="c",
        target="linux/arm64",
        fix=fix,
    )


def _fake_tool(directory: Path, name: str) -> None:
    path = directory / name
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(0o755)


def test_cgo_off_is_the_fix_when_no_package_needs_cgo() -> None:
    usage = CgoUsage(target=ARM64, enabled=True, packages=())
    derived = derive(_finding("cgo-no-c-compiler"), target=ARM64, usage=usage, env={"PATH": ""}, log_text="")
    assert derived is not None
    assert derived[0] == Changes(env={"CGO_ENABLED": "0"})


def test_an_installed_cross_compiler_is_the_fix_when_cgo_is_needed(tmp_path: Path) -> None:
    _fake_tool(tmp_path, "aarch64-linux-gnu-gcc")
    usage = CgoUsage(target=ARM64, enabled=True, packages=("example.com/c",))
    env = {"PATH": str(tmp_path), "CC": "gcc"}
    derived = derive(_finding("cgo-wrong-compiler"), target=ARM64, usage=usage, env=env, log_text="")
    assert derived is not None
    assert derived[0].env == {"CGO_ENABLED": "1", "CC": "aarch64-linux-gnu-gcc"}


def test_zig_is_the_fallback_compiler(tmp_path: Path) -> None:
    _fake_tool(tmp_path, "zig")
    usage = CgoUsage(target=ARM64, enabled=True, packages=("example.com/c",))
    derived = derive(
        _finding("cgo-no-c-compiler"), target=ARM64, usage=usage, env={"PATH": str(tmp_path)}, log_text=""
    )
    assert derived is not None
    assert derived[0].env["CC"] == "zig cc -target aarch64-linux-gnu"


def test_no_change_is_offered_when_nothing_installed_would_help() -> None:
    usage = CgoUsage(target=ARM64, enabled=True, packages=("example.com/c",))
    assert (
        derive(_finding("cgo-no-c-compiler"), target=ARM64, usage=usage, env={"PATH": ""}, log_text="")
        is None
    )


def test_module_errors_get_mod_mod_and_downloads_turned_off_get_go_s_default_proxy() -> None:
    finding = _finding("module-proxy-sum")
    env = {"GOFLAGS": "-trimpath -mod=readonly", "GOPROXY": "off"}
    derived = derive(finding, target=ARM64, usage=None, env=env, log_text="replaced but not required")
    assert derived is not None
    assert derived[0].env == {"GOFLAGS": "-trimpath -mod=mod"}
    offline = "main.go:6:2: rsc.io/quote@v1.5.2: module lookup disabled by GOPROXY=off"
    derived = derive(finding, target=ARM64, usage=None, env=env, log_text=offline)
    assert derived is not None
    assert derived[0] == Changes(env={"GOPROXY": GO_DEFAULT_PROXY})


def test_an_unreachable_proxy_gets_no_change() -> None:
    unreachable = 'go: x@v1.0.0: Get "https://example.com/x/@v/v1.0.0.mod": dial tcp: lookup example.com'
    finding = _finding("module-proxy-sum")
    assert derive(finding, target=ARM64, usage=None, env={}, log_text=unreachable) is None


TOO_NEW = "go: go.mod requires go >= 1.999 (running go 1.26.8; GOTOOLCHAIN=local)\n"


def test_a_go_line_newer_than_this_go_is_set_to_this_go_s_language_version() -> None:
    derived = derive(_finding("go-version-toolchain"), target=ARM64, usage=None, env={}, log_text=TOO_NEW)
    assert derived is not None
    assert derived[0] == Changes(go_mod=("-go=1.26",))
    assert "go mod edit -go=1.26" in derived[1]


def test_a_dependency_that_needs_a_newer_go_is_not_a_go_mod_edit() -> None:
    log = "go: example.com/dep@v1.0.0 requires go >= 1.999 (running go 1.26.8; GOTOOLCHAIN=local)\n"
    assert derive(_finding("go-version-toolchain"), target=ARM64, usage=None, env={}, log_text=log) is None


def _go_line_fix() -> Finding:
    """A go.mod go line newer than this Go, completed with its fix."""
    return complete(
        _finding("go-version-toolchain", Fix(summary="install Go")),
        target=ARM64,
        usage=None,
        env={},
        log_text=TOO_NEW,
    )


def test_a_go_mod_edit_fix_costs_a_repository_change_undone_by_the_reverse_edit() -> None:
    finding = _go_line_fix()
    assert finding.fix is not None and finding.fix.cost is not None
    assert finding.fix.changes == Changes(go_mod=("-go=1.26",))
    assert finding.fix.snippets[0].code == "go mod edit -go=1.26\n"
    assert finding.fix.cost.changes_repo is True
    assert finding.fix.cost.needs_root is False
    assert finding.fix.cost.undo == "go mod edit -go=1.999"
    assert finding.fix.summary.endswith("otherwise: install Go")


def test_go_mod_edits_round_trip_through_the_report_and_merge_without_repeats() -> None:
    changes = Changes(env={"A": "1"}, go_mod=("-go=1.26",))
    assert changes.to_json() == {"env": {"A": "1"}, "flags": [], "go_mod_edit": ["-go=1.26"]}
    assert Changes.from_json(changes.to_json()) == changes
    assert Changes(env={"A": "1"}).to_json() == {"env": {"A": "1"}, "flags": []}
    assert changes.words() == ["A=1", "go mod edit -go=1.26"]
    assert merge(changes, Changes(go_mod=("-go=1.26",), flags=("-x",))).go_mod == ("-go=1.26",)


def test_gocache_fix_points_into_runner_temp() -> None:
    env = {"RUNNER_TEMP": "/runner/tmp", "HOME": "/root"}
    derived = derive(_finding("gocache-home"), target=ARM64, usage=None, env=env, log_text="")
    assert derived is not None
    assert derived[0].env == {"GOCACHE": "/runner/tmp/gocross-gocache"}


def test_complete_keeps_a_rules_own_changes() -> None:
    own = Fix(summary="rule's", changes=Changes(env={"CC": "aarch64-linux-gnu-gcc"}))
    finding = _finding("cgo-no-c-compiler", own)
    usage = CgoUsage(target=ARM64, enabled=True, packages=("example.com/c",))
    assert complete(finding, target=ARM64, usage=usage, env={}, log_text="") is finding


def test_complete_prefers_cgo_off_to_a_compiler_when_no_package_needs_cgo() -> None:
    own = Fix(summary="Install the cross compiler", changes=Changes(env={"CC": "aarch64-linux-gnu-gcc"}))
    usage = CgoUsage(target=ARM64, enabled=True, packages=())
    done = complete(_finding("cgo-no-c-compiler", own), target=ARM64, usage=usage, env={}, log_text="")
    assert done.fix is not None and done.fix.changes == Changes(env={"CGO_ENABLED": "0"})


def test_complete_adds_changes_and_keeps_the_rules_advice() -> None:
    finding = _finding("cgo-no-c-compiler", Fix(summary="Install gcc-aarch64-linux-gnu"))
    usage = CgoUsage(target=ARM64, enabled=True, packages=())
    done = complete(finding, target=ARM64, usage=usage, env={"PATH": os.defpath}, log_text="")
    assert done.fix is not None and done.fix.changes == Changes(env={"CGO_ENABLED": "0"})
    assert "Install gcc-aarch64-linux-gnu" in done.fix.summary
    assert done.fix.verified is None


def test_a_go_mod_edit_fix_is_shown_in_text_and_markdown_and_fits_the_report_schema() -> None:
    from gocross_action.report import markdown, text
    from gocross_action.report.model import Context, Report
    from tests.report_schema import assert_valid_report

    finding = _go_line_fix()
    report = Report.build(context=Context(command="check"), findings=[finding])
    shown = text.render(report)
    assert "changes: go mod edit -go=1.26" in shown
    assert "changes repository files; undo: go mod edit -go=1.999" in shown
    assert "Changes: `go mod edit -go=1.26`" in markdown.render(report)
    assert_valid_report(report.to_json())
