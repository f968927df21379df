"""The real ``gocross`` process: what a user sees for help, a valid config and a broken one."""

from __future__ import annotations

from pathlib import Path

from gocross_action import __version__
from tests.conftest import run_gocross


def test_validate_config_names_three_mistakes_with_their_lines_and_paths_and_exits_2(tmp_path: Path) -> None:
    config = tmp_path / "gocross.yml"
    config.write_text(
        "targets:\n  - linux/amd64\n  - goos: linux\n    goarch: arm32\n"
        "build:\n  ldflag: -s -w\ndeploy:\n  - debain:11\n",
        encoding="utf-8",
    )
    result = run_gocross(["validate-config", str(config)], cwd=tmp_path)
    assert result.code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0] == f"gocross: error: {config}: 3 problems"
    assert (
        lines[1] == f"  {config}:4:5: targets[1].goarch: 'arm32' is not a valid GOARCH (did you mean 'arm'?)"
    )
    assert lines[2] == f"  {config}:6:3: build.ldflag: unknown key (did you mean 'ldflags'?)"
    assert lines[3].startswith(
        f"  {config}:8:5: deploy[0]: unknown deploy system 'debain:11' (did you mean 'debian:11'?)"
    )
    assert "Traceback" not in result.stderr


def test_validate_config_ok_is_one_line_on_stdout(tmp_path: Path) -> None:
    github = tmp_path / ".github"
    github.mkdir()
    (github / "gocross.yml").write_text("targets: [linux/amd64, linux/arm/7]\n", encoding="utf-8")
    (tmp_path / ".git").mkdir()
    result = run_gocross(["validate-config"], cwd=tmp_path)
    assert (result.code, result.stdout, result.stderr) == (
        0,
        f"{github / 'gocross.yml'}: OK (2 targets)\n",
        "",
    )


def test_every_command_answers_help_and_the_tool_its_version(tmp_path: Path) -> None:
    result = run_gocross(["--help"], cwd=tmp_path)
    assert result.code == 0
    for command in ("check", "diagnose", "inspect", "probe", "validate-config", "rules"):
        assert command in result.stdout
        sub = run_gocross([command, "--help"], cwd=tmp_path)
        assert sub.code == 0 and sub.stdout.startswith(f"usage: gocross {command}"), sub.stderr
    version = run_gocross(["--version"], cwd=tmp_path)
    assert (version.code, version.stdout) == (0, f"gocross {__version__}\n")


def test_an_unknown_command_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = run_gocross(["compile"], cwd=tmp_path)
    assert result.code == 2
    assert len(result.stderr.splitlines()) == 1 and "invalid choice: 'compile'" in result.stderr
