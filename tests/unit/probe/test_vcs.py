from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from gocross_action.probe import vcs

from .conftest import Machine


@pytest.fixture
def repo(machine: Machine) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed (.ci/run installs it)")
    machine.env["PATH"] = f"{machine.bin}:{os.environ['PATH']}"
    (machine.base / "home").mkdir(exist_ok=True)
    subprocess.run(
        ["git", "init", "-q", str(machine.module)],
        check=True,
        env={**os.environ, "HOME": machine.env["HOME"]},
    )
    return machine.module


def test_a_module_outside_git_is_skipped(machine: Machine) -> None:
    result = vcs.probe(machine.ctx("linux/amd64"))
    assert result.status == "skipped"


def test_buildvcs_false_in_goflags_skips_stamping(machine: Machine, repo: Path) -> None:
    machine.go_env["GOFLAGS"] = "-buildvcs=false"
    result = vcs.probe(machine.ctx("linux/amd64"))
    assert (result.status, result.facts["buildvcs"]) == ("skipped", "false")


def test_a_repository_owned_by_the_build_user_is_fine(machine: Machine, repo: Path) -> None:
    result = vcs.probe(machine.ctx("linux/amd64"))
    assert result.findings == []
    assert result.facts["git_ok"] is True


@pytest.mark.skipif(os.geteuid() != 0, reason="chown to another uid needs root (CI runs as root)")
def test_a_repository_owned_by_another_uid_is_dubious_ownership_with_both_fixes(
    machine: Machine, repo: Path
) -> None:
    os.chown(repo, 4321, 4321)
    result = vcs.probe(machine.ctx("linux/amd64"))
    assert [(f.rule, f.category) for f in result.findings] == [
        ("probe.vcs.dubious-ownership", "vcs-stamping")
    ]
    finding = result.findings[0]
    assert "dubious ownership" in finding.evidence[0].text
    assert finding.fix is not None and finding.fix.changes is not None
    assert finding.fix.changes.flags == ("-buildvcs=false",)
    assert f"git config --global --add safe.directory {repo.resolve()}" in finding.fix.snippets[0].code
    # The fix it proposes works: with safe.directory set, git accepts the repository.
    subprocess.run(
        ["git", "config", "--global", "--add", "safe.directory", str(repo.resolve())],
        check=True,
        env={**os.environ, "HOME": machine.env["HOME"]},
    )
    assert vcs.probe(machine.ctx("linux/amd64")).findings == []
