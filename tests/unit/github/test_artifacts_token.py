"""The runtime token's backend ids, where the results service exists, and secrets in URLs."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from gocross_action.github.artifacts import (
    ArtifactError,
    BackendIds,
    backend_ids,
    is_ghes,
    scrub,
    signature_values,
    upload_report,
)


def _jwt(claims: object) -> str:
    def part(data: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'RS256', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJl"


def test_backend_ids_come_from_the_actions_results_scope_among_others() -> None:
    token = _jwt({"scp": "Actions.GenericRead:run-1 Actions.Results:run-1:job-9 Actions.UploadArtifacts"})
    assert backend_ids(token) == BackendIds(workflow_run="run-1", workflow_job_run="job-9")


def test_backend_ids_decode_a_payload_whose_base64_needs_padding() -> None:
    for filler in ("", "x", "xx", "xxx"):
        token = _jwt({"scp": "Actions.Results:r:j", "pad": filler})
        assert backend_ids(token).workflow_job_run == "j"


@pytest.mark.parametrize(
    "claims",
    [
        {},
        {"scp": 42},
        {"scp": "Actions.GenericRead:run-1"},
        {"scp": "Actions.Results:run-1"},
        {"scp": "Actions.Results:run-1:job:extra"},
        {"scp": "Actions.Results::job"},
        ["not", "an", "object"],
    ],
)
def test_backend_ids_refuse_a_token_without_a_complete_results_scope(claims: object) -> None:
    with pytest.raises(ArtifactError, match=r"Actions\.Results scope"):
        backend_ids(_jwt(claims))


@pytest.mark.parametrize("token", ["", "opaque-token", "a.b", "a.!!!.c", "a.bm90IGpzb24.c"])
def test_backend_ids_refuse_something_that_is_not_a_jwt_without_echoing_it(token: str) -> None:
    with pytest.raises(ArtifactError) as caught:
        backend_ids(token)
    assert token == "" or token not in str(caught.value)


@pytest.mark.parametrize(
    ("server", "ghes"),
    [
        (None, False),
        ("https://github.com", False),
        ("https://octo.ghe.com", False),
        ("http://api.github.localhost", False),
        ("http://127.0.0.1:8080", False),
        ("https://github.example.com", True),
    ],
)
def test_ghes_is_told_apart_by_the_server_url_as_the_toolkit_does(server: str | None, ghes: bool) -> None:
    env = {} if server is None else {"GITHUB_SERVER_URL": server}
    assert is_ghes(env) is ghes


def test_upload_is_skipped_without_a_runtime_token_or_results_url(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    report.write_text("{}")
    assert upload_report([report], name="gocross-report", root=tmp_path, env={}) is None
    token_only = {"ACTIONS_RUNTIME_TOKEN": _jwt({"scp": "Actions.Results:r:j"})}
    assert upload_report([report], name="gocross-report", root=tmp_path, env=token_only) is None


def test_upload_is_skipped_on_enterprise_server(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    report.write_text("{}")
    env = {
        "ACTIONS_RUNTIME_TOKEN": _jwt({"scp": "Actions.Results:r:j"}),
        # Never contacted: GHES is decided before any request.
        "ACTIONS_RESULTS_URL": "http://192.0.2.1:9/",
        "GITHUB_SERVER_URL": "https://github.example.com",
    }
    assert upload_report([report], name="gocross-report", root=tmp_path, env=env) is None


def test_signature_values_cover_the_written_decoded_and_encoded_forms() -> None:
    url = "https://acct.blob.core.windows.net/c/b.zip?sv=2023-11-03&sig=ab%2Bcd%2Fef%3D&sp=r"
    assert signature_values(url) == ["ab%2Bcd%2Fef%3D", "ab+cd/ef="]


def test_signature_values_of_an_unsigned_url_are_empty() -> None:
    assert signature_values("https://acct.blob.core.windows.net/c/b.zip?sv=1") == []


def test_scrub_drops_the_query_and_keeps_where_the_request_went() -> None:
    assert scrub("https://acct.blob.core.windows.net/c/b.zip?sig=secret&sp=r") == (
        "https://acct.blob.core.windows.net/c/b.zip"
    )
