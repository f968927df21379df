"""Shared fixtures: paths, the shared Go build cache, and the real CLI as a subprocess."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus" / "logs"


def go_cache() -> str:
    """One GOCACHE for the whole run (scripts/test sets it; a default keeps ad-hoc runs fast)."""
    return os.environ.get("GOCACHE") or str(Path(os.environ.get("TMPDIR", "/tmp")) / "gocross-test-gocache")


@dataclass(frozen=True)
class Completed:
    code: int
    stdout: str
    stderr: str


def run_gocross(
    args: Sequence[str],
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
) -> Completed:
    """Run the real CLI in a subprocess, as a user would."""
    full_env = {**os.environ, "GOCACHE": go_cache(), "NO_COLOR": "1"}
    full_env.pop("GITHUB_ACTIONS", None)
    if env:
        full_env.update(env)
    proc = subprocess.run(
        [sys.executable, "-m", "gocross_action.cli", *args],
        cwd=cwd,
        env=full_env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=900,
    )
    return Completed(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def gocross() -> object:
    return run_gocross


def require_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (.ci/run installs it)")
    return path


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite the renderers' golden files (tests/unit/golden) instead of comparing with them",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))
