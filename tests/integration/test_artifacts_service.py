"""The Python artifact client against the stand-in results service, over real loopback HTTP."""

from __future__ import annotations

import io
import json
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from gocross_action.github.artifacts import (
    ArtifactError,
    RetryPolicy,
    ServiceUnavailable,
    download_reports,
    report_artifact_name,
    upload_report,
)
from tests.results_service import ResultsService, make_jwt

FAST = RetryPolicy(backoff_s=0.01, max_wait_s=1.0, timeout_s=10.0)


@pytest.fixture
def service() -> Iterator[ResultsService]:
    with ResultsService() as running:
        yield running


@pytest.fixture
def reports(tmp_path: Path) -> list[Path]:
    """A report directory as --report-dir writes it, with a per-target log."""
    directory = tmp_path / ".gocross"
    (directory / "logs").mkdir(parents=True)
    (directory / "report.json").write_text(json.dumps({"schema_version": 1, "findings": []}))
    (directory / "report.md").write_text("## gocross: passed\n")
    (directory / "report.sarif").write_text(json.dumps({"version": "2.1.0", "runs": []}))
    (directory / "logs" / "linux_amd64.log").write_text("ok\n")
    return [directory / name for name in ("report.json", "report.sarif", "report.md", "logs/linux_amd64.log")]


def _zip_names(data: bytes) -> list[str]:
    return sorted(zipfile.ZipFile(io.BytesIO(data)).namelist())


def test_upload_creates_finalizes_and_stores_the_zip_with_version_4(
    service: ResultsService, reports: list[Path]
) -> None:
    env = service.env(job="job-amd64")
    ref = upload_report(
        reports, name="gocross-report-build-linux_amd64", root=reports[0].parent, env=env, retry=FAST
    )
    assert ref is not None and ref.name == "gocross-report-build-linux_amd64"
    assert service.routes() == ["CreateArtifact", "blob-put", "FinalizeArtifact"]
    create = service.requests[0].json()
    assert create["version"] == 4
    assert create["workflow_job_run_backend_id"] == "job-amd64"
    assert create["mime_type"] == "application/zip"
    stored = service.content(ref.name)
    assert ref.size == len(stored)
    assert _zip_names(stored) == ["logs/linux_amd64.log", "report.json", "report.md", "report.sarif"]
    [artifact] = service.finalized()
    assert (artifact.artifact_id, artifact.digest) == (ref.artifact_id, ref.digest)


def test_upload_accepts_camel_case_answers(reports: list[Path]) -> None:
    with ResultsService(camel=True) as camel:
        ref = upload_report(
            reports, name="gocross-report", root=reports[0].parent, env=camel.env(), retry=FAST
        )
        assert ref is not None
        assert camel.finalized()[0].artifact_id == ref.artifact_id


