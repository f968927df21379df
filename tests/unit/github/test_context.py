"""The event payload: the commit a check attaches to, the pull request, forks, repo paths."""

from __future__ import annotations

import json
from pathlib import Path

from gocross_action.github import context

HEAD = "a" * 40
MERGE = "b" * 40


def _payload(head_repo: str | None = "octo/hello") -> dict[str, object]:
    return {
        "number": 3,
        "pull_request": {
            "number": 3,
            "merge_commit_sha": MERGE,
            "head": {"sha": HEAD, "repo": {"full_name": head_repo} if head_repo else None},
            "base": {"sha": "c" * 40, "repo": {"full_name": "octo/hello"}},
        },
    }


def _load(tmp_path: Path, event: str, payload: object) -> context.GithubContext:
    path = tmp_path / "event.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    env = {
        "GITHUB_EVENT_NAME": event,
        "GITHUB_EVENT_PATH": str(path),
        "GITHUB_SHA": MERGE,
        "GITHUB_REPOSITORY": "octo/hello",
        "GITHUB_WORKSPACE": str(tmp_path),
    }
    return context.load(env)


def test_pull_request_check_attaches_to_the_head_sha_not_the_merge_commit(tmp_path: Path) -> None:
    ctx = _load(tmp_path, "pull_request", _payload())
    assert ctx.head_sha == HEAD
    assert ctx.pull_request is not None and ctx.pull_request.number == 3


def test_push_check_attaches_to_github_sha(tmp_path: Path) -> None:
    ctx = _load(tmp_path, "push", {"after": MERGE})
    assert ctx.head_sha == MERGE
    assert ctx.pull_request is None


def test_pull_request_from_another_repository_is_a_fork(tmp_path: Path) -> None:
    assert _load(tmp_path, "pull_request", _payload("someone/hello")).pull_request.fork  # type: ignore[union-attr]
    assert _load(tmp_path, "pull_request", _payload(None)).pull_request.fork  # type: ignore[union-attr]
    assert not _load(tmp_path, "pull_request", _payload()).pull_request.fork  # type: ignore[union-attr]


def test_repo_path_is_relative_to_the_repository_root_from_a_subfolder(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "main.go").write_text("package main\n", encoding="utf-8")
    assert context.repo_path("main.go", workspace=tmp_path, working_directory="app") == "app/main.go"
    assert context.repo_path("./main.go", workspace=tmp_path, working_directory="app") == "app/main.go"
    absolute = str(tmp_path / "app" / "main.go")
    assert context.repo_path(absolute, workspace=tmp_path, working_directory="app") == "app/main.go"


def test_repo_path_outside_the_workspace_is_none(tmp_path: Path) -> None:
    assert context.repo_path("/usr/lib/go/src/os/file.go", workspace=tmp_path) is None
    assert context.repo_path("../../etc/passwd", workspace=tmp_path, working_directory="app") is None


def test_pull_request_target_with_the_prs_code_checked_out_warns(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "HEAD").write_text(HEAD + "\n", encoding="utf-8")
    ctx = _load(tmp_path, "pull_request_target", _payload("someone/hello"))
    warning = ctx.pull_request_target_warning()
    assert warning is not None and "pull_request_target" in warning


def test_pull_request_target_with_the_base_checked_out_does_not_warn(tmp_path: Path) -> None:
    (tmp_path / ".git" / "refs" / "heads").mkdir(parents=True)
    (tmp_path / ".git" / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    (tmp_path / ".git" / "refs" / "heads" / "main").write_text("c" * 40 + "\n", encoding="utf-8")
    ctx = _load(tmp_path, "pull_request_target", _payload("someone/hello"))
    assert context.checked_out_sha(tmp_path) == "c" * 40
    assert ctx.pull_request_target_warning() is None
