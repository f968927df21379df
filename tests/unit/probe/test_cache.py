from __future__ import annotations

from gocross_action.findings import Severity
from gocross_action.probe import cache

from .conftest import Machine, rules


def test_writable_caches_and_home_have_no_findings(machine: Machine) -> None:
    (machine.base / "home").mkdir()
    result = cache.probe(machine.ctx("linux/amd64"))
    assert result.findings == []
    assert result.facts["gocache_writable"] is True


def test_gocache_off_because_nothing_defines_it_is_an_error_fixed_by_setting_gocache(
    machine: Machine,
) -> None:
    machine.go_env.update(GOCACHE="off", GOMODCACHE="")
    result = cache.probe(machine.ctx("linux/amd64", env={"HOME": ""}))
    assert rules(result.findings) == ["probe.cache.gocache-undefined", "probe.cache.home-unset"]
    first = result.findings[0]
    assert (first.category, first.severity) == ("gocache-home", Severity.ERROR)
    assert first.fix is not None and first.fix.changes is not None
    assert list(first.fix.changes.env) == ["GOCACHE"]


def test_a_gocache_below_a_regular_file_cannot_be_created(machine: Machine) -> None:
    blocker = machine.base / "not-a-dir"
    blocker.write_text("", encoding="utf-8")
    machine.go_env["GOCACHE"] = str(blocker / "go-build")
    result = cache.probe(machine.ctx("linux/amd64"))
    assert rules(result.findings) == ["probe.cache.gocache-unwritable"]
    assert f"{blocker} is not a directory" in result.findings[0].evidence[0].text


def test_a_relative_gocache_is_an_error(machine: Machine) -> None:
    machine.go_env["GOCACHE"] = "cache"
    assert rules(cache.probe(machine.ctx("linux/amd64")).findings) == ["probe.cache.gocache-relative"]


def test_no_module_cache_matters_only_when_go_mod_requires_modules(machine: Machine) -> None:
    machine.go_env["GOMODCACHE"] = ""
    machine.file("go.mod", "module example.com/app\n\ngo 1.22\n")
    assert cache.probe(machine.ctx("linux/amd64")).findings == []
    machine.file("go.mod", "module example.com/app\n\ngo 1.22\n\nrequire golang.org/x/sys v0.20.0\n")
    assert rules(cache.probe(machine.ctx("linux/amd64")).findings) == ["probe.cache.gomodcache-undefined"]


def test_writable_means_the_nearest_existing_parent_accepts_a_new_directory(tmp_path: object) -> None:
    from pathlib import Path

    base = Path(str(tmp_path))
    assert cache.writable(base / "a" / "b") == (True, f"can be created under {base}")
    assert cache.writable(base) == (True, "exists")
