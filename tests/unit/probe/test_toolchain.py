from __future__ import annotations

import pytest

from gocross_action.findings import Severity
from gocross_action.probe import toolchain

from .conftest import Machine, rules


@pytest.mark.parametrize(
    ("older", "newer"),
    [
        ("1.21", "1.21rc1"),
        ("1.21rc1", "1.21.0"),
        ("1.21.0", "1.21.1"),
        ("go1.20.14", "1.21"),
        ("1.9", "1.10"),
    ],
)
def test_version_key_orders_go_versions_like_cmd_go(older: str, newer: str) -> None:
    assert toolchain.newer(newer, older)
    assert not toolchain.newer(older, newer)


def test_go_line_newer_than_the_local_go_with_gotoolchain_local_is_an_error(machine: Machine) -> None:
    machine.file("go.mod", "module example.com/app\n\ngo 1.99\n")
    result = toolchain.probe(machine.ctx("linux/amd64", env={"GOTOOLCHAIN": "local"}))
    assert rules(result.findings) == ["probe.toolchain.go-too-old"]
    finding = result.findings[0]
    assert finding.category == "go-version-toolchain"
    assert finding.severity is Severity.ERROR
    assert finding.locations[0].line == 3
    assert result.status == "error"


def test_go_line_the_local_go_satisfies_is_ok(machine: Machine) -> None:
    machine.file("go.mod", "module example.com/app\n\ngo 1.22\n\ntoolchain go1.24.1\n")
    result = toolchain.probe(machine.ctx("linux/amd64", env={"GOTOOLCHAIN": "auto"}))
    assert result.findings == []
    assert result.facts["selected"] == "go1.26.8"


def test_gotoolchain_auto_with_a_newer_go_line_warns_that_go_will_download_it(machine: Machine) -> None:
    machine.file("go.mod", "module example.com/app\n\ngo 1.99.1\n")
    result = toolchain.probe(machine.ctx("linux/amd64", env={"GOTOOLCHAIN": "auto"}))
    assert rules(result.findings) == ["probe.toolchain.download"]
    assert result.findings[0].severity is Severity.WARNING
    assert result.facts["selected"] == "go1.99.1"


def test_a_toolchain_download_with_goproxy_off_is_an_error(machine: Machine) -> None:
    machine.file("go.mod", "module example.com/app\n\ngo 1.99.1\n")
    machine.go_env["GOPROXY"] = "off"
    result = toolchain.probe(machine.ctx("linux/amd64", env={"GOTOOLCHAIN": "auto"}))
    assert rules(result.findings) == ["probe.toolchain.download-blocked"]
    assert result.findings[0].severity is Severity.ERROR


def test_gotoolchain_path_needs_the_selected_go_on_path(machine: Machine) -> None:
    machine.file("go.mod", "module example.com/app\n\ngo 1.99.1\n")
    missing = toolchain.probe(machine.ctx("linux/amd64", env={"GOTOOLCHAIN": "path"}))
    assert rules(missing.findings) == ["probe.toolchain.path-missing"]
    machine.tool("go1.99.1", "exit 0\n")
    present = toolchain.probe(machine.ctx("linux/amd64", env={"GOTOOLCHAIN": "path"}))
    assert rules(present.findings) == ["probe.toolchain.switch"]
    assert present.findings[0].severity is Severity.NOTICE


def test_gotoolchain_from_the_go_env_file_counts_when_the_environment_has_none(machine: Machine) -> None:
    machine.file("go.mod", "module example.com/app\n\ngo 1.99\n")
    env_file = machine.base / "goenv"
    env_file.write_text("GOTOOLCHAIN=local\n", encoding="utf-8")
    result = toolchain.probe(machine.ctx("linux/amd64"))
    assert result.facts["gotoolchain_source"] == f"go env file {env_file}"
    assert rules(result.findings) == ["probe.toolchain.go-too-old"]


def test_an_invalid_gotoolchain_is_reported(machine: Machine) -> None:
    result = toolchain.probe(machine.ctx("linux/amd64", env={"GOTOOLCHAIN": "go1.22+sometimes"}))
    assert rules(result.findings) == ["probe.toolchain.invalid-gotoolchain"]


def test_no_usable_go_is_an_error_finding(machine: Machine) -> None:
    machine.go_env.clear()
    result = toolchain.probe(machine.ctx("linux/amd64"))
    assert rules(result.findings) == ["probe.toolchain.go-missing"]


def test_go_that_refuses_to_start_is_classified_from_its_stderr_not_called_missing(machine: Machine) -> None:
    import dataclasses

    machine.tool("fakego", 'echo "go: invalid GOMIPS: must be hardfloat, softfloat" >&2\nexit 1\n')
    ctx = dataclasses.replace(
        machine.ctx("linux/mips", env={"GOMIPS": "hardfloat2"}), go="fakego", go_env=None
    )
    result = toolchain.probe(ctx)
    [finding] = result.findings
    assert finding.rule == "probe.toolchain.go-refuses"
    assert finding.category == "unsupported-target"
    assert "invalid GOMIPS" in finding.title
    assert finding.fix is not None and finding.fix.changes is not None
    assert finding.fix.changes.env == {"GOMIPS": "hardfloat"}


def test_go_absent_from_path_is_still_go_missing(machine: Machine) -> None:
    import dataclasses

    ctx = dataclasses.replace(machine.ctx("linux/amd64"), go="gocross-no-such-go", go_env=None)
    assert rules(toolchain.probe(ctx).findings) == ["probe.toolchain.go-missing"]
