"""How probes touch the machine: files under ``ctx.root``, tools on ``ctx.env``'s PATH, ``go env``.

Nothing here judges; probes do. Every call is cheap (file reads, ``-dumpmachine``, one
``go env -json`` per context) and never raises for a missing file or tool.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from ..data_files import load_json
from ..errors import DataError
from .model import ProbeContext

TOOL_TIMEOUT_S = 10.0
# What the probes ask ``go env`` for. Named variables only: a bare ``go env -json`` also computes
# the cgo flags, which needs a usable build cache, and so fails exactly when GOCACHE is broken.
GO_ENV_KEYS = (
    "GOVERSION",
    "GOROOT",
    "GOHOSTOS",
    "GOHOSTARCH",
    "GOENV",
    "GOCACHE",
    "GOMODCACHE",
    "GOPATH",
    "GOFLAGS",
    "GOPROXY",
    "GOSUMDB",
    "GOPRIVATE",
    "GONOPROXY",
    "GONOSUMDB",
    "GOINSECURE",
    "GOWORK",
    "GOTOOLCHAIN",
)


@cache
def data() -> Mapping[str, Any]:
    """``data/probe.json``, checked for its invariants once per process."""
    from ..targets import known_goarch, known_goos

    table: dict[str, Any] = load_json("data", "probe.json")
    goos, goarch = set(known_goos()), set(known_goarch())
    for name in (*table["default_cc"]["clang"], *table["sdk_goos"], *table["triplet_os"]):
        if name not in goos:
            raise DataError(f"probe.json: unknown GOOS {name!r}")
    for name in (*table["triplet_arch"].values(), *table["debian_arch"]):
        if name not in goarch:
            raise DataError(f"probe.json: unknown GOARCH {name!r}")
    if not all(d.startswith("/") for d in table["host_dirs"]):
        raise DataError("probe.json: host_dirs must be absolute")
    if not all(isinstance(n, int) and n > 0 for n in table["syscalls"].values()):
        raise DataError("probe.json: syscall numbers must be positive integers")
    return table


def read_text(ctx: ProbeContext, path: str | Path) -> str | None:
    """A text file of the probed machine (``path`` is absolute there), or None if unreadable."""
    try:
        return ctx.path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def search_path(ctx: ProbeContext) -> str:
    return ctx.env.get("PATH") or os.defpath


def which(ctx: ProbeContext, name: str) -> str | None:
    """The executable ``name`` resolves to through ``ctx.env``'s PATH (or as given, with a slash)."""
    if "/" in name:
        candidate = Path(name) if Path(name).is_absolute() else ctx.module_dir / name
        return str(candidate) if candidate.is_file() and os.access(candidate, os.X_OK) else None
    return shutil.which(name, path=search_path(ctx))


@dataclass(frozen=True, kw_only=True)
class Ran:
    """A finished tool run; ``code`` is None when it could not start or timed out."""

    argv: tuple[str, ...]
    code: int | None
    out: str
    err: str

    @property
    def ok(self) -> bool:
        return self.code == 0


def run(
    ctx: ProbeContext,
    argv: Sequence[str],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = TOOL_TIMEOUT_S,
) -> Ran:
    """Run a tool with the probed environment; never raises. At ``timeout`` the tool and
    everything it started are killed (``process.run``), and ``err`` names what hung."""
    from .. import process

    done = process.run(argv, timeout=timeout, cwd=cwd, env=env if env is not None else ctx.env, nice=ctx.nice)
    if done.error is not None:
        return Ran(argv=tuple(argv), code=None, out="", err=done.error)
    if done.timed_out:
        hung = f": {done.hung[0]} did not return" if done.hung else ""
        return Ran(argv=tuple(argv), code=None, out="", err=f"timed out after {timeout:.0f}s{hung}")
    return Ran(
        argv=tuple(argv),
        code=done.returncode,
        out=done.stdout.decode("utf-8", "replace"),
        err=done.stderr.decode("utf-8", "replace"),
    )


