"""zig as a C compiler that targets an older glibc (``zig cc -target x86_64-linux-gnu.2.31``):
found on PATH or in gocross's cache directory, and provisioned there from PyPI's ``ziglang``
wheel (with pip) when ``--verify-fixes`` needs it and it is missing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

PROVISION_TIMEOUT_S = 900


def cache_dir(env: Mapping[str, str]) -> Path:
    """``$GOCROSS_CACHE``, else ``$XDG_CACHE_HOME/gocross``, else ``~/.cache/gocross``."""
    if env.get("GOCROSS_CACHE"):
        return Path(env["GOCROSS_CACHE"])
    base = env.get("XDG_CACHE_HOME") or str(Path(env.get("HOME") or Path.home()) / ".cache")
    return Path(base) / "gocross"


def _cached(env: Mapping[str, str]) -> Path:
    return cache_dir(env) / "ziglang" / "ziglang" / "zig"


def find(env: Mapping[str, str]) -> str | None:
    """The zig binary on PATH, else the one in the cache."""
    found = shutil.which("zig", path=env.get("PATH"))
    if found:
        return found
    cached = _cached(env)
    return str(cached) if cached.is_file() and os.access(cached, os.X_OK) else None


def provision(env: Mapping[str, str]) -> str | None:
    """zig, installed from PyPI's ``ziglang`` into the cache when it is nowhere (None on failure)."""
    found = find(env)
    if found:
        return found
    target = _cached(env).parent.parent
    target.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    argv += ["--target", str(target), "ziglang"]
    try:
        subprocess.run(
            argv,
            env=dict(env),
            capture_output=True,
            timeout=PROVISION_TIMEOUT_S,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return find(env)


def with_zig(cc: str, env: Mapping[str, str]) -> str | None:
    """``cc`` ("zig cc ...") with zig's absolute path, provisioning zig if need be."""
    if not cc.startswith("zig "):
        return cc
    zig = provision(env)
    return f"{zig} {cc.removeprefix('zig ')}" if zig else None
