"""`gocross probe` as a user runs it: the real CLI, the real Go, the real machine."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

from gocross_action.config import TargetConfig
from gocross_action.probe import PROBES, ProbeContext, run_all
from gocross_action.targets import Target
from tests.conftest import go_cache, run_gocross

HELLO = 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hi") }\n'


def _module(tmp_path: Path, go_line: str = "1.22") -> Path:
    module = tmp_path / "hello"
    module.mkdir()
    (module / "go.mod").write_text(f"module example.com/hello\n\ngo {go_line}\n", encoding="utf-8")
    (module / "main.go").write_text(HELLO, encoding="utf-8")
    return module


def _go_env(name: str) -> str:
    return subprocess.run(["go", "env", name], capture_output=True, text=True, check=True).stdout.strip()


def test_probe_json_holds_every_probe_and_the_real_go_version(tmp_path: Path) -> None:
    module = _module(tmp_path)
    run = run_gocross(["probe", str(module), "--targets", "linux/amd64,linux/arm64", "--format", "json"])
    assert run.code == 0, run.stderr
    report = json.loads(run.stdout)
    assert report["context"]["command"] == "probe"
    assert list(report["environment"]) == list(PROBES)
    assert report["environment"]["toolchain"]["go_version"] == _go_env("GOVERSION")
    assert report["environment"]["cache"]["gocache"] == go_cache()


def test_a_go_line_newer_than_this_go_fails_the_probe_exactly_where_go_build_fails(tmp_path: Path) -> None:
    module = _module(tmp_path, "1.99")
    env = {"GOTOOLCHAIN": "local"}
    run = run_gocross(["probe", str(module), "--targets", "linux/amd64", "--format", "json"], env=env)
    assert run.code == 1
    top = json.loads(run.stdout)["findings"][0]
    assert (top["rule"], top["category"]) == ("probe.toolchain.go-too-old", "go-version-toolchain")
    build = subprocess.run(
        ["go", "build", "./..."],
        cwd=module,
        env={**os.environ, "GOCACHE": go_cache(), **env},
        capture_output=True,
        text=True,
    )
    assert build.returncode != 0 and "go.mod requires go >= 1.99" in build.stderr


def test_an_unknown_probe_name_is_a_usage_error(tmp_path: Path) -> None:
    run = run_gocross(["probe", str(_module(tmp_path)), "--only", "toolchian"])
    assert run.code == 2
    assert "unknown probe 'toolchian'" in run.stderr


def test_all_probes_for_six_targets_take_well_under_a_second(tmp_path: Path) -> None:
    module = _module(tmp_path)
    names = ["linux/amd64", "linux/arm64", "linux/arm/7", "windows/amd64", "darwin/arm64", "freebsd/amd64"]
    targets = [TargetConfig(target=Target.parse(n), cgo=n in ("linux/arm64", "windows/amd64")) for n in names]
    env = {**os.environ, "GOCACHE": go_cache()}
    started = time.perf_counter()
    outcome = run_all(ProbeContext(module_dir=module, targets=targets, env=env))
    took = time.perf_counter() - started
    assert set(outcome.facts_by_target) == set(names)
    assert took < 1.0, f"probes took {took:.2f}s"


def test_go_refusing_an_invalid_gomips_is_classified_not_reported_as_missing(tmp_path: Path) -> None:
    module = _module(tmp_path)
    done = run_gocross(
        ["probe", str(module), "--targets", "linux/mips", "--only", "toolchain", "--format", "json"],
        env={"GOMIPS": "hardfloat2"},
    )
    assert done.code == 1, done.stderr
    findings = json.loads(done.stdout)["findings"]
    assert [f["rule"] for f in findings] == ["probe.toolchain.go-refuses"]
    assert findings[0]["category"] == "unsupported-target"
    assert "invalid GOMIPS" in findings[0]["title"]
    assert findings[0]["fix"]["changes"]["env"] == {"GOMIPS": "hardfloat"}
