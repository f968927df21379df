"""How long a rate-limited request waits, and annotations within GitHub's field limits."""

from __future__ import annotations

from gocross_action.findings import Severity
from gocross_action.github.api import check_run_annotation, rate_limit_wait
from gocross_action.github.commands import Annotation

NOW = 1_700_000_000.0


def test_retry_after_seconds_is_honored() -> None:
    assert rate_limit_wait(429, {"Retry-After": "7"}, "slow down", now=NOW) == 7.0


def test_retry_after_as_an_http_date_is_honored() -> None:
    assert rate_limit_wait(429, {"retry-after": "Tue, 14 Nov 2023 22:13:40 GMT"}, "", now=NOW) == 20.0


def test_exhausted_primary_limit_waits_until_the_reset() -> None:
    headers = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(NOW) + 30)}
    assert rate_limit_wait(403, headers, "API rate limit exceeded", now=NOW) == 31.0


def test_secondary_limit_without_headers_waits_a_minute() -> None:
    assert rate_limit_wait(403, {}, "You have exceeded a secondary rate limit", now=NOW) == 60.0


def test_a_plain_403_is_not_a_rate_limit() -> None:
    assert rate_limit_wait(403, {}, "Resource not accessible by integration", now=NOW) is None
    assert rate_limit_wait(502, {"Retry-After": "1"}, "", now=NOW) is None


def test_check_run_annotation_keeps_columns_only_on_one_line() -> None:
    one = Annotation(severity=Severity.ERROR, message="m", path="a.go", start_line=3, start_column=2)
    many = Annotation(
        severity=Severity.WARNING, message="m", path="a.go", start_line=3, end_line=5, start_column=2
    )
    assert check_run_annotation(one) == {
        "path": "a.go",
        "start_line": 3,
        "end_line": 3,
        "annotation_level": "failure",
        "message": "m",
        "start_column": 2,
        "end_column": 2,
    }
    assert "start_column" not in check_run_annotation(many)
    assert check_run_annotation(many)["annotation_level"] == "warning"


def test_check_run_annotation_fields_are_cut_to_githubs_limits() -> None:
    big = Annotation(severity=Severity.NOTICE, message="x" * 70_000, title="t" * 300, path="a", start_line=1)
    data = check_run_annotation(big)
    assert len(data["message"]) <= 65_535
    assert len(data["title"]) <= 255
