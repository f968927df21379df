"""Paths stay inside: config values and committed symlinks never make gocross write or read
outside the workspace. Each test runs the real CLI on a module in a repository, next to a decoy
folder that stands for the rest of the machine, and compares the decoy before and after."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import run_gocross

SECRET = "TOPSECRET-root:x:0:0"
HELLO = 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hello") }\n'


def snapshot(root: Path) -> dict[str, tuple[str, bytes | str, int]]:
    """Every entry under ``root``: its kind, content (or link target) and mtime."""
    found: dict[str, tuple[str, bytes | str, int]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in [*dirnames, *filenames]:
            path = Path(dirpath) / name
            info = path.lstat()
            if path.is_symlink():
                found[str(path)] = ("link", str(path.readlink()), info.st_mtime_ns)
            elif path.is_dir():
                found[str(path)] = ("dir", "", 0)  # what it holds is listed entry by entry
            else:
                found[str(path)] = ("file", path.read_bytes(), info.st_mtime_ns)
    return found


@pytest.fixture
def world(tmp_path: Path) -> tuple[Path, Path]:
    """(the module, inside a repository; the decoy folder outside it, holding a secret)."""
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "go.mod").write_text("module example.com/evil\n\ngo 1.21\n", encoding="utf-8")
    (repo / "main.go").write_text(HELLO, encoding="utf-8")
    decoy = tmp_path / "decoy"
    decoy.mkdir()
    (decoy / "victim").write_text("precious\n", encoding="utf-8")
    (decoy / "secret.yml").write_text(SECRET + "\n", encoding="utf-8")
    return repo, decoy


def _config(repo: Path, text: str) -> None:
    (repo / "gocross.yml").write_text(text, encoding="utf-8")


# --------------------------------------------------------------------------- config values


@pytest.mark.parametrize(
    ("key", "config"),
    [
        ("build.out", "build: {{out: {abs}}}\n"),
        ("build.out", "build: {{out: ../decoy}}\n"),
        ("targets[0].output", "targets: [{{goos: linux, goarch: amd64, output: {abs}/app}}]\n"),
        ("targets[0].output", "targets: [{{goos: linux, goarch: amd64, output: ../../../decoy/app}}]\n"),
        ("report.dir", "report: {{dir: {abs}}}\n"),
        ("report.dir", "report: {{dir: ../decoy}}\n"),
    ],
)
def test_a_config_path_outside_the_workspace_is_a_config_error_naming_the_key(
    world: tuple[Path, Path], key: str, config: str
) -> None:
    repo, decoy = world
    _config(repo, config.format(abs=decoy))
    before = snapshot(decoy)
    for args in (["check", ".", "--targets", "linux/amd64"], ["validate-config", "gocross.yml"]):
        run = run_gocross(args, cwd=repo)
        assert run.code == 2, run.stderr
        assert f"{key}:" in run.stderr and "outside the workspace" in run.stderr
    assert snapshot(decoy) == before


def test_a_config_path_inside_the_workspace_is_written(world: tuple[Path, Path]) -> None:
    repo, _ = world
    (repo / "sub").mkdir()
    _config(repo, "build: {out: sub/../bin}\nreport: {dir: reports}\n")
    run = run_gocross(["check", ".", "--targets", "linux/amd64"], cwd=repo)
    assert run.code == 0, run.stderr
    assert (repo / "bin" / "evil_linux_amd64").is_file()
    assert (repo / "reports" / "report.json").is_file()


# --------------------------------------------------------------------------- committed symlinks


def _link(path: Path, target: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(target)


@pytest.mark.parametrize(
    ("link", "to"),
    [
        (".gocross", "."),
        (".gocross/dist", "."),
        (".gocross/logs", "."),
        (".gocross/logs/linux_amd64.log", "victim"),
        (".gocross/dist/.gocross-manifest.json", "victim"),
    ],
)
def test_a_committed_symlink_on_the_way_to_a_written_file_is_refused(
    world: tuple[Path, Path], link: str, to: str
) -> None:
    repo, decoy = world
    _link(repo / link, decoy / to)
    before = snapshot(decoy)
    run = run_gocross(["check", ".", "--targets", "linux/amd64"], cwd=repo)
    assert run.code == 2, run.stderr
    assert "refusing to write" in run.stderr and "symbolic link" in run.stderr
    assert snapshot(decoy) == before


def test_a_committed_symlink_in_place_of_a_binary_fails_the_target_not_the_victim(
    world: tuple[Path, Path],
) -> None:
    import json

    repo, decoy = world
    binary = repo / ".gocross" / "dist" / "evil_linux_amd64"
    _link(binary, decoy / "victim")
    # Even with a committed manifest that claims the file (its size and mtime guessed right),
    # go build is never pointed at the symlink.
    info = binary.stat()
    manifest = {"files": {str(binary.resolve()): {"size": info.st_size, "mtime_ns": info.st_mtime_ns}}}
    (binary.parent / ".gocross-manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    before = snapshot(decoy)
    run = run_gocross(["check", ".", "--targets", "linux/amd64", "--format", "json"], cwd=repo)
    assert run.code == 1, run.stderr
    assert snapshot(decoy) == before
    log = (repo / ".gocross" / "logs" / "linux_amd64.log").read_text(encoding="utf-8")
    assert "refusing to write" in log and "symbolic link" in log


@pytest.mark.parametrize("link", ["reports", "reports/report.json", "reports/logs"])
def test_a_symlinked_report_dir_from_the_config_is_refused(world: tuple[Path, Path], link: str) -> None:
    repo, decoy = world
    _config(repo, "report: {dir: reports}\n")
    _link(repo / link, decoy / ("victim" if link.endswith(".json") else "."))
    before = snapshot(decoy)
    run = run_gocross(["check", ".", "--targets", "linux/amd64"], cwd=repo)
    assert run.code == 2, run.stderr
    assert "refusing to write" in run.stderr
    assert snapshot(decoy) == before


def test_a_report_dir_typed_on_the_command_line_is_the_users_choice(world: tuple[Path, Path]) -> None:
    repo, decoy = world
    run = run_gocross(["check", ".", "--targets", "linux/amd64", "--report-dir", str(decoy / "r")], cwd=repo)
    assert run.code == 0, run.stderr
    assert (decoy / "r" / "report.json").is_file()


# --------------------------------------------------------------------------- reads


@pytest.mark.parametrize("rules", ["../decoy/secret.yml", "{abs}/secret.yml", "linked.yml"])
def test_a_rules_file_outside_the_workspace_is_refused_without_showing_it(
    world: tuple[Path, Path], rules: str
) -> None:
    repo, decoy = world
    _link(repo / "linked.yml", decoy / "secret.yml")
    _config(repo, f"rules: [{rules.format(abs=decoy)}]\n")
    for args in (["validate-config", "gocross.yml"], ["diagnose", "--log", "-"]):
        run = run_gocross(args, cwd=repo, stdin="")
        assert run.code == 2, run.stderr
        assert "rules[0]" in run.stderr and "outside the workspace" in run.stderr
        assert "TOPSECRET" not in run.stderr + run.stdout


def test_a_symlinked_config_file_is_refused_with_a_warning_and_not_read(world: tuple[Path, Path]) -> None:
    repo, decoy = world
    _link(repo / "gocross.yml", decoy / "secret.yml")
    run = run_gocross(["check", ".", "--targets", "linux/amd64"], cwd=repo)
    assert run.code == 0, run.stderr
    assert "warning: refusing to read the config file" in run.stderr
    assert "TOPSECRET" not in run.stderr + run.stdout


def test_a_config_that_is_not_yaml_mapping_is_not_echoed(world: tuple[Path, Path]) -> None:
    _, decoy = world
    passwd = decoy / "passwd"
    passwd.write_text(
        "\n".join(f"user{i}:x:{i}:{i}:{SECRET}:/home:/bin/sh" for i in range(20)), encoding="utf-8"
    )
    run = run_gocross(["validate-config", str(passwd)])
    assert run.code == 2
    assert "TOPSECRET" not in run.stderr


def test_a_fifo_where_a_report_file_goes_is_refused_not_waited_on(world: tuple[Path, Path]) -> None:
    repo, _ = world
    _config(repo, "report: {dir: reports}\n")
    (repo / "reports").mkdir()
    os.mkfifo(repo / "reports" / "report.json")
    run = run_gocross(["check", ".", "--targets", "linux/amd64"], cwd=repo)
    assert run.code == 2, run.stderr
    assert "refusing to write" in run.stderr and "not a regular file" in run.stderr