def test_a_large_report_goes_up_in_blocks_and_a_block_list(
    service: ResultsService, reports: list[Path]
) -> None:
    ref = upload_report(
        reports, name="gocross-report", root=reports[0].parent, env=service.env(), retry=FAST, block_bytes=128
    )
    assert ref is not None
    puts = [r for r in service.requests if r.route == "blob-put"]
    comps = [r.query.get("comp", [""])[0] for r in puts]
    assert comps[-1] == "blocklist"
    assert comps[:-1] == ["block"] * (-(-ref.size // 128))
    assert _zip_names(service.content(ref.name))[0] == "logs/linux_amd64.log"


def test_5xx_answers_are_retried_without_creating_a_second_artifact(
    service: ResultsService, reports: list[Path]
) -> None:
    service.fail("CreateArtifact", 502, times=2)
    service.fail("blob-put", 503)
    service.fail("FinalizeArtifact", 500)
    ref = upload_report(reports, name="gocross-report", root=reports[0].parent, env=service.env(), retry=FAST)
    assert ref is not None
    assert service.routes().count("CreateArtifact") == 3
    assert len(service.artifacts) == 1 and len(service.finalized()) == 1


def test_retries_stop_after_three_and_the_error_shows_no_signature_or_token(
    service: ResultsService, reports: list[Path]
) -> None:
    env = service.env()
    service.fail("blob-put", 500, times=4)
    with pytest.raises(ArtifactError, match="after 4 attempts") as caught:
        upload_report(reports, name="gocross-report", root=reports[0].parent, env=env, retry=FAST)
    assert service.routes().count("blob-put") == 4
    message = str(caught.value)
    assert "sig=" not in message and "?" not in message
    assert env["ACTIONS_RUNTIME_TOKEN"] not in message


def test_a_retry_after_longer_than_allowed_gives_up_without_waiting(
    service: ResultsService, reports: list[Path]
) -> None:
    service.fail("CreateArtifact", 429, headers={"Retry-After": "120"})
    started = time.monotonic()
    with pytest.raises(ArtifactError, match="wait too long"):
        upload_report(reports, name="gocross-report", root=reports[0].parent, env=service.env(), retry=FAST)
    assert time.monotonic() - started < 1
    assert service.routes() == ["CreateArtifact"]


def test_a_short_retry_after_is_honoured_and_the_upload_goes_through(
    service: ResultsService, reports: list[Path]
) -> None:
    service.fail("CreateArtifact", 429, headers={"Retry-After": "0.2"})
    started = time.monotonic()
    ref = upload_report(reports, name="gocross-report", root=reports[0].parent, env=service.env(), retry=FAST)
    assert ref is not None
    assert time.monotonic() - started >= 0.2


def test_a_name_taken_in_the_run_is_uploaded_under_a_rerun_name(
    service: ResultsService, reports: list[Path]
) -> None:
    root = reports[0].parent
    first = upload_report(
        reports, name="gocross-report-build-linux_amd64", root=root, env=service.env("a1"), retry=FAST
    )
    again = upload_report(
        reports, name="gocross-report-build-linux_amd64", root=root, env=service.env("a2"), retry=FAST
    )
    assert first is not None and again is not None
    assert again.name.startswith("gocross-report-build-linux_amd64.rerun-")
    assert {a.name for a in service.finalized()} == {first.name, again.name}


def test_an_unknown_endpoint_means_no_artifact_service_and_no_upload(
    service: ResultsService, reports: list[Path]
) -> None:
    service.fail("CreateArtifact", 404)
    assert (
        upload_report(reports, name="gocross-report", root=reports[0].parent, env=service.env(), retry=FAST)
        is None
    )
    assert service.finalized() == []


def test_a_token_the_service_did_not_issue_is_refused(service: ResultsService, reports: list[Path]) -> None:
    forged = make_jwt({"scp": f"Actions.Results:{service.run}:forged"})
    env = {**service.env(), "ACTIONS_RUNTIME_TOKEN": forged}
    with pytest.raises(ArtifactError, match="401 unauthenticated"):
        upload_report(reports, name="gocross-report", root=reports[0].parent, env=env, retry=FAST)


def test_masks_for_the_token_and_the_signature_are_printed_under_actions(
    service: ResultsService, reports: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    env = {**service.env(), "GITHUB_ACTIONS": "true"}
    upload_report(reports, name="gocross-report", root=reports[0].parent, env=env, retry=FAST)
    err = capsys.readouterr().err
    create_reply_url = next(r for r in service.requests if r.route == "blob-put").query["sig"][0]
    assert f"::add-mask::{env['ACTIONS_RUNTIME_TOKEN']}\n" in err
    assert f"::add-mask::{create_reply_url}\n" in err


def test_aggregate_downloads_every_matrix_report_once_into_its_own_directory(
    service: ResultsService, reports: list[Path], tmp_path: Path
) -> None:
    root = reports[0].parent
    for job, target in [("j1", "linux/amd64"), ("j2", "windows/arm64")]:
        name = report_artifact_name("gocross-report", "build", [target])
        assert upload_report(reports, name=name, root=root, env=service.env(job), retry=FAST) is not None
    # A re-run of the first leg: its newer report replaces the older one.
    (root / "report.md").write_text("## gocross: re-run\n")
    rerun = upload_report(
        reports, name="gocross-report-build-linux_amd64", root=root, env=service.env("j1-again"), retry=FAST
    )
    assert rerun is not None and rerun.name.startswith("gocross-report-build-linux_amd64.rerun-")
    service.put_artifact("binaries-linux_amd64", b"not a report")

    dirs = download_reports("gocross-report", dest=tmp_path / "all", env=service.env("aggregate"), retry=FAST)
    assert [d.name for d in dirs] == [
        "gocross-report-build-linux_amd64",
        "gocross-report-build-windows_arm64",
    ]
    assert (dirs[0] / "report.md").read_text() == "## gocross: re-run\n"
    assert (dirs[1] / "report.md").read_text() == "## gocross: passed\n"
    assert json.loads((dirs[1] / "report.json").read_text())["schema_version"] == 1


def test_aggregate_refuses_a_download_that_does_not_match_the_recorded_digest(
    service: ResultsService, reports: list[Path], tmp_path: Path
) -> None:
    ref = upload_report(
        reports, name="gocross-report-x", root=reports[0].parent, env=service.env(), retry=FAST
    )
    assert ref is not None
    artifact = service.finalized()[0]
    service.blobs[artifact.blob].data += b"tampered"
    with pytest.raises(ArtifactError, match="does not match the digest"):
        download_reports("gocross-report", dest=tmp_path / "all", env=service.env("agg"), retry=FAST)


def test_aggregate_refuses_an_artifact_whose_zip_escapes_its_directory(
    service: ResultsService, tmp_path: Path
) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../../escaped.txt", "x")
    service.put_artifact("gocross-report-evil", buffer.getvalue())
    with pytest.raises(ArtifactError, match="unsafe entry name"):
        download_reports("gocross-report", dest=tmp_path / "all", env=service.env("agg"), retry=FAST)
    assert not list(tmp_path.rglob("escaped.txt"))


def test_aggregate_without_a_results_service_says_so(tmp_path: Path) -> None:
    with pytest.raises(ServiceUnavailable, match="ACTIONS_RUNTIME_TOKEN"):
        download_reports("gocross-report", dest=tmp_path, env={})
