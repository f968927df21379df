"""GitHub's REST API for the action: check runs and the sticky PR comment. The only module that
imports PyGithub; nothing outside sees its objects.

Failure handling: 5xx and rate limits are retried with backoff, at most ``RetryPolicy.retries``
times and ``RetryPolicy.max_wait_s`` seconds of waiting per request (a longer wait raises
``Unavailable`` so the caller degrades). A retried write never duplicates: before repeating a
request the server may have carried out, the state is read back (the check run's annotation
count, the check runs of the commit, the PR's comments). 403/404 raise ``PermissionDenied``
naming the permission the workflow must grant.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import requests
from github import Auth, Github, GithubException

from .commands import Annotation, cut

T = TypeVar("T")

ANNOTATIONS_PER_REQUEST = 50
OUTPUT_TEXT_MAX = 65_535
COMMENT_MAX = 65_536
TITLE_MAX = 255
ANNOTATION_MESSAGE_MAX = 64 * 1024 - 1
ANNOTATION_TITLE_MAX = 255
ANNOTATION_RAW_DETAILS_MAX = 64 * 1024 - 1


class ApiError(Exception):
    """A request that did not succeed; the caller degrades to workflow commands and summary."""


class PermissionDenied(ApiError):
    def __init__(self, what: str, permission: str, status: int, message: str) -> None:
        self.permission = permission
        self.status = status
        super().__init__(
            f"cannot {what} (HTTP {status}: {message}); grant the workflow `permissions: {permission}`"
        )


class Unavailable(ApiError):
    """Retries exhausted, a wait longer than allowed, or an unexpected answer."""


@dataclass(frozen=True, kw_only=True)
class RetryPolicy:
    retries: int = 3
    max_wait_s: float = 60.0
    backoff_s: float = 2.0


@dataclass(frozen=True, kw_only=True)
class CheckRunResult:
    id: int
    url: str | None
    requests: int


def _header(headers: Any, name: str) -> str | None:
    for key, value in dict(headers or {}).items():
        if key.lower() == name:
            return str(value)
    return None


def rate_limit_wait(status: int, headers: Any, message: str, *, now: float) -> float | None:
    """Seconds to wait before retrying a rate-limited request; None when it was not rate-limited.
    Honors Retry-After (seconds or an HTTP date), then x-ratelimit-reset when nothing remains,
    else a minute (GitHub's advice for secondary limits)."""
    retry_after = _header(headers, "retry-after")
    remaining = _header(headers, "x-ratelimit-remaining")
    limited = status == 429 or retry_after is not None or remaining == "0" or "rate limit" in message.lower()
    if status not in (403, 429) or not limited:
        return None
    if retry_after is not None:
        try:
            return max(0.0, float(retry_after))
        except ValueError:
            try:
                return max(0.0, email.utils.parsedate_to_datetime(retry_after).timestamp() - now)
            except (TypeError, ValueError):
                return 60.0
    reset = _header(headers, "x-ratelimit-reset")
    if remaining == "0" and reset is not None:
        try:
            return max(0.0, float(reset) - now) + 1.0
        except ValueError:
            return 60.0
    return 60.0


def _message(exc: GithubException) -> str:
    data = exc.data
    if isinstance(data, dict) and data.get("message"):
        return str(data["message"])
    return str(exc.message or "no message")


class GithubApi:
    """Check runs and the sticky comment for one repository."""

    def __init__(
        self,
        *,
        token: str,
        repository: str,
        api_url: str = "https://api.github.com",
        policy: RetryPolicy = RetryPolicy(),
        sleep: Callable[[float], None] = time.sleep,
        seconds_between_writes: float = 0.25,
    ) -> None:
        # retry=None: PyGithub's own retry repeats PATCHes blindly; retries are ours, below.
        self._gh = Github(
            auth=Auth.Token(token),
            base_url=api_url,
            retry=None,
            timeout=30,
            seconds_between_requests=0,
            seconds_between_writes=seconds_between_writes,
            user_agent="gocross-action",
            lazy=True,
        )
        self._repo = self._gh.get_repo(repository, lazy=True)
        self._policy = policy
        self._sleep = sleep
        self.requests = 0

    # -- retry core ----------------------------------------------------------------------------
    def _call(
        self,
        fn: Callable[[], T],
        *,
        what: str,
        permission: str,
        done: Callable[[], T | None] | None = None,
    ) -> T:
        """Run one request with retries. ``done`` reads back whether a write that failed with a
        5xx or a broken connection was carried out after all (then it is not repeated)."""
        waited = 0.0
        attempt = 0
        while True:
            self.requests += 1
            maybe_applied = False
            try:
                return fn()
            except GithubException as exc:
                status = exc.status
                message = _message(exc)
                wait = rate_limit_wait(status, exc.headers, message, now=time.time())
                if wait is None and status in (401, 403, 404):
                    raise PermissionDenied(what, permission, status, message) from None
                if wait is None and status < 500:
                    raise Unavailable(f"cannot {what}: HTTP {status}: {message}") from None
                if wait is None:
                    wait = self._policy.backoff_s * (2**attempt)
                    maybe_applied = True
                reason = f"HTTP {status}"
            except requests.RequestException as exc:
                wait = self._policy.backoff_s * (2**attempt)
                maybe_applied = True
                reason = type(exc).__name__
            if attempt >= self._policy.retries:
                raise Unavailable(f"cannot {what}: {reason} after {attempt} retries") from None
            if waited + wait > self._policy.max_wait_s:
                raise Unavailable(
                    f"cannot {what}: {reason} and GitHub asks to wait {wait:.0f}s "
                    f"(more than {self._policy.max_wait_s:.0f}s per request)"
                ) from None
            self._sleep(wait)
            waited += wait
            attempt += 1
            if maybe_applied and done is not None:
                self.requests += 1
                try:
                    result = done()
                except (GithubException, requests.RequestException):
                    # Repeating a write that may have been carried out could duplicate it.
                    raise Unavailable(
                        f"cannot {what}: {reason}, and cannot tell whether it was done"
                    ) from None
                if result is not None:
                    return result

    # -- check runs ----------------------------------------------------------------------------
    def publish_check_run(
        self,
        *,
        name: str,
        head_sha: str,
        conclusion: str,
        title: str,
        summary: str,
        annotations: Sequence[Annotation],
        text: str = "",
        external_id: str,
        details_url: str | None = None,
    ) -> CheckRunResult:
        """Create a check run and append the rest of the annotations in PATCHes of 50, each
        re-sending title and summary; the request carrying the last batch completes it."""
        located = [a for a in annotations if a.path and a.start_line]
        batches = [
            located[i : i + ANNOTATIONS_PER_REQUEST] for i in range(0, len(located), ANNOTATIONS_PER_REQUEST)
        ] or [[]]
        output = {"title": cut(title, TITLE_MAX), "summary": cut(summary, OUTPUT_TEXT_MAX)}
        if text:
            output["text"] = cut(text, OUTPUT_TEXT_MAX)

        def final(index: int) -> dict[str, Any]:
            if index < len(batches) - 1:
                return {"status": "in_progress"}
            return {"status": "completed", "conclusion": conclusion}

        def create() -> Any:
            extra: dict[str, Any] = {**final(0), "details_url": details_url} if details_url else final(0)
            return self._repo.create_check_run(
                name=name,
                head_sha=head_sha,
                external_id=external_id,
                output={**output, "annotations": [check_run_annotation(a) for a in batches[0]]},
                **extra,
            )

        def created() -> Any:
            for run in self._repo.get_commit(head_sha).get_check_runs(check_name=name):
                if run.external_id == external_id:
                    return run
            return None

        run = self._call(create, what="create a check run", permission="checks: write", done=created)
        run_id = int(run.id)
        url = run.html_url
        sent = len(batches[0])
        for index, batch in enumerate(batches[1:], start=1):
            self._patch_annotations(run_id, output, batch, sent, final(index))
            sent += len(batch)
        return CheckRunResult(id=run_id, url=url, requests=self.requests)

    def _patch_annotations(
        self,
        run_id: int,
        output: dict[str, str],
        batch: Sequence[Annotation],
        already: int,
        state: dict[str, Any],
    ) -> None:
        run = self._repo.get_check_run(run_id)

        def patch() -> bool:
            run.edit(output={**output, "annotations": [check_run_annotation(a) for a in batch]}, **state)
            return True

        def complete() -> bool:
            run.edit(output=output, **state)
            return True

        def applied() -> bool | None:
            # The PATCH may have been carried out before the error: annotations would append twice.
            count = self._repo.get_check_run(run_id).output.annotations_count
            if count is not None and count >= already + len(batch):
                if state.get("status") == "completed":
                    # Complete it without the annotations; completing twice is harmless.
                    self._call(complete, **_WHAT_PATCH)
                return True
            return None

        self._call(patch, **_WHAT_PATCH, done=applied)

    # -- the sticky comment ---------------------------------------------------------------------
    def find_comment(self, number: int, marker: str) -> Any | None:
        """The sticky comment: the first whose body starts with ``marker``, a bot's preferred."""

        def find() -> Any | None:
            candidates = [
                c for c in self._repo.get_issue(number).get_comments() if (c.body or "").startswith(marker)
            ]
            bots = [c for c in candidates if getattr(c.user, "type", None) == "Bot"]
            return (bots or candidates)[0] if candidates else None

        return self._call(find, what="read the pull request's comments", permission="pull-requests: write")

    def upsert_comment(self, number: int, *, marker: str, body: str, create: bool) -> str | None:
        """Edit the sticky comment, or create it when ``create``; returns its URL (None when
        nothing was posted). ``body`` must start with ``marker``."""
        if not body.startswith(marker):
            raise ValueError("the comment body must start with its marker")
        body = cut(body, COMMENT_MAX)
        existing = self.find_comment(number, marker)
        if existing is not None:

            def edit() -> bool:
                existing.edit(body)
                return True

            self._call(
                edit,
                what="edit the pull request comment",
                permission="pull-requests: write",
            )
            return str(existing.html_url)
        if not create:
            return None
        comment = self._call(
            lambda: self._repo.get_issue(number).create_comment(body),
            what="comment on the pull request",
            permission="pull-requests: write",
            done=lambda: self.find_comment(number, marker),
        )
        return str(comment.html_url)


_WHAT_PATCH: dict[str, Any] = {"what": "update the check run", "permission": "checks: write"}


def check_run_annotation(annotation: Annotation) -> dict[str, Any]:
    """An annotation object within GitHub's field limits; columns only within one line."""
    start = annotation.start_line or 1
    data: dict[str, Any] = {
        "path": annotation.path,
        "start_line": start,
        "end_line": annotation.end_line or start,
        "annotation_level": annotation.severity.annotation_level,
        "message": cut(annotation.message, ANNOTATION_MESSAGE_MAX),
    }
    if annotation.title:
        data["title"] = cut(annotation.title, ANNOTATION_TITLE_MAX)
    if annotation.raw_details:
        data["raw_details"] = cut(annotation.raw_details, ANNOTATION_RAW_DETAILS_MAX)
    if annotation.same_line and annotation.start_column:
        data["start_column"] = annotation.start_column
        data["end_column"] = annotation.end_column or annotation.start_column
    return data
