"""verify.derive/complete: which machine-applicable change fits a finding, from the facts."""

from __future__ import annotations

import os
from pathlib import Path

from gocross_action.findings import Changes, Finding, Fix, Severity
from gocross_action.matrix.cgo import CgoUsage
from gocross_action.matrix.verify import complete, derive
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


def test_module_errors_get_mod_mod_unless_the_proxy_is_off() -> None:
    finding = _finding("module-proxy-sum")
    env = {"GOFLAGS": "-trimpath -mod=readonly"}
    derived = derive(finding, target=ARM64, usage=None, env=env, log_text="replaced but not required")
    assert derived is not None
    assert derived[0].env == {"GOFLAGS": "-trimpath -mod=mod"}
    offline = "main.go:6:2: module lookup disabled by GOPROXY=off"
    assert derive(finding, target=ARM64, usage=None, env=env, log_text=offline) is None


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
