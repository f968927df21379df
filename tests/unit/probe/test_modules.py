from __future__ import annotations

from gocross_action.probe import modules

from .conftest import Machine, rules

GO_MOD = (
    "module example.com/app\n\ngo 1.22\n\nrequire (\n"
    "\tgithub.com/BurntSushi/toml v1.3.2\n\tgolang.org/x/sys v0.20.0 // indirect\n)\n"
)
GO_SUM = (
    "github.com/BurntSushi/toml v1.3.2 h1:o7IhLm0Msx3BaB+n3Ag7L8EVlByGnpq14C4YWiu/gL8=\n"
    "github.com/BurntSushi/toml v1.3.2/go.mod h1:CxXYINrC8qIiEnFrOxCa7Jy5BFHlXnUU2pbicEuybxQ=\n"
    "golang.org/x/sys v0.20.0/go.mod h1:/VUhepiaJMQUp4+oa/7Zr1D23ma6VTLIYjOOTFZPUcA=\n"
)
MODULES_TXT = (
    "# github.com/BurntSushi/toml v1.3.2\n## explicit; go 1.16\ngithub.com/BurntSushi/toml\n"
    "# golang.org/x/sys v0.20.0\n## explicit; go 1.18\ngolang.org/x/sys/unix\n"
)


def _cache(machine: Machine, path: str, version: str) -> None:
    escaped = modules.escape(path)
    target = machine.base / "gomodcache" / "cache" / "download" / escaped / "@v" / f"{version}.mod"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("module x\n", encoding="utf-8")


def test_a_consistent_module_with_go_sum_has_no_findings(machine: Machine) -> None:
    machine.file("go.mod", GO_MOD)
    machine.file("go.sum", GO_SUM)
    result = modules.probe(machine.ctx("linux/amd64"))
    assert result.findings == []
    assert result.facts["requires"] == 2


def test_missing_go_sum_entries_are_an_error_fixed_by_mod_mod(machine: Machine) -> None:
    machine.file("go.mod", GO_MOD)
    result = modules.probe(machine.ctx("linux/amd64"))
    assert [(f.rule, f.category) for f in result.findings] == [
        ("probe.modules.go-sum-missing", "module-proxy-sum")
    ]
    fix = result.findings[0].fix
    assert fix is not None and fix.changes is not None and dict(fix.changes.env) == {"GOFLAGS": "-mod=mod"}


def test_mod_vendor_without_a_vendor_directory_is_inconsistent_vendoring(machine: Machine) -> None:
    machine.file("go.mod", GO_MOD)
    machine.file("go.sum", GO_SUM)
    machine.go_env["GOFLAGS"] = "-trimpath -mod=vendor"
    result = modules.probe(machine.ctx("linux/amd64"))
    assert rules(result.findings) == ["probe.modules.vendor-inconsistent"]
    fix = result.findings[0].fix
    assert fix is not None and fix.changes is not None
    assert dict(fix.changes.env) == {"GOFLAGS": "-trimpath -mod=mod"}


def test_a_vendor_directory_that_disagrees_with_go_mod_is_reported_like_cmd_go(machine: Machine) -> None:
    machine.file("go.mod", GO_MOD)
    machine.file("vendor/modules.txt", MODULES_TXT.replace("v1.3.2", "v1.3.0"))
    result = modules.probe(machine.ctx("linux/amd64"))
    assert rules(result.findings) == ["probe.modules.vendor-inconsistent"]
    assert (
        result.findings[0]
        .evidence[0]
        .text.startswith(
            "github.com/BurntSushi/toml@v1.3.2: is explicitly required in go.mod, "
            "but vendor/modules.txt lists v1.3.0"
        )
    )


def test_a_consistent_vendor_directory_is_used_by_default(machine: Machine) -> None:
    machine.file("go.mod", GO_MOD)
    machine.file("vendor/modules.txt", MODULES_TXT)
    result = modules.probe(machine.ctx("linux/amd64"))
    assert result.findings == []
    assert result.facts["vendoring"] is True


def test_goproxy_off_with_uncached_requirements_is_an_error(machine: Machine) -> None:
    machine.file("go.mod", GO_MOD)
    machine.file("go.sum", GO_SUM)
    machine.go_env["GOPROXY"] = "off"
    result = modules.probe(machine.ctx("linux/amd64"))
    assert rules(result.findings) == ["probe.modules.offline-missing"]
    _cache(machine, "github.com/BurntSushi/toml", "v1.3.2")
    _cache(machine, "golang.org/x/sys", "v0.20.0")
    assert modules.probe(machine.ctx("linux/amd64")).findings == []


def test_a_per_target_goflags_override_is_judged_for_that_target(machine: Machine) -> None:
    from gocross_action.config import TargetConfig
    from gocross_action.targets import Target

    machine.file("go.mod", GO_MOD)
    machine.file("go.sum", GO_SUM)
    tc = TargetConfig(target=Target.parse("linux/arm64"), env={"GOFLAGS": "-mod vendor"})
    result = modules.probe(machine.ctx("linux/amd64", tc))
    assert [(f.rule, f.target) for f in result.findings] == [("probe.modules.goflags-invalid", "linux/arm64")]


def test_goprivate_patterns_match_path_prefixes_element_by_element() -> None:
    assert modules.matches_patterns("github.com/acme/lib/v2", "*.corp.com,github.com/acme")
    assert modules.matches_patterns("git.corp.com/x", "*.corp.com")
    assert not modules.matches_patterns("github.com/acmeco/lib", "github.com/acme")


def test_module_cache_paths_escape_capitals() -> None:
    assert modules.escape("github.com/BurntSushi/toml") == "github.com/!burnt!sushi/toml"
