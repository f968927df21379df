"""Microsoft's SARIF multitool (npm @microsoft/sarif-multitool, installed by .ci/setup.d/20-sarif.sh)
finds no error in our SARIF, with GitHub's ingestion rules and the SARIF rules enabled."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from gocross_action.report import sarif
from tests.conftest import ROOT
from tests.sample_reports import SAMPLES, check_failed

# The linux package's own executable: the npm wrapper (bin.js) passes its arguments through a
# shell, which would split "Gh;Sarif" at the semicolon.
MULTITOOL = ROOT / ".cache/sarif/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"


def validate(files: list[Path], out: Path) -> list[dict[str, Any]]:
    if not MULTITOOL.is_file():
        pytest.skip(f"{MULTITOOL} is missing (.ci/setup.d/20-sarif.sh installs it)")
    proc = subprocess.run(
        [
            str(MULTITOOL),
            "validate",
            "--rule-kind",
            "Gh;Sarif",
            "--log",
            "ForceOverwrite",
            "--output",
            str(out),
            *map(str, files),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    results: list[dict[str, Any]] = json.loads(out.read_text(encoding="utf-8"))["runs"][0]["results"]
    return results


def test_multitool_reports_no_error_on_any_sample(tmp_path: Path) -> None:
    files = []
    for name, build in SAMPLES.items():
        path = tmp_path / f"{name}.sarif"
        path.write_text(sarif.render(build()), encoding="utf-8")
        files.append(path)
    results = validate(files, tmp_path / "validation.sarif")
    errors = [r for r in results if r.get("level", "warning") == "error"]
    assert errors == [], json.dumps(errors, indent=1)


def test_multitool_flags_a_rule_without_help(tmp_path: Path) -> None:
    """The check above can fail: GitHub requires help on every rule (GH2012)."""
    data = json.loads(sarif.render(check_failed()))
    del data["runs"][0]["tool"]["driver"]["rules"][0]["help"]
    path = tmp_path / "broken.sarif"
    path.write_text(json.dumps(data), encoding="utf-8")
    results = validate([path], tmp_path / "validation.sarif")
    assert any(r["ruleId"] == "GH2012" and r.get("level") == "error" for r in results)