def go_env(ctx: ProbeContext) -> Mapping[str, str]:
    """``go env -json`` (the ``GO_ENV_KEYS``) of the probed environment, once per context; empty
    when go cannot run.

    It runs outside the module and with GOTOOLCHAIN=local: inside a module whose go.mod asks
    for a newer Go, ``go`` would otherwise download that toolchain first (the toolchain probe
    works out what the build will do from the settings instead).
    """
    if ctx.go_env is not None:
        return ctx.go_env
    return _go_env_run(ctx)[0]


def _go_env_run(ctx: ProbeContext) -> tuple[Mapping[str, str], str]:
    """``go env -json`` once per context: the values (empty when it failed) and go's stderr."""

    def compute() -> tuple[Mapping[str, str], str]:
        env = {**ctx.env, "GOTOOLCHAIN": "local"}
        ran = run(ctx, [ctx.go, "env", "-json", *GO_ENV_KEYS], cwd=Path(os.sep), env=env)
        if not ran.ok:
            return {}, ran.err if ran.code is not None else ""
        try:
            parsed = json.loads(ran.out)
        except ValueError:
            return {}, ran.err
        values = {str(k): str(v) for k, v in parsed.items()} if isinstance(parsed, dict) else {}
        return values, ran.err

    loaded: tuple[Mapping[str, str], str] = ctx.cached("go_env", compute)
    return loaded


def go_env_error(ctx: ProbeContext) -> str | None:
    """Why ``go env`` gave nothing (None when it worked or was given)."""
    if go_env(ctx):
        return None
    found = which(ctx, ctx.go)
    return f"{ctx.go!r} is not on PATH" if found is None else f"'{ctx.go} env -json' failed"


def go_env_stderr(ctx: ProbeContext) -> str:
    """What go printed on stderr when ``go env -json`` failed (empty when it worked or never ran)."""
    if ctx.go_env is not None:
        return ""
    return _go_env_run(ctx)[1]


def _env_file(text: str | None) -> dict[str, str]:
    """A go/env file: KEY=VALUE lines, '#' comments."""
    values: dict[str, str] = {}
    for line in (text or "").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        values[key.strip()] = value.strip()
    return values


def _read_real(path: str) -> str | None:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def setting(ctx: ProbeContext, key: str) -> tuple[str | None, str]:
    """An explicitly set go configuration value and where it came from, the way cmd/go's
    ``cfg.Getenv`` looks: the environment, then the user's go/env file, then $GOROOT/go.env.
    Returns ``(None, "default")`` when nothing sets it."""
    value = ctx.env.get(key)
    if value:
        return value, "environment"
    genv = go_env(ctx)
    user_file = genv.get("GOENV")
    if user_file and user_file != "off":
        found = _env_file(_read_real(user_file)).get(key)
        if found:
            return found, f"go env file {user_file}"
    goroot = genv.get("GOROOT")
    if goroot:
        found = _env_file(_read_real(str(Path(goroot) / "go.env"))).get(key)
        if found:
            return found, f"{goroot}/go.env"
    return None, "default"


def host(ctx: ProbeContext) -> tuple[str | None, str | None]:
    """GOHOSTOS and GOHOSTARCH of the Go in use (None when go env is unavailable)."""
    genv = go_env(ctx)
    return genv.get("GOHOSTOS") or None, genv.get("GOHOSTARCH") or None


def repo_root(start: Path) -> Path | None:
    """The nearest directory upwards holding ``.git`` (a directory, or a file for worktrees)."""
    here = start.resolve()
    for directory in (here, *here.parents):
        if (directory / ".git").exists():
            return directory
    return None


def display_path(ctx: ProbeContext, path: Path) -> str:
    """``path`` relative to the repository root when inside it, else as given."""
    root = repo_root(ctx.module_dir)
    resolved = path.resolve()
    if root is not None and resolved.is_relative_to(root):
        return resolved.relative_to(root).as_posix()
    return str(path)
