"""VCS ownership and the build cache: the probe's verdict against what a real go build does."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import go_cache, require_tool, run_gocross

HELLO = 'package main\n\nfunc main() { println("hi") }\n'


def _module(tmp_path: Path) -> Path:
    module = tmp_path / "ws"
    module.mkdir()
    (module / "go.mod").write_text("module example.com/ws\n\ngo 1.22\n", encoding="utf-8")
    (module / "main.go").write_text(HELLO, encoding="utf-8")
    return module


def _build(module: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "GOCACHE": go_cache(), **env}
    return subprocess.run(
        ["go", "build", "-o", os.devnull, "."], cwd=module, env=full, capture_output=True, text=True
    )


@pytest.mark.skipif(os.geteuid() != 0, reason="chown to another uid needs root (CI runs as root)")
def test_a_workspace_owned_by_another_uid_is_vcs_stamping_and_buildvcs_false_fixes_the_build(
    tmp_path: Path,
) -> None:
    require_tool("git")
    module = _module(tmp_path)
    home = tmp_path / "home"
    home.mkdir()
    env = {"HOME": str(home), "GOFLAGS": "-buildvcs=auto"}
    subprocess.run(["git", "init", "-q", str(module)], check=True, env={**os.environ, **env})
    for path in (module, module / ".git"):
        os.chown(path, 1001, 1001)
    run = run_gocross(
        ["probe", str(module), "--targets", "linux/amd64", "--only", "vcs", "--format", "json"], env=env
    )
    assert run.code == 1, run.stderr
    top = json.loads(run.stdout)["findings"][0]
    assert (top["rule"], top["category"]) == ("probe.vcs.dubious-ownership", "vcs-stamping")
    failed = _build(module, env)
    assert failed.returncode != 0 and "error obtaining VCS status" in failed.stderr
    assert _build(module, {**env, "GOFLAGS": " ".join(top["fix"]["changes"]["flags"])}).returncode == 0


def test_a_gocache_that_cannot_be_created_is_gocache_home_and_go_build_fails_on_it(tmp_path: Path) -> None:
    module = _module(tmp_path)
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    env = {"GOCACHE": str(blocker / "go-build"), "GOFLAGS": "-buildvcs=false"}
    run = run_gocross(
        ["probe", str(module), "--targets", "linux/amd64", "--only", "cache", "--format", "json"], env=env
    )
    assert run.code == 1, run.stderr
    top = json.loads(run.stdout)["findings"][0]
    assert (top["rule"], top["category"]) == ("probe.cache.gocache-unwritable", "gocache-home")
    assert _build(module, env).returncode != 0
    assert _build(module, {**env, **top["fix"]["changes"]["env"]}).returncode == 0
