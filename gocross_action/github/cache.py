"""Warm Go caches across jobs: the Go build and module caches live in one folder under the job's
home (``/github/home`` in a docker action, the runner's ``$RUNNER_TEMP/_github_home``), which an
``actions/cache`` step restores before the action and saves after it, keyed by the action's
``cache-key`` output.

Variables the workflow already set (``GOCACHE``, ``GOMODCACHE``, ``XDG_CONFIG_HOME``) are kept.
Go's own config and telemetry files (``$XDG_CONFIG_HOME/go``) go into the same folder, so nothing
else is left in the home; ``-modcacherw`` makes the module cache deletable by the runner's user.
"""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

# Inside HOME; the README's Caching section names the same path.
CACHE_DIR = PurePosixPath(".cache") / "gocross"
CONTAINER_HOME = "/github/home"
GO_VERSION_TIMEOUT_S = 60
GO_SUM_LIMIT = 64 * 1024 * 1024  # bytes of go.sum hashed into the cache key (repository content)


@dataclass(frozen=True, kw_only=True)
class GoCache:
    """Where the caches are, what the action sets for them, and the path ``actions/cache`` sees."""

    root: Path
    env: Mapping[str, str]
    runner_path: str


def plan(env: Mapping[str, str]) -> GoCache | None:
    """The cache folder for this job, or None without a HOME (then Go's defaults apply)."""
    home = env.get("HOME", "")
    if not home:
        return None
    root = Path(home) / CACHE_DIR
    wanted = {"GOCACHE": root / "go-build", "GOMODCACHE": root / "mod", "XDG_CONFIG_HOME": root / "config"}
    overrides = {name: str(path) for name, path in wanted.items() if not env.get(name)}
    flags = env.get("GOFLAGS", "").split()
    if "-modcacherw" not in flags:
        overrides["GOFLAGS"] = " ".join([*flags, "-modcacherw"])
    return GoCache(root=root, env=overrides, runner_path=runner_path(env, root))


def runner_path(env: Mapping[str, str], root: Path) -> str:
    """``root`` as steps outside the container see it: the runner mounts
    ``$RUNNER_TEMP/_github_home`` at ``/github/home``."""
    temp = env.get("RUNNER_TEMP", "")
    home = PurePosixPath(env.get("HOME", ""))
    if temp and str(home) == CONTAINER_HOME:
        try:
            inside = PurePosixPath(root.as_posix()).relative_to(home)
        except ValueError:
            return root.as_posix()
        return (PurePosixPath(temp) / "_github_home" / inside).as_posix()
    return root.as_posix()


def go_version(env: Mapping[str, str], cwd: Path) -> str:
    """``go env GOVERSION`` in the module (go.mod's toolchain line applies), or ``unknown``."""
    try:
        proc = subprocess.run(
            ["go", "env", "GOVERSION"],
            cwd=cwd,
            env=dict(env),
            capture_output=True,
            text=True,
            timeout=GO_VERSION_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    version = proc.stdout.strip()
    return version if proc.returncode == 0 and version else "unknown"


def _digest(parts: Iterable[str]) -> str:
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def cache_key(
    *, os_name: str, go: str, module_dir: Path, targets: Iterable[str], compilers: Iterable[str]
) -> str:
    """``gocross-<os>-<go version>-<go.sum digest>-<targets and cgo compilers digest>``: a new Go,
    a dependency change, or another target set or compiler gives a new cache entry."""
    from ..boundary.read import read_head
    from ..errors import InputError

    try:
        # Repository content: a regular file only, at most GO_SUM_LIMIT bytes hashed.
        go_sum = hashlib.sha256(
            read_head(module_dir / "go.sum", limit=GO_SUM_LIMIT, what="go.sum")
        ).hexdigest()
        go_sum = go_sum[:16]
    except InputError:
        go_sum = "nosum"
    matrix = _digest([*sorted(set(targets)), "--", *sorted(set(compilers))])
    return f"gocross-{os_name}-{go}-{go_sum}-{matrix}"


def report_facts(environment: Mapping[str, Mapping[str, object]]) -> tuple[str | None, list[str]]:
    """The Go version and the C compilers (CC) the builds of a check report used."""
    build = environment.get("build") or {}
    version = build.get("go_version")
    targets = build.get("targets")
    compilers = []
    if isinstance(targets, Mapping):
        for facts in targets.values():
            overrides = facts.get("env") if isinstance(facts, Mapping) else None
            if isinstance(overrides, Mapping) and overrides.get("CC"):
                compilers.append(str(overrides["CC"]))
    return (str(version) if version else None), compilers
