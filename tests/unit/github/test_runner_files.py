"""What the Action leaves on the runner: the Go cache folder and its key (github/cache.py), the
git exclude entries that keep gocross's folders out of `git status` (github/workspace.py)."""

from __future__ import annotations

from pathlib import Path

from gocross_action.github import cache, workspace


def _key(module: Path, **changes: object) -> str:
    args: dict[str, object] = {
        "os_name": "linux",
        "go": "go1.26.8",
        "module_dir": module,
        "targets": ["linux/amd64", "linux/arm64"],
        "compilers": ["aarch64-linux-gnu-gcc"],
    }
    args.update(changes)
    return cache.cache_key(**args)  # type: ignore[arg-type]


def test_the_caches_go_under_the_job_home_and_the_runner_sees_them_under_its_temp_folder() -> None:
    plan = cache.plan({"HOME": "/github/home", "RUNNER_TEMP": "/home/runner/work/_temp"})
    assert plan is not None
    assert plan.env["GOCACHE"] == "/github/home/.cache/gocross/go-build"
    assert plan.env["GOMODCACHE"] == "/github/home/.cache/gocross/mod"
    assert plan.env["XDG_CONFIG_HOME"] == "/github/home/.cache/gocross/config"
    assert plan.env["GOFLAGS"] == "-modcacherw"
    assert plan.runner_path == "/home/runner/work/_temp/_github_home/.cache/gocross"


def test_cache_variables_the_workflow_set_are_kept() -> None:
    plan = cache.plan({"HOME": "/home/me", "GOCACHE": "/mine", "GOFLAGS": "-mod=mod -modcacherw"})
    assert plan is not None
    assert "GOCACHE" not in plan.env and "GOFLAGS" not in plan.env
    assert plan.env["GOMODCACHE"] == "/home/me/.cache/gocross/mod"
    assert plan.runner_path == "/home/me/.cache/gocross", "outside a container the path is the same"


def test_other_go_flags_are_kept_when_modcacherw_is_added() -> None:
    plan = cache.plan({"HOME": "/h", "GOFLAGS": "-mod=mod"})
    assert plan is not None and plan.env["GOFLAGS"] == "-mod=mod -modcacherw"


def test_no_home_means_no_cache_plan() -> None:
    assert cache.plan({}) is None


def test_the_cache_key_changes_with_go_go_sum_targets_and_compilers(tmp_path: Path) -> None:
    (tmp_path / "go.sum").write_text("example.com/a v1.0.0 h1:x=\n", encoding="utf-8")
    first = _key(tmp_path)
    assert first.startswith("gocross-linux-go1.26.8-")
    assert _key(tmp_path) == first, "the same inputs give the same key"
    assert _key(tmp_path, targets=["linux/arm64", "linux/amd64"]) == first, "order does not matter"
    others = {
        _key(tmp_path, go="go1.26.9"),
        _key(tmp_path, targets=["linux/amd64"]),
        _key(tmp_path, compilers=["zig cc -target aarch64-linux-gnu"]),
    }
    (tmp_path / "go.sum").write_text("example.com/a v1.1.0 h1:y=\n", encoding="utf-8")
    others.add(_key(tmp_path))
    assert first not in others and len(others) == 4


def test_a_module_without_go_sum_has_a_key_too(tmp_path: Path) -> None:
    assert "-nosum-" in _key(tmp_path)


def test_the_compilers_of_a_check_report_feed_the_key() -> None:
    environment = {
        "build": {
            "go_version": "go1.26.8",
            "targets": {
                "linux/arm64": {"command": "go build", "env": {"CC": "aarch64-linux-gnu-gcc"}},
                "linux/amd64": {"command": "go build", "env": {}},
            },
        }
    }
    assert cache.report_facts(environment) == ("go1.26.8", ["aarch64-linux-gnu-gcc"])
    assert cache.report_facts({}) == (None, [])


def _repo(root: Path) -> Path:
    (root / ".git" / "info").mkdir(parents=True)
    module = root / "app"
    module.mkdir()
    return module


def test_gocross_folders_are_recorded_once_in_info_exclude(tmp_path: Path) -> None:
    module = _repo(tmp_path)
    exclude = tmp_path / ".git" / "info" / "exclude"
    exclude.write_text("# the user's own\n*.swp", encoding="utf-8")
    folders = [module / ".gocross", module / ".gocross" / "dist", module / "bin"]
    assert workspace.exclude(module, tmp_path, folders) == [exclude]
    lines = exclude.read_text(encoding="utf-8").splitlines()
    assert lines[:2] == ["# the user's own", "*.swp"], "what was there is kept"
    assert lines[2:] == [workspace.HEADER, "/app/.gocross/", "/app/bin/"]
    assert workspace.exclude(module, tmp_path, folders) == [], "a second run adds nothing"


def test_a_missing_info_folder_is_created_and_reported_for_hand_over(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    created = workspace.exclude(tmp_path, tmp_path, [tmp_path / ".gocross"])
    assert created == [tmp_path / ".git" / "info", tmp_path / ".git" / "info" / "exclude"]
    assert (tmp_path / ".git" / "info" / "exclude").read_text(encoding="utf-8").endswith("/.gocross/\n")


def test_a_worktree_records_in_the_common_git_folder(tmp_path: Path) -> None:
    main = tmp_path / "main"
    (main / ".git" / "worktrees" / "wt").mkdir(parents=True)
    (main / ".git" / "worktrees" / "wt" / "commondir").write_text("../..\n", encoding="utf-8")
    tree = tmp_path / "wt"
    tree.mkdir()
    (tree / ".git").write_text(f"gitdir: {main / '.git' / 'worktrees' / 'wt'}\n", encoding="utf-8")
    workspace.exclude(tree, tmp_path, [tree / ".gocross"])
    assert "/.gocross/" in (main / ".git" / "info" / "exclude").read_text(encoding="utf-8")


def test_a_git_folder_outside_the_workspace_is_never_written(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    (outside / "info").mkdir(parents=True)
    checkout = tmp_path / "ws"
    checkout.mkdir()
    (checkout / ".git").write_text(f"gitdir: {outside}\n", encoding="utf-8")
    assert workspace.exclude(checkout, checkout, [checkout / ".gocross"]) == []
    (checkout / ".git").unlink()
    (checkout / ".git").symlink_to(outside)
    assert workspace.exclude(checkout, checkout, [checkout / ".gocross"]) == []
    assert not (outside / "info" / "exclude").exists()


def test_a_symlinked_exclude_file_is_left_alone(tmp_path: Path) -> None:
    module = _repo(tmp_path)
    target = tmp_path / "elsewhere"
    target.write_text("", encoding="utf-8")
    (tmp_path / ".git" / "info" / "exclude").symlink_to(target)
    assert workspace.exclude(module, tmp_path, [module / ".gocross"]) == []
    assert target.read_text(encoding="utf-8") == ""


def test_outside_a_repository_nothing_is_written(tmp_path: Path) -> None:
    assert workspace.exclude(tmp_path, tmp_path, [tmp_path / ".gocross"]) == []
    assert list(tmp_path.iterdir()) == []
