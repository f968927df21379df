"""Leave the runner's files as the action found them.

- gocross's own folders (reports, logs, binaries) are recorded in the repository's
  ``.git/info/exclude`` before anything is built: ``go build`` stamps ``vcs.modified=true`` (and a
  ``+dirty`` version) when ``git status`` shows untracked files, and the exclude file changes no
  tracked file. The repository is found by walking up from the module to the workspace, without
  running git in it; an exclude file that resolves outside the workspace is left alone.
- Files the container's root creates in mounted folders are handed to the workspace's owner
  (``hand_over``), so later steps and a self-hosted runner's user can change and delete them.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

HEADER = "# gocross-action: its reports, logs and binaries (never committed)"
MAX_GIT_FILE_BYTES = 4096
MAX_EXCLUDE_BYTES = 1 << 20


def _inside(path: Path, root: Path) -> bool:
    try:
        return path.resolve().is_relative_to(root.resolve())
    except OSError:
        return False


def _read_small(path: Path, limit: int) -> str | None:
    try:
        with path.open("rb") as fh:
            data = fh.read(limit + 1)
    except OSError:
        return None
    return None if len(data) > limit else data.decode("utf-8", errors="replace")


def git_dir(module_dir: Path, workspace: Path) -> tuple[Path, Path] | None:
    """The work tree's top and its (common) git directory, searched from ``module_dir`` up to
    ``workspace``; None outside a repository or when the git directory lies outside the
    workspace."""
    here = module_dir.resolve()
    top = workspace.resolve()
    for folder in [here, *here.parents]:
        if not folder.is_relative_to(top):
            return None
        dot_git = folder / ".git"
        if dot_git.is_dir() and not dot_git.is_symlink():
            found = dot_git
        elif dot_git.is_file() and not dot_git.is_symlink():
            # A worktree or submodule: "gitdir: <path>", and for a worktree a commondir file.
            text = _read_small(dot_git, MAX_GIT_FILE_BYTES) or ""
            if not text.startswith("gitdir:"):
                return None
            found = (folder / text.removeprefix("gitdir:").strip()).resolve()
            common = _read_small(found / "commondir", MAX_GIT_FILE_BYTES)
            if common and common.strip():
                found = (found / common.strip()).resolve()
        else:
            if folder == top:
                return None
            continue
        return (folder, found) if _inside(found, top) else None
    return None


def exclude(module_dir: Path, workspace: Path, folders: Sequence[Path]) -> list[Path]:
    """Record ``folders`` (inside the work tree) in ``info/exclude``, anchored to the work tree's
    top; the files and folders this created (to hand over), empty when nothing was written."""
    found = git_dir(module_dir, workspace)
    if found is None:
        return []
    top, git = found
    relatives = []
    for folder in folders:
        try:
            relative = folder.resolve().relative_to(top)
        except (ValueError, OSError):
            continue
        if relative.parts:
            relatives.append(relative)
    # A folder inside another listed one needs no line of its own.
    patterns = [
        f"/{r.as_posix()}/" for r in relatives if not any(o != r and r.is_relative_to(o) for o in relatives)
    ]
    if not patterns:
        return []
    info = git / "info"
    path = info / "exclude"
    if path.is_symlink() or info.is_symlink() or not _inside(info.parent, workspace):
        return []
    existing = _read_small(path, MAX_EXCLUDE_BYTES) if path.exists() else ""
    if existing is None:
        return []
    have = {line.strip() for line in existing.splitlines()}
    missing = [p for p in dict.fromkeys(patterns) if p not in have]
    if not missing:
        return []
    created = [] if info.exists() else [info]
    if not path.exists():
        created.append(path)
    try:
        info.mkdir(exist_ok=True)
        with path.open("a", encoding="utf-8") as fh:
            if existing and not existing.endswith("\n"):
                fh.write("\n")
            if HEADER not in have:
                fh.write(HEADER + "\n")
            fh.write("".join(p + "\n" for p in missing))
    except OSError:
        return created
    return created or [path]


def git_files(module_dir: Path, workspace: Path) -> list[Path]:
    """The files directly in the repository's git folder (``index``, which ``git status`` under
    ``go build`` rewrites, ...), to hand back after the run."""
    found = git_dir(module_dir, workspace)
    if found is None:
        return []
    try:
        return [p for p in found[1].iterdir() if p.is_file() and not p.is_symlink()]
    except OSError:
        return []


def hand_over(paths: Iterable[Path], *, owner_of: Path, recursive: bool = True) -> None:
    """Give ``paths`` (folders recursively unless ``recursive`` is false, symlinks never followed)
    to the owner of ``owner_of``, when running as root and that owner is not root."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return
    try:
        owner = owner_of.stat()
    except OSError:
        return
    if owner.st_uid == 0 and owner.st_gid == 0:
        return
    for top in paths:
        if not top.exists() or top.is_symlink():
            continue
        for path in [top, *(top.rglob("*") if recursive and top.is_dir() else [])]:
            try:
                stat = path.lstat()
                if (stat.st_uid, stat.st_gid) != (owner.st_uid, owner.st_gid):
                    os.lchown(path, owner.st_uid, owner.st_gid)
            except OSError:
                continue
