"""Find and read the repository files the audit looks at, bounded: the repository is written by
whoever opened the pull request, so only regular files inside it are read (a symlink that leaves
it is skipped), each up to a size cap, and the walk stops after a fixed number of directories."""

from __future__ import annotations

import fnmatch
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

MAX_BYTES = 512 * 1024  # a Dockerfile or workflow larger than this is not a real one
MAX_DIRS = 5000
MAX_FILES = 200  # of each kind
# Directories never walked: VCS data, dependencies, Go's own "ignore me" folder, build output.
SKIP_DIRS = frozenset({".git", "node_modules", "vendor", "testdata", ".gocross", "__pycache__"})
DOCKERFILE_PATTERNS = ("Dockerfile", "*.Dockerfile", "Dockerfile.*", "Containerfile", "*.dockerfile")
BAKE_NAMES = ("docker-bake.hcl", "docker-bake.override.hcl")
COMPOSE_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml")


@dataclass(kw_only=True)
class Repository:
    """The repository root, and the notes about files that were skipped (reported, never fatal)."""

    root: Path
    skipped: list[str] = field(default_factory=list)

    def relative(self, path: Path) -> str:
        """``path`` relative to the root, with forward slashes (the form annotations use)."""
        try:
            return PurePosixPath(*path.relative_to(self.root).parts).as_posix()
        except ValueError:
            return str(path)

    def inside(self, path: Path) -> Path | None:
        """The real path of ``path`` when it resolves inside the repository, else None."""
        try:
            real = path.resolve()
        except (OSError, RuntimeError):
            return None
        return real if real == self.root or real.is_relative_to(self.root) else None

    def read(self, path: Path) -> str | None:
        """The text of a regular file inside the repository, or None (with a note) when it is
        missing, not a regular file, outside the repository or larger than ``MAX_BYTES``."""
        shown = self.relative(path)
        real = self.inside(path)
        if real is None:
            if os.path.lexists(path):
                self.skipped.append(f"{shown}: a symlink leaving the repository")
            return None
        try:
            info = real.stat()
        except OSError:
            return None
        if not stat.S_ISREG(info.st_mode):
            self.skipped.append(f"{shown}: not a regular file")
            return None
        if info.st_size > MAX_BYTES:
            self.skipped.append(f"{shown}: {info.st_size} bytes, over the {MAX_BYTES}-byte limit")
            return None
        try:
            fd = os.open(real, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        except OSError:
            return None
        with os.fdopen(fd, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            self.skipped.append(f"{shown}: over the {MAX_BYTES}-byte limit")
            return None
        return data.decode("utf-8", errors="replace")

    def exists(self, relative: str) -> bool:
        """Whether ``relative`` names something inside the repository (never following a symlink
        out of it)."""
        path = self.root / relative
        return os.path.lexists(path) and self.inside(path) is not None


def walk(repo: Repository) -> Iterator[Path]:
    """Every file path under the root, skipping ``SKIP_DIRS``, hidden directories other than
    ``.github``, and symlinked directories; at most ``MAX_DIRS`` directories."""
    for seen, (directory, dirs, names) in enumerate(os.walk(repo.root, followlinks=False), start=1):
        if seen > MAX_DIRS:
            repo.skipped.append(f"more than {MAX_DIRS} directories: the rest were not searched")
            return
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and (not d.startswith(".") or d == ".github"))
        for name in sorted(names):
            yield Path(directory) / name


def is_dockerfile(name: str) -> bool:
    if name.endswith(".dockerignore"):  # BuildKit's per-Dockerfile ignore file
        return False
    return any(fnmatch.fnmatchcase(name, p) for p in DOCKERFILE_PATTERNS)


@dataclass(frozen=True, kw_only=True)
class Found:
    dockerfiles: tuple[Path, ...]
    workflows: tuple[Path, ...]
    bake: tuple[Path, ...]
    compose: tuple[Path, ...]


def discover(repo: Repository) -> Found:
    """The Dockerfiles, workflow files, bake and compose files of the repository."""
    dockerfiles: list[Path] = []
    bake: list[Path] = []
    compose: list[Path] = []
    for path in walk(repo):
        if is_dockerfile(path.name) and len(dockerfiles) < MAX_FILES:
            dockerfiles.append(path)
        elif path.name in BAKE_NAMES and len(bake) < MAX_FILES:
            bake.append(path)
        elif path.name in COMPOSE_NAMES and len(compose) < MAX_FILES:
            compose.append(path)
    workflow_dir = repo.root / ".github" / "workflows"
    workflows: list[Path] = []
    if repo.inside(workflow_dir) is not None and workflow_dir.is_dir():
        workflows = sorted(
            p for p in workflow_dir.iterdir() if p.suffix in (".yml", ".yaml") and not p.name.startswith(".")
        )[:MAX_FILES]
    return Found(
        dockerfiles=tuple(dockerfiles), workflows=tuple(workflows), bake=tuple(bake), compose=tuple(compose)
    )
