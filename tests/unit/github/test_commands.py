"""Workflow commands and file commands, as actions/toolkit's core writes them."""

from __future__ import annotations

import pytest

from gocross_action.findings import Severity
from gocross_action.github import commands
from gocross_action.github.commands import Annotation


def test_message_escapes_percent_before_newlines() -> None:
    assert commands.escape_data("100%\r\ndone") == "100%25%0D%0Adone"


def test_property_escapes_colon_and_comma_too() -> None:
    assert commands.escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_command_leaves_out_empty_and_zero_properties() -> None:
    line = commands.command("error", "boom", {"file": "main.go", "line": 0, "title": None, "col": 3})
    assert line == "::error file=main.go,col=3::boom"


def test_command_with_only_empty_properties_keeps_the_toolkits_space() -> None:
    assert commands.command("warning", "x", {"file": ""}) == "::warning ::x"


def test_annotation_drops_columns_unless_on_one_line() -> None:
    multi = Annotation(
        severity=Severity.ERROR, message="m", path="a.go", start_line=2, end_line=4, start_column=5
    )
    single = Annotation(severity=Severity.WARNING, message="m", path="a.go", start_line=2, start_column=5)
    assert multi.to_command() == "::error file=a.go,line=2,endLine=4::m"
    assert single.to_command() == "::warning file=a.go,line=2,col=5::m"


def test_annotation_message_cannot_start_a_second_command() -> None:
    annotation = Annotation(severity=Severity.NOTICE, message="x\n::error::injected", title="t: a, b")
    line = annotation.to_command()
    assert "\n" not in line
    assert line == "::notice title=t%3A a%2C b::x%0A::error::injected"


def test_annotation_message_is_cut_at_the_runners_limit() -> None:
    annotation = Annotation(severity=Severity.ERROR, message="y" * 5000)
    message = annotation.to_command().split("::", 2)[2]
    assert len(message) == commands.MESSAGE_MAX


def test_ranking_keeps_ten_per_level_and_fifty_in_all() -> None:
    errors = [Annotation(severity=Severity.ERROR, message=f"e{i}") for i in range(15)]
    warnings = [Annotation(severity=Severity.WARNING, message=f"w{i}") for i in range(3)]
    shown, left = commands.rank_for_display([*errors, *warnings])
    assert [a.message for a in shown] == [f"e{i}" for i in range(10)] + ["w0", "w1", "w2"]
    assert len(left) == 5
    many = [Annotation(severity=Severity.ERROR, message=str(i)) for i in range(80)]
    shown, left = commands.rank_for_display(many, per_type=100)
    assert (len(shown), len(left)) == (50, 30)


def test_single_line_output_is_name_equals_value() -> None:
    assert commands.file_entry("status", "passed") == "status=passed\n"


def test_multi_line_output_uses_a_delimiter_absent_from_the_value() -> None:
    marks = iter(["EOF", "EOF", "ghadelimiter_2"])
    entry = commands.file_entry("summary", "a\nEOF\nb", delimiter=lambda: next(marks))
    assert entry == "summary<<ghadelimiter_2\na\nEOF\nb\nghadelimiter_2\n"


def test_output_name_with_a_newline_is_refused() -> None:
    with pytest.raises(ValueError):
        commands.file_entry("a\nb", "x")


def test_summary_is_cut_to_fit_the_byte_limit_of_a_step_summary() -> None:
    def render(limit: int | None) -> str:
        text = "é" * 1000
        return text if limit is None else text[:limit]

    fitted = commands.fit_bytes(render, max_bytes=1000)
    assert len(fitted.encode("utf-8")) <= 1000
    assert len(fitted) > 400


def test_stop_commands_pair_uses_the_same_token() -> None:
    assert commands.stop_commands("tok") == "::stop-commands::tok"
    assert commands.resume_commands("tok") == "::tok::"
    assert commands.add_mask("s3cret") == "::add-mask::s3cret"
