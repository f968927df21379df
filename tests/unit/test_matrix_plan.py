"""matrix/plan.py alone: which targets are built, in which order, and which are refused before
any build (no process runs)."""

from __future__ import annotations

from pathlib import Path

from gocross_action.config import Config, TargetConfig
from gocross_action.matrix import plan
from gocross_action.matrix.ports import Port, Ports
from gocross_action.targets import Target

HOST = ("linux", "amd64")


def _ports(*pairs: str) -> Ports:
    by_pair = {}
    for pair in pairs:
        goos, goarch = pair.split("/")
        by_pair[pair] = Port(goos=goos, goarch=goarch, cgo=goos == "linux", first_class=True)
    return Ports(go_version="go1.26.0", by_pair=by_pair)


def _settings(module: Path, *targets: str, env: dict[str, str] | None = None) -> plan.Settings:
    (module / "go.mod").write_text("module example.com/tool\n\ngo 1.22\n")
    return plan.Settings(
        module_dir=module,
        targets=tuple(TargetConfig(target=Target.parse(t)) for t in targets),
        deploy=(),
        glibc_max=None,
        require_static=False,
        smoke_args=None,
        verify_fixes=False,
        workers=2,
        env=env if env is not None else {"PATH": "/nonexistent"},
    )


def test_a_target_this_go_has_no_port_for_is_a_finding_not_a_build(tmp_path: Path) -> None:
    settings = _settings(tmp_path, "linux/amd64", "windows/arm64")
    made = plan.make(settings, Config(), _ports("linux/amd64"), HOST)
    assert [str(j.target) for j in made.runnable] == ["linux/amd64"]
    assert [f.rule for f in made.findings] == ["config.unsupported-port"]
    assert made.works["windows/arm64"].skip_reason == "go1.26.0 has no windows/arm64 port"
    assert list(made.works) == ["linux/amd64", "windows/arm64"], "the report keeps the targets' order"


def test_targets_built_with_cgo_start_first(tmp_path: Path) -> None:
    settings = _settings(tmp_path, "windows/amd64", "linux/arm64", "linux/amd64", env={"CGO_ENABLED": "1"})
    made = plan.make(settings, Config(), _ports("windows/amd64", "linux/arm64", "linux/amd64"), HOST)
    assert made.with_cgo == {"windows/amd64", "linux/arm64", "linux/amd64"}
    native_cgo = _settings(
        tmp_path, "windows/amd64", "linux/amd64", env={"PATH": "/usr/bin:/bin", "CC": "sh"}
    )
    made = plan.make(native_cgo, Config(), _ports("windows/amd64", "linux/amd64"), HOST)
    assert made.with_cgo == {"linux/amd64"}, "only the native build finds a C compiler"
    assert [str(j.target) for j in made.runnable] == ["linux/amd64", "windows/amd64"]


def test_a_file_gocross_did_not_write_is_never_overwritten(tmp_path: Path) -> None:
    settings = _settings(tmp_path, "linux/amd64", "linux/arm64")
    dist = tmp_path / ".gocross" / "dist"
    dist.mkdir(parents=True)
    (dist / "tool_linux_amd64").write_text("someone else's file")
    made = plan.make(settings, Config(), _ports("linux/amd64", "linux/arm64"), HOST)
    assert [str(j.target) for j in made.runnable] == ["linux/arm64"]
    assert [(f.rule, f.target) for f in made.findings] == [("config.output-exists", "linux/amd64")]
    assert made.works["linux/amd64"].skip_reason == "output path taken"


def test_a_target_listed_twice_is_planned_once_with_its_first_settings() -> None:
    config = Config(targets=(TargetConfig(target=Target.parse("linux/arm64"), cgo=True),))
    chosen = plan.choose_targets("linux/arm64, linux/amd64 linux/arm64", config)
    assert [str(tc.target) for tc in chosen] == ["linux/arm64", "linux/amd64"]
    assert chosen[0].cgo is True, "a target named on the command line keeps its config settings"
