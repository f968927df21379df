"""What the run is about, from GITHUB_* variables and the event payload: repository, the commit a
check run belongs to, the pull request, whether it comes from a fork, and repository-relative
paths for annotations (the action may run in a subfolder: ``working-directory``)."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from ..errors import InputError

PULL_REQUEST_EVENTS = (
    "pull_request",
    "pull_request_target",
    "pull_request_review",
    "pull_request_review_comment",
)


@dataclass(frozen=True, kw_only=True)
class PullRequest:
    number: int
    head_sha: str
    merge_sha: str | None = None
    fork: bool = False


@dataclass(frozen=True, kw_only=True)
class GithubContext:
    event_name: str
    repository: str
    sha: str
    workspace: Path
    api_url: str = "https://api.github.com"
    server_url: str = "https://github.com"
    run_id: str = ""
    run_attempt: str = "1"
    job: str = ""
    pull_request: PullRequest | None = None
    payload: Mapping[str, Any] = field(default_factory=dict)

    @property
    def head_sha(self) -> str:
        """The commit a check run attaches to: on pull requests the PR's head, not the test merge
        commit GITHUB_SHA names (nor, on pull_request_target, the base branch's head)."""
        return self.pull_request.head_sha if self.pull_request else self.sha

    @property
    def run_url(self) -> str | None:
        if not self.run_id:
            return None
        return f"{self.server_url}/{self.repository}/actions/runs/{self.run_id}"

    def repo_path(self, path: str, *, working_directory: str = ".") -> str | None:
        """``path`` (absolute, or relative to ``working_directory``) relative to the repository
        root, with forward slashes; None when it lies outside the workspace."""
        return repo_path(path, workspace=self.workspace, working_directory=working_directory)

    def pull_request_target_warning(self) -> str | None:
        """A warning when a pull_request_target run has the PR's own code checked out: such a run
        holds a write token and secrets, and building the PR's code hands them to its author."""
        if self.event_name != "pull_request_target" or self.pull_request is None:
            return None
        head = checked_out_sha(self.workspace)
        pr = self.pull_request
        if head is None or head not in {pr.head_sha, pr.merge_sha}:
            return None
        return (
            "this pull_request_target run has the pull request's code checked out: it runs with a write "
            "token and secrets, so building untrusted code here exposes them. Use the pull_request event, "
            "and a workflow_run workflow to comment on fork pull requests."
        )


def load(env: Mapping[str, str]) -> GithubContext:
    """The context from a runner's environment (GITHUB_EVENT_PATH read when it exists)."""
    payload: dict[str, Any] = {}
    event_path = env.get("GITHUB_EVENT_PATH")
    if event_path and Path(event_path).is_file():
        try:
            payload = json.loads(Path(event_path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError(f"cannot read the event payload {event_path}: {exc}") from None
    event_name = env.get("GITHUB_EVENT_NAME", "")
    return GithubContext(
        event_name=event_name,
        repository=env.get("GITHUB_REPOSITORY", ""),
        sha=env.get("GITHUB_SHA", ""),
        workspace=Path(env.get("GITHUB_WORKSPACE") or Path.cwd()),
        api_url=(env.get("GITHUB_API_URL") or "https://api.github.com").rstrip("/"),
        server_url=(env.get("GITHUB_SERVER_URL") or "https://github.com").rstrip("/"),
        run_id=env.get("GITHUB_RUN_ID", ""),
        run_attempt=env.get("GITHUB_RUN_ATTEMPT", "1"),
        job=env.get("GITHUB_JOB", ""),
        pull_request=pull_request(event_name, payload),
        payload=payload,
    )


def pull_request(event_name: str, payload: Mapping[str, Any]) -> PullRequest | None:
    """The pull request an event is about, if any. On workflow_run, GitHub lists the run's pull
    requests only when they come from the same repository."""
    if event_name == "workflow_run":
        run = payload.get("workflow_run") or {}
        prs = run.get("pull_requests") or []
        if not prs:
            return None
        return PullRequest(number=int(prs[0]["number"]), head_sha=str(run.get("head_sha") or ""))
    pr = payload.get("pull_request")
    if event_name not in PULL_REQUEST_EVENTS or not isinstance(pr, Mapping):
        return None
    head = pr.get("head") or {}
    base = pr.get("base") or {}
    head_repo = (head.get("repo") or {}).get("full_name")
    base_repo = (base.get("repo") or {}).get("full_name")
    # A deleted fork leaves head.repo null: it was a fork all the same.
    fork = head_repo is None or (base_repo is not None and head_repo != base_repo)
    return PullRequest(
        number=int(pr.get("number") or payload.get("number") or 0),
        head_sha=str(head.get("sha") or ""),
        merge_sha=pr.get("merge_commit_sha"),
        fork=fork,
    )


def repo_path(path: str, *, workspace: Path, working_directory: str = ".") -> str | None:
    """See ``GithubContext.repo_path``. A relative path is taken relative to the working
    directory (where go reports it from) unless only the repository root holds it."""
    root = Path(os.path.normpath(workspace))
    candidate = Path(path)
    if not candidate.is_absolute():
        in_wd = Path(os.path.normpath(root / working_directory / candidate))
        in_root = Path(os.path.normpath(root / candidate))
        candidate = in_root if in_root.exists() and not in_wd.exists() else in_wd
    candidate = Path(os.path.normpath(candidate))
    try:
        relative = candidate.relative_to(root)
    except ValueError:
        return None
    text = PurePosixPath(*relative.parts).as_posix()
    return None if text in ("", ".") else text


def checked_out_sha(workspace: Path) -> str | None:
    """The commit checked out in ``workspace``, read from .git without running git (which would
    refuse a workspace owned by another user)."""
    git = workspace / ".git"
    try:
        head = (git / "HEAD").read_text(encoding="utf-8").strip()
    except OSError:
        return None
    if not head.startswith("ref: "):
        return head or None
    ref = head[5:].strip()
    try:
        return (git / ref).read_text(encoding="utf-8").strip()
    except OSError:
        pass
    try:
        packed = (git / "packed-refs").read_text(encoding="utf-8")
    except OSError:
        return None
    for line in packed.splitlines():
        sha, _, name = line.partition(" ")
        if name == ref:
            return sha
    return None
