"""Workflow-command injection: text from the repository or a log, printed under Actions, is data.

Each attack goes through the real CLI (and a real failing ``go build``) with GITHUB_ACTIONS=true,
and the output is read back the way the runner reads it (``runner_log``)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gocross_action.boundary import text
from tests.conftest import run_gocross
from tests.security.hostile import HOSTILE_LINES, assert_no_foreign_commands, visible
from tests.security.runner_log import commands

ACTIONS = {"GITHUB_ACTIONS": "true"}


@pytest.mark.parametrize("line", HOSTILE_LINES)
def test_a_neutralised_line_reads_the_same_and_is_no_command(line: str) -> None:
    shown = text.neutralise(line)
    assert commands(shown) == []
    assert "\n" not in shown and "\r" not in shown
    # What a reader sees keeps every visible character (line breaks become visible escapes).
    assert visible(shown).replace("\\r", "").replace("\\n", "") == line.replace("\r", "").replace("\n", "")


def test_an_echoed_log_cannot_end_the_stop_commands_block(monkeypatch: pytest.MonkeyPatch) -> None:
    import secrets

    # The log holds the first token the generator will offer, in both resume forms.
    tokens = iter(["aaaa", "bbbb"])
    monkeypatch.setattr(secrets, "token_hex", lambda n=16: next(tokens))
    log = ["::gocross-aaaa::", "##[gocross-aaaa]", "::error::forged"]
    block = text.echo_block(log)
    assert block[0] == "::stop-commands::gocross-bbbb"
    assert block[-1] == "::gocross-bbbb::"
    assert_no_foreign_commands("\n".join(block))


def _module(root: Path, source: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "go.mod").write_text("module example.com/evil\n\ngo 1.21\n", encoding="utf-8")
    (root / "main.go").write_text(source, encoding="utf-8")
    return root


# Each string literal lands in a compile error ("cannot use "..." (untyped string constant) as
# int value"), so the build log carries the runner's legacy command form in the middle of a line.
EVIL_GO = """package main

var status int = "##[set-output name=status;]passed"
var mask int = "##[add-mask]hunter2"
var stop int = "##[stop-commands]x"
var forged int = "::error::forged ##[error file=main.go,line=1]forged"

func main() {}
"""


def test_a_failing_build_whose_errors_hold_workflow_commands_prints_them_as_text(tmp_path: Path) -> None:
    module = _module(tmp_path / "evil", EVIL_GO)
    run = run_gocross(["check", str(module), "--targets", "linux/amd64"], env=ACTIONS)
    assert run.code == 1, run.stderr
    output = run.stdout + run.stderr
    assert_no_foreign_commands(output)
    # The build log is still shown, folded, inside a stop-commands block.
    assert "set-output name=status;]passed" in visible(run.stderr)
    assert any(c.name == "stop-commands" for c in commands(run.stderr))


def test_a_file_name_with_a_newline_and_a_command_is_printed_escaped(tmp_path: Path) -> None:
    names = ["evil\n::set-output name=status::passed", "##[add-mask]hunter2", "tab\there\r::error::x"]
    paths = []
    for name in names:
        path = tmp_path / name
        path.write_bytes(b"not a binary at all")
        paths.append(str(path))
    run = run_gocross(["inspect", *paths], env=ACTIONS)
    assert run.code == 2
    assert_no_foreign_commands(run.stdout + run.stderr)
    assert "evil\\n::set-output" in visible(run.stderr)


def test_a_log_with_both_command_forms_is_diagnosed_without_running_them(tmp_path: Path) -> None:
    log = tmp_path / "build.log"
    # As compile errors, so that the report quotes them as evidence; and as bare lines.
    single = [line for line in HOSTILE_LINES if "\n" not in line and "\r" not in line]
    errors = [f"./main.go:{i}:5: undefined: x {line}" for i, line in enumerate(single, 1)]
    log.write_text("\n".join(["# example.com/evil", *errors, *HOSTILE_LINES]) + "\n", encoding="utf-8")
    for fmt in ("text", "markdown", "json", "sarif"):
        run = run_gocross(["diagnose", "--log", str(log), "--format", fmt], env=ACTIONS)
        assert run.code == 1, run.stderr
        assert "set-output name=status;]passed" in visible(run.stdout)
        assert_no_foreign_commands(run.stdout + run.stderr)


def test_json_printed_under_actions_is_still_the_same_json(tmp_path: Path) -> None:
    import json

    log = tmp_path / "build.log"
    log.write_text("./main.go:3:5: undefined: ##[set-output name=x;]y\n", encoding="utf-8")
    under_actions = run_gocross(["diagnose", "--log", str(log), "--format", "json"], env=ACTIONS)
    plain = run_gocross(["diagnose", "--log", str(log), "--format", "json"])
    assert json.loads(under_actions.stdout) == json.loads(plain.stdout)
    assert "##[" not in under_actions.stdout


def test_a_config_error_quoting_a_hostile_value_is_no_command(tmp_path: Path) -> None:
    config = tmp_path / "gocross.yml"
    config.write_text(
        'targets: ["##[set-output name=status;]passed"]\nfail-on: "::error::x"\n', encoding="utf-8"
    )
    run = run_gocross(["validate-config", str(config)], env=ACTIONS, cwd=tmp_path)
    assert run.code == 2
    assert_no_foreign_commands(run.stdout + run.stderr)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs POSIX")
def test_a_surrogate_escaped_file_name_does_not_crash_the_message(tmp_path: Path) -> None:
    raw = os.fsencode(str(tmp_path)) + b"/bad-\xff-name"
    with open(raw, "wb") as fh:
        fh.write(b"junk")
    run = run_gocross(["inspect", os.fsdecode(raw)], env=ACTIONS)
    assert run.code == 2
    assert "\\xff" in run.stderr and "Traceback" not in run.stderr
