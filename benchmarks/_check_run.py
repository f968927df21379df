"""One timed `gocross check` run for the check benchmarks (check_speed, target_scaling,
package_scaling): the real CLI in a subprocess, its JSON report written to a file and read back."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def timed_check(directory: Path, targets: Sequence[str], env: dict[str, str]) -> tuple[float, dict[str, Any]]:
    """Wall time of `gocross check DIR --targets ...` and its report; exits when gocross fails."""
    report = directory / "bench-report.json"
    argv = [
        sys.executable,
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
