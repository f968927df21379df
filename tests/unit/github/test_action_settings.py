"""How the action turns inputs into the engine's config and arguments, and names its check."""

from __future__ import annotations

from pathlib import Path

from gocross_action import action
from gocross_action.config import Config, GithubConfig, TargetConfig
from gocross_action.findings import Evidence, Finding, Location, Severity
from gocross_action.github.context import GithubContext
from gocross_action.github.inputs import ActionInputs
from gocross_action.github.publish import annotation, check_name
from gocross_action.targets import Target


def test_a_single_target_job_gets_the_target_in_its_check_name() -> None:
    assert check_name("gocross", ["linux/arm/7"]) == "gocross (linux/arm/7)"
    assert check_name("gocross", ["linux/amd64", "linux/arm64"]) == "gocross"
    assert check_name("gocross", []) == "gocross"


def test_inputs_override_config_keys_and_empty_ones_keep_the_config() -> None:
    configured = TargetConfig(target=Target.parse("linux/arm64"), cgo=True, cc="zig cc")
    config = Config(targets=(configured,), fail_on="warning", github=GithubConfig(check_name="cross"))
    given = ActionInputs(
        token="t", targets=("linux/arm64", "windows/amd64"), comment="never", smoke="--version"
    )
    merged = action.apply_inputs(config, given)
    assert merged.targets[0] is configured
    assert str(merged.targets[1].target) == "windows/amd64"
    assert merged.fail_on == "warning"
    assert (merged.github.comment, merged.github.check_name) == ("never", "cross")
    assert merged.smoke == ("--version",)


def test_smoke_input_takes_booleans_or_shell_words() -> None:
    assert action.smoke_setting("false") is None
    assert action.smoke_setting("true") == ()
    assert action.smoke_setting("--port '8080 1'") == ("--port", "8080 1")


def test_diagnose_arguments_carry_logs_target_and_the_subfolder() -> None:
    given = ActionInputs(
        token="t",
        mode="diagnose",
        log_files=(Path("/w/app/b.log"),),
        targets=("linux/arm64",),
        working_directory="app",
    )
    argv = action.command_argv(given, "error")
    assert argv[:3] == ["diagnose", "--log", "/w/app/b.log"]
    assert argv[argv.index("--target") + 1] == "linux/arm64"
    assert argv[argv.index("--source-prefix") + 1] == "app"


def test_finding_becomes_an_annotation_at_its_repo_relative_position(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "main.go").write_text("package main\n", encoding="utf-8")
    ctx = GithubContext(event_name="push", repository="o/r", sha="s", workspace=tmp_path)
    finding = Finding(
        rule="log.x",
        category="platform-api",
        severity=Severity.ERROR,
        target="windows/amd64",
        title="unix.Kill is not on windows",
        root_cause="the code calls a Unix API",
        evidence=(Evidence(source="log", text="e", location=Location(path="main.go", line=5, column=2)),),
    )
    made = annotation(finding, ctx, "app")
    assert (made.path, made.start_line, made.start_column) == ("app/main.go", 5, 2)
    assert made.title == "[windows/amd64] unix.Kill is not on windows"
    assert made.severity is Severity.ERROR
