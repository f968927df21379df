"""The fixture modules that import real cgo libraries: their modules come through the Go module
proxy once (pinned by each fixture's go.mod and go.sum), then from the module cache."""

from __future__ import annotations

import os
import subprocess
from functools import cache
from pathlib import Path

import pytest

from tests.conftest import go_cache

from .checkrun import FIXTURES

DOWNLOAD_TIMEOUT_S = 600


@cache
def _download(name: str) -> str | None:
    """None when the fixture's modules are in the module cache (downloaded if need be), else why not."""
    env = {**os.environ, "GOCACHE": go_cache(), "GOFLAGS": "-mod=mod"}
    try:
        proc = subprocess.run(
            ["go", "mod", "download"],
            cwd=FIXTURES / name,
            env=env,
            capture_output=True,
            text=True,
            timeout=DOWNLOAD_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return f"downloading the modules of {name} took over {DOWNLOAD_TIMEOUT_S}s"
    if proc.returncode != 0:
        lines = proc.stderr.strip().splitlines() or ["go mod download failed"]
        return f"the Go module proxy cannot be reached for {name}: {lines[-1]}"
    return None


def require_modules(name: str) -> Path:
    """The fixture's directory, once its modules are in the module cache; the test is skipped
    (saying why) when they cannot be downloaded."""
    reason = _download(name)
    if reason is not None:
        pytest.skip(reason)
    return FIXTURES / name
