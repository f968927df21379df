from __future__ import annotations

from gocross_action.data_files import package_file
from gocross_action.probe import PROBES, run_all, system
from gocross_action.report.model import Context, Report

from .conftest import Machine


def test_run_all_reports_every_probe_with_a_status_and_facts_per_target(machine: Machine) -> None:
    machine.compiler("gcc", "x86_64-linux-gnu")
    machine.file("go.mod", "module example.com/app\n\ngo 1.99\n")
    outcome = run_all(machine.ctx("linux/amd64", "linux/arm64", env={"GOTOOLCHAIN": "local"}))
    assert list(outcome.environment) == list(PROBES)
    assert all(e["status"] in ("ok", "warning", "error", "skipped") for e in outcome.environment.values())
    assert outcome.environment["toolchain"]["status"] == "error"
    assert [f.rule for f in outcome.findings] == ["probe.toolchain.go-too-old"]
    native = outcome.facts_by_target["linux/amd64"]
    assert (native["cgo"], native["cc"], native["host_goos"], native["host_goarch"]) == (
        True,
        "gcc",
        "linux",
        "amd64",
    )
    assert native["probes"]["toolchain"] == "error"
    assert outcome.facts_by_target["linux/arm64"]["cgo"] is False


def test_the_outcome_fits_in_a_report(machine: Machine) -> None:
    outcome = run_all(machine.ctx("linux/amd64"))
    report = Report.build(
        context=Context(command="probe"), findings=outcome.findings, environment=outcome.environment
    )
    assert set(report.to_json()["environment"]) == set(PROBES)


def test_the_probe_table_ships_with_the_package_and_holds_its_invariants() -> None:
    assert package_file("data", "probe.json").is_file()
    assert system.data()["syscalls"] == {"clone3": 435, "faccessat2": 439}
