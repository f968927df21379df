"""One timed `gocross check` run for the check benchmarks (check_speed, target_scaling,
package_scaling): the real CLI in a subprocess of the clean environment (``_installed.python``),
its JSON report written to a file and read back."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from _installed import as_installed, python


def check_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of the timed runs (gocross, and the go builds it is compared with): run as
    installed, the tests' shared Go build cache unless one is set, never as a GitHub Actions step."""
    env = dict(as_installed({**os.environ, **(extra or {})}))
    env.setdefault("GOCACHE", str(Path(tempfile.gettempdir()) / "gocross-test-gocache"))
    env.pop("GITHUB_ACTIONS", None)
    return env


def timed_check(directory: Path, targets: Sequence[str], env: dict[str, str]) -> tuple[float, dict[str, Any]]:
    """Wall time of `gocross check DIR --targets ...` and its report; exits when gocross fails."""
    report = directory / "bench-report.json"
    argv = [
        python(),
        "-m",
        "gocross_action.cli",
        "check",
        str(directory),
        "--targets",
        ",".join(targets),
    ]
    started = time.monotonic()
    proc = subprocess.run(
        [*argv, "--format", "json", "--output", str(report), "--fail-on", "never"],
        env=env,
        capture_output=True,
        text=True,
    )
    took = time.monotonic() - started
    if proc.returncode != 0:
        raise SystemExit(f"gocross check failed ({proc.returncode}):\n{proc.stderr}")
    data: dict[str, Any] = json.loads(report.read_text())
    return took, data
