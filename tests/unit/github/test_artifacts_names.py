"""Artifact names: what the results service accepts, and report names that never collide."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gocross_action.errors import UsageError
from gocross_action.github.artifacts import (
    INVALID_NAME_CHARACTERS,
    NAME_MAX,
    RemoteArtifact,
    base_name,
    newest_per_name,
    report_artifact_name,
    validate_name,
)


@pytest.mark.parametrize("char", sorted(INVALID_NAME_CHARACTERS))
def test_validate_name_rejects_each_character_the_service_refuses(char: str) -> None:
    with pytest.raises(UsageError, match="artifact name"):
        validate_name(f"gocross{char}report")


@pytest.mark.parametrize("name", ["", "   "])
def test_validate_name_rejects_an_empty_name(name: str) -> None:
    with pytest.raises(UsageError, match="empty"):
        validate_name(name)


def test_validate_name_rejects_a_name_longer_than_the_limit() -> None:
    with pytest.raises(UsageError, match="characters long"):
        validate_name("a" * (NAME_MAX + 1))


def test_validate_name_accepts_dots_plus_and_underscores() -> None:
    assert validate_name("gocross-report-build-linux_arm_7+windows_amd64.rerun-0a1b2c3d") == (
        "gocross-report-build-linux_arm_7+windows_amd64.rerun-0a1b2c3d"
    )


def test_report_name_turns_target_slashes_into_underscores() -> None:
    assert (
        report_artifact_name("gocross-report", "build", ["linux/arm/7"]) == "gocross-report-build-linux_arm_7"
    )


def test_report_name_differs_for_matrix_jobs_that_check_different_targets() -> None:
    amd64 = report_artifact_name("gocross-report", "build", ["linux/amd64"])
    arm64 = report_artifact_name("gocross-report", "build", ["linux/arm64"])
    assert amd64 != arm64


def test_report_name_does_not_depend_on_target_order_or_repeats() -> None:
    one = report_artifact_name("gocross-report", "build", ["linux/amd64", "windows/arm64"])
    other = report_artifact_name("gocross-report", "build", ["windows/arm64", "linux/amd64", "linux/amd64"])
    assert one == other


def test_report_name_without_targets_is_prefix_and_job() -> None:
    assert report_artifact_name("gocross-report", "aggregate job", []) == "gocross-report-aggregate_job"


def test_report_name_rejects_an_invalid_prefix() -> None:
    with pytest.raises(UsageError, match="colon"):
        report_artifact_name("gocross:report", "build", ["linux/amd64"])


def test_report_name_for_many_targets_is_cut_to_the_limit_and_stays_distinct() -> None:
    many = [f"linux/arch{i}" for i in range(60)]
    first = report_artifact_name("gocross-report", "build", [*many, "windows/amd64"])
    second = report_artifact_name("gocross-report", "build", [*many, "windows/arm64"])
    assert len(first) <= NAME_MAX and len(second) <= NAME_MAX
    assert first != second
    assert first.startswith("gocross-report-build-linux_arch0+")


@given(
    job=st.text(max_size=40),
    targets=st.lists(st.text(max_size=30), max_size=30),
)
def test_report_name_is_always_a_valid_artifact_name(job: str, targets: list[str]) -> None:
    name = report_artifact_name("gocross-report", job, targets)
    assert validate_name(name) == name
    assert name.startswith("gocross-report")


def test_base_name_strips_only_the_rerun_suffix() -> None:
    assert base_name("gocross-report-build-linux_amd64.rerun-0a1b2c3d") == "gocross-report-build-linux_amd64"
    assert (
        base_name("gocross-report-build-linux_amd64.rerun-xyz")
        == "gocross-report-build-linux_amd64.rerun-xyz"
    )


def _remote(name: str, artifact_id: int) -> RemoteArtifact:
    return RemoteArtifact(name=name, artifact_id=artifact_id, size=1, workflow_run="r", workflow_job_run="j")


def test_newest_per_name_keeps_the_newest_upload_of_each_report_and_ignores_other_prefixes() -> None:
    listed = [
        _remote("gocross-report-build-linux_amd64.rerun-0a1b2c3d", 7),
        _remote("gocross-report-build-linux_amd64", 3),
        _remote("gocross-report-build-linux_arm64", 4),
        _remote("gocross-reportage", 5),
        _remote("binaries", 6),
    ]
    chosen = newest_per_name(listed, "gocross-report")
    assert [(a.name, a.artifact_id) for a in chosen] == [
        ("gocross-report-build-linux_amd64.rerun-0a1b2c3d", 7),
        ("gocross-report-build-linux_arm64", 4),
    ]
