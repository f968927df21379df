"""Helpers for the `gocross check` integration tests: copy a fixture module, run the real CLI,
read its JSON report."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.conftest import run_gocross

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def copy_fixture(name: str, into: Path) -> Path:
    """A private copy of a fixture module (builds write .gocross/ into the module)."""
    dest = into / name
    shutil.copytree(FIXTURES / name, dest)
    return dest


@dataclass(frozen=True)
class CheckRun:
    code: int
    report: dict[str, Any]
    stderr: str

    def target(self, name: str) -> dict[str, Any]:
        for row in self.report["targets"]:
            if row["target"] == name:
                return dict(row)
        raise AssertionError(f"no target {name} in {[t['target'] for t in self.report['targets']]}")

    def status(self, name: str) -> str:
        return str(self.target(name)["status"])

    def findings(self, target: str | None = None) -> list[dict[str, Any]]:
        return [f for f in self.report["findings"] if target is None or f["target"] == target]

    def top(self, target: str) -> dict[str, Any]:
        """The most important finding for a target (the report is ordered once, most important first)."""
        found = self.findings(target)
        assert found, f"no finding for {target}; findings: {self.report['findings']}"
        return found[0]

    def categories(self, target: str) -> list[str]:
        return [f["category"] for f in self.findings(target)]


def check(module: Path, *args: str, env: dict[str, str] | None = None) -> CheckRun:
    """``gocross check MODULE --format json ARGS`` as a subprocess; the report parsed."""
    done = run_gocross(["check", str(module), "--format", "json", *args], env=env)
    assert done.code in (0, 1), f"exit {done.code}\nstderr:\n{done.stderr}\nstdout:\n{done.stdout[:2000]}"
    return CheckRun(done.code, json.loads(done.stdout), done.stderr)
