"""CLI behaviour every command shares: exit codes 0/1/2/3, one-line errors, stdout carrying only
the report, --output, --report-dir, --fail-on, crash logs. Runs ``cli.main`` in-process with a
small reporting command (tests/unit/cli_fixture_command.py) registered beside the real ones."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest

from gocross_action import cli
from gocross_action.report.render import render
from tests.report_schema import assert_valid_report
from tests.sample_reports import SAMPLES


@pytest.fixture(autouse=True)
def _fixture_command(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(
        cli.COMMANDS, "fixture", ("tests.unit.cli_fixture_command", "publish a stored report")
    )
    monkeypatch.setattr(cli, "REPORTING", cli.REPORTING | {"fixture"})
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # crash logs land in the test's folder
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)


def stored(tmp_path: Path, name: str) -> str:
    path = tmp_path / f"{name}.json"
    path.write_text(render(SAMPLES[name](), "json"), encoding="utf-8")
    return str(path)


def test_exit_0_when_no_finding_reaches_fail_on(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["fixture", stored(tmp_path, "clean")]) == 0
    assert "No problems found." in capsys.readouterr().out


def test_exit_1_when_an_error_finding_reaches_the_default_fail_on(tmp_path: Path) -> None:
    assert cli.main(["fixture", stored(tmp_path, "check-failed")]) == 1


@pytest.mark.parametrize(("fail_on", "code"), [("never", 0), ("warning", 1), ("error", 1)])
def test_fail_on_option_sets_the_threshold(tmp_path: Path, fail_on: str, code: int) -> None:
    assert cli.main(["fixture", stored(tmp_path, "check-failed"), "--fail-on", fail_on]) == code


def test_config_fail_on_applies_unless_the_option_replaces_it(tmp_path: Path) -> None:
    report = tmp_path / "warn.json"
    data = json.loads(render(SAMPLES["check-failed"](), "json"))
    data["findings"] = [f for f in data["findings"] if f["severity"] != "error"]
    report.write_text(json.dumps(data), encoding="utf-8")
    assert cli.main(["fixture", str(report)]) == 0
    (tmp_path / "gocross.yml").write_text("fail-on: warning\n", encoding="utf-8")
    assert cli.main(["fixture", str(report)]) == 1
    assert cli.main(["fixture", str(report), "--fail-on", "never"]) == 0


def test_stdout_carries_only_the_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cli.main(["fixture", stored(tmp_path, "check-failed"), "--format", "json"])
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert_valid_report(data)
    assert captured.out == render(SAMPLES["check-failed"](), "json")


@pytest.mark.parametrize("fmt", ["text", "markdown", "sarif"])
def test_each_format_goes_to_stdout_unchanged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    cli.main(["fixture", stored(tmp_path, "inspect"), "--format", fmt])
    assert capsys.readouterr().out == render(SAMPLES["inspect"](), fmt)


def test_text_on_a_pipe_has_no_colour(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cli.main(["fixture", stored(tmp_path, "check-failed")])
    assert "\x1b[" not in capsys.readouterr().out


def test_output_option_writes_the_report_to_a_file_not_stdout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report.sarif"
    assert (
        cli.main(["fixture", stored(tmp_path, "check-failed"), "--format", "sarif", "--output", str(out)])
        == 1
    )
    assert capsys.readouterr().out == ""
    assert out.read_text(encoding="utf-8") == render(SAMPLES["check-failed"](), "sarif")


def test_report_dir_writes_json_markdown_and_sarif(tmp_path: Path) -> None:
    directory = tmp_path / "reports" / "run1"
    cli.main(["fixture", stored(tmp_path, "check-failed"), "--report-dir", str(directory)])
    assert sorted(p.name for p in directory.iterdir()) == ["report.json", "report.md", "report.sarif"]
    assert_valid_report(json.loads((directory / "report.json").read_text(encoding="utf-8")))
    assert (directory / "report.md").read_text(encoding="utf-8") == render(
        SAMPLES["check-failed"](), "markdown"
    )


def test_config_report_formats_narrow_the_report_dir(tmp_path: Path) -> None:
    (tmp_path / "gocross.yml").write_text("report: {formats: [sarif], dir: out}\n", encoding="utf-8")
    cli.main(["fixture", stored(tmp_path, "clean")])
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["report.sarif"]


def test_user_error_is_one_line_on_stderr_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["fixture", str(tmp_path / "absent.json")]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert (
        captured.err == f"gocross: error: cannot read {tmp_path / 'absent.json'}: No such file or directory\n"
    )


def test_config_error_lists_every_problem_at_its_line_and_column_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bad.yml").write_text("fail-on: soon\ntargets: [linux/arm32]\n", encoding="utf-8")
    assert cli.main(["fixture", stored(tmp_path, "clean"), "--config", str(tmp_path / "bad.yml")]) == 2
    err = capsys.readouterr().err
    assert err.splitlines() == [
        f"gocross: error: {tmp_path / 'bad.yml'}: 2 problems",
        f"  {tmp_path / 'bad.yml'}:1:1: fail-on: 'soon' is not one of error, warning, never",
        f"  {tmp_path / 'bad.yml'}:2:11: targets[0]: 'arm32' is not a valid GOARCH (did you mean 'arm'?)",
    ]


def test_unwritable_output_is_a_user_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "no" / "such" / "dir" / "r.txt"
    assert cli.main(["fixture", stored(tmp_path, "clean"), "--output", str(target)]) == 2
    assert capsys.readouterr().err.startswith(f"gocross: error: cannot write {target}")


@pytest.mark.parametrize("argv", [["fixture"], ["fixture", "x", "--format", "html"], ["nonsense"], []])
def test_usage_errors_exit_2_with_one_line(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        cli.main(argv)
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "error:" in err and "Traceback" not in err


def test_internal_error_exits_3_with_one_line_and_a_crash_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["fixture", "x", "--crash"]) == 3
    captured = capsys.readouterr()
    assert captured.out == ""
    (line,) = captured.err.splitlines()
    assert line.startswith(
        "gocross: internal error (this is a bug): RuntimeError: something unexpected; traceback in "
    )
    log = Path(line.rsplit(" ", 1)[-1])
    assert log.parent == tmp_path and log.is_file()
    assert "Traceback" in log.read_text(encoding="utf-8") and "something unexpected" in log.read_text(
        encoding="utf-8"
    )


def test_debug_prints_the_traceback_of_an_internal_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["fixture", "x", "--crash", "--debug"]) == 3
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err and "RuntimeError: something unexpected" in err


@pytest.mark.parametrize("command", sorted(cli.COMMANDS))
def test_every_command_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        cli.main([command, "--help"])
    assert caught.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: gocross {command}") and "--config" in out
    assert ("--report-dir" in out) == (command in cli.REPORTING)


def test_validate_config_prints_one_ok_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "gocross.yml").write_text("targets: [linux/amd64]\n", encoding="utf-8")
    assert cli.main(["validate-config"]) == 0
    assert capsys.readouterr().out == f"{tmp_path / 'gocross.yml'}: OK (1 target)\n"


def test_validate_config_without_a_file_is_an_input_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["validate-config", str(tmp_path / "nope.yml")]) == 2
    assert capsys.readouterr().err == f"gocross: error: config file {tmp_path / 'nope.yml'} not found\n"


def read_tty(master: int) -> str:
    import os
    import select

    chunks = []
    while select.select([master], [], [], 0.2)[0]:
        data = os.read(master, 65536)
        if not data:
            break
        chunks.append(data)
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.parametrize(("no_color", "coloured"), [(False, True), (True, False)])
def test_text_on_a_terminal_is_coloured_unless_no_color(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_color: bool, coloured: bool
) -> None:
    import os
    import sys

    master, slave = os.openpty()
    with os.fdopen(slave, "w", encoding="utf-8") as terminal:
        monkeypatch.setattr(sys, "stdout", terminal)
        if no_color:
            monkeypatch.setenv("NO_COLOR", "1")
        assert cli.main(["fixture", stored(tmp_path, "check-failed")]) == 1
        terminal.flush()
        shown = read_tty(master)
    os.close(master)
    assert "No deploy system declared" in shown
    assert ("\x1b[1;31mERROR\x1b[0m" in shown) == coloured


@pytest.mark.parametrize(
    "argv",
    [
        ["rules", "list", "--config", "missing.yml"],
        ["--config", "missing.yml", "rules", "list"],
        ["rules", "--config", "missing.yml", "list"],
        ["--debug", "--config", "missing.yml", "rules", "list", "--format", "json"],
    ],
)
def test_config_is_accepted_before_or_after_the_command(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(argv) == 2
    assert (
        capsys.readouterr().err
        == "gocross: error: cannot read config missing.yml: No such file or directory\n"
    )


def test_debug_is_accepted_after_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["rules", "list", "--debug"]) == 0
    assert " rules in 21 categories" in capsys.readouterr().out


@pytest.mark.parametrize("command", ["check", "inspect"])
def test_a_malformed_glibc_max_is_refused_before_anything_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    # check would build (and the unit-test guard would fail on `go`) if the option got that far.
    with pytest.raises(SystemExit) as exited:
        cli.main([command, str(tmp_path), "--glibc-max", "2.x"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"gocross {command}: error: argument --glibc-max: must look like 2.31, not '2.x'")


def test_verbose_shows_every_fact_in_text_and_markdown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli.main(["fixture", stored(tmp_path, "check-failed")])
    assert "All environment facts" not in capsys.readouterr().out
    cli.main(["fixture", stored(tmp_path, "check-failed"), "--verbose"])
    assert "cache.gomodcache" in capsys.readouterr().out
    cli.main(["fixture", stored(tmp_path, "check-failed"), "-v", "--format", "markdown"])
    assert "<details><summary>All environment facts</summary>" in capsys.readouterr().out


def test_text_in_a_github_actions_log_is_coloured_and_cannot_issue_commands(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    cli.main(["fixture", stored(tmp_path, "inspect")])
    out = capsys.readouterr().out
    assert "\x1b[1;31mERROR" in out
    assert "  \u200b::error::missing: not inspected" in out
