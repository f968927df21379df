"""What the real CLI prints about what it learned: probe facts with their sources, each file's
fate in inspect, options where people put them."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.conftest import ROOT, run_gocross

HELLO = 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hi") }\n'


def _module(tmp_path: Path) -> Path:
    module = tmp_path / "hello"
    module.mkdir()
    (module / "go.mod").write_text("module example.com/hello\n\ngo 1.22\n", encoding="utf-8")
    (module / "main.go").write_text(HELLO, encoding="utf-8")
    return module


def test_probe_prints_the_go_version_compilers_and_where_cc_came_from(tmp_path: Path) -> None:
    module = _module(tmp_path)
    version = subprocess.run(["go", "env", "GOVERSION"], capture_output=True, text=True, check=True).stdout
    run = run_gocross(
        ["probe", str(module), "--targets", "linux/arm64", "--only", "toolchain,cgo,cache"],
        env={"CGO_ENABLED": "1", "CC": "aarch64-gocross-absent-gcc"},
    )
    assert run.code == 1, run.stderr
    lines = run.stdout.splitlines()
    assert any(line.startswith(f"  Go           {version.strip()} (") for line in lines), run.stdout
    assert any(line.startswith("  GOCACHE      ") for line in lines)
    row = next(line for line in lines if line.startswith("  linux/arm64"))
    assert "on (from the environment)" in row and "aarch64-gocross-absent-gcc: not installed" in row
    assert (
        "settings: CGO_ENABLED=1 (from the environment); CC=aarch64-gocross-absent-gcc (from the environment)"
        in (run.stdout)
    )


def test_inspect_says_what_happened_to_each_file(tmp_path: Path) -> None:
    run = run_gocross(
        ["inspect", "/etc/passwd", str(tmp_path / "nonexist"), shutil.which("python3") or "/bin/sh"]
    )
    assert run.code == 2
    assert "/etc/passwd: not inspected: not an executable" in run.stdout
    assert f"{tmp_path / 'nonexist'}: not inspected: cannot read: No such file or directory" in run.stdout
    assert "No problems found." not in run.stdout
    assert "2 of 3 file(s) could not be inspected" in run.stdout
    assert run.stderr.count("gocross: error: ") == 2


def test_check_refuses_a_malformed_glibc_max_before_building(tmp_path: Path) -> None:
    module = _module(tmp_path)
    run = run_gocross(["check", str(module), "--glibc-max", "2.x"])
    assert run.code == 2
    assert "argument --glibc-max: must look like 2.31, not '2.x'" in run.stderr
    assert not (module / ".gocross").exists()


def test_config_may_follow_the_rules_action(tmp_path: Path) -> None:
    rules = tmp_path / "gocross.yml"
    rules.write_text("fail-on: warning\n", encoding="utf-8")
    after = run_gocross(["rules", "list", "--format", "json", "--config", str(rules)], cwd=tmp_path)
    before = run_gocross(["--config", str(rules), "rules", "list", "--format", "json"], cwd=tmp_path)
    assert after.code == before.code == 0, after.stderr + before.stderr
    assert after.stdout == before.stdout and after.stdout.startswith("[")


def test_verbose_check_text_shows_build_commands_and_every_probe_fact(tmp_path: Path) -> None:
    example = tmp_path / "hello"
    shutil.copytree(ROOT / "examples" / "hello", example, ignore=shutil.ignore_patterns(".gocross"))
    run = run_gocross(["check", str(example), "--targets", "linux/amd64", "--verbose"])
    assert run.code == 0, run.stdout + run.stderr
    assert "command  GOOS=linux GOARCH=amd64 CGO_ENABLED=0 go build -o" in run.stdout
    assert "smoke    exit 0 natively: hello 1.0 [ran " in run.stdout
    assert "All environment facts:" in run.stdout and "toolchain.go_version" in run.stdout
