"""Action inputs: INPUT_* variables, validated like the config (every problem, exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gocross_action.errors import ConfigError
from gocross_action.github import inputs


def _env(**values: str) -> dict[str, str]:
    env = {"INPUT_TOKEN": "t"}
    env.update({"INPUT_" + k.replace("_", "-").upper(): v for k, v in values.items()})
    return env


def test_hyphenated_inputs_are_read_with_the_hyphen_kept(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    given = inputs.parse({"INPUT_TOKEN": "t", "INPUT_WORKING-DIRECTORY": "app"}, workspace=tmp_path)
    assert given.working_directory == "app"


def test_list_inputs_accept_commas_and_newlines(tmp_path: Path) -> None:
    given = inputs.parse(_env(targets="linux/amd64, linux/arm64\nwindows/amd64\n"), workspace=tmp_path)
    assert given.targets == ("linux/amd64", "linux/arm64", "windows/amd64")


def test_every_bad_input_is_reported_at_once(tmp_path: Path) -> None:
    env = _env(mode="build", fail_on="sometimes", check_run="yes", targets="linux/arm32", glibc_max="2")
    with pytest.raises(ConfigError) as info:
        inputs.parse(env, workspace=tmp_path)
    text = "\n".join(info.value.problems)
    for name in ("mode:", "fail-on:", "check-run:", "targets:", "glibc-max:"):
        assert name in text
    assert info.value.exit_code == 2


def test_diagnose_mode_requires_a_log_file_that_exists(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="log-file: required"):
        inputs.parse(_env(mode="diagnose"), workspace=tmp_path)
    with pytest.raises(ConfigError, match="matches no file"):
        inputs.parse(_env(mode="diagnose", log_file="build.log"), workspace=tmp_path)
    (tmp_path / "build.log").write_text("x\n", encoding="utf-8")
    assert inputs.parse(_env(mode="diagnose", log_file="*.log"), workspace=tmp_path).log_files == (
        tmp_path / "build.log",
    )


def test_an_empty_token_is_refused_unless_nothing_is_posted(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="token"):
        inputs.parse({"INPUT_TOKEN": ""}, workspace=tmp_path)
    quiet = {"INPUT_TOKEN": "", "INPUT_CHECK-RUN": "false", "INPUT_COMMENT": "never"}
    assert inputs.parse(quiet, workspace=tmp_path).token == ""


def test_report_name_with_a_slash_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="report-name"):
        inputs.parse(_env(report_name="a/b"), workspace=tmp_path)


def test_working_directory_must_stay_in_the_workspace(tmp_path: Path) -> None:
    (tmp_path / "ws").mkdir()
    with pytest.raises(ConfigError, match="outside the workspace"):
        inputs.parse(_env(working_directory=".."), workspace=tmp_path / "ws")


def test_empty_config_key_inputs_leave_the_config_in_charge(tmp_path: Path) -> None:
    given = inputs.parse(_env(), workspace=tmp_path)
    assert (given.fail_on, given.comment, given.check_run, given.check_name) == (None, None, None, None)
