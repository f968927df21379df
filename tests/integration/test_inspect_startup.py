"""`gocross inspect` starts without what it does not use (issue 14): on a release-sized set of
binaries its start-up is most of its time, so a module that creeps back onto its path costs every
call. Without a config file nothing of the config schema is loaded, no other command, no renderer
but the chosen one, nothing that writes files; with one, the config is read and applied."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.integration import inspect_binaries as bins

# Loaded by the commands or formats that need them, never by `inspect --format json` to stdout.
NOT_FOR_INSPECT = (
    "yaml",
    "jsonschema",
    "elftools",
    "gocross_action.config_schema",
    "gocross_action.boundary.paths",
    "gocross_action.boundary.text",
    "gocross_action.cdeps",
    "gocross_action.commands.check",
    "gocross_action.commands.diagnose",
    "gocross_action.diagnose",
    "gocross_action.probe",
    "gocross_action.github",
    "gocross_action.report.text",
    "gocross_action.report.markdown",
    "gocross_action.report.sarif",
)


# The real CLI run as `python -m gocross_action.cli` does, which writes the names of the modules
# loaded when it exits (`-X importtime` misses those imported through importlib).
DRIVER = (
    "import atexit, os, runpy, sys\n"
    "def dump():\n"
    "    with open(os.environ['GOCROSS_TEST_MODULES'], 'w') as out:\n"
    "        out.write('\\n'.join(sorted(sys.modules)))\n"
    "atexit.register(dump)\n"
    "sys.argv[0] = 'gocross'\n"
    "runpy.run_module('gocross_action.cli', run_name='__main__', alter_sys=True)\n"
)


def _inspect_loading(args: list[str], cwd: Path) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run ``gocross inspect ARGS`` in a subprocess; its result and every module it loaded."""
    listing = cwd / "modules.txt"
    python_path = os.pathsep.join(filter(None, (str(ROOT), os.environ.get("PYTHONPATH"))))
    env = {**os.environ, "PYTHONPATH": python_path, "GOCROSS_TEST_MODULES": str(listing)}
    env.pop("GITHUB_ACTIONS", None)
    proc = subprocess.run(
        [sys.executable, "-c", DRIVER, "inspect", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return proc, set(listing.read_text(encoding="utf-8").split())


def _binaries() -> list[str]:
    built = bins.pure()
    found = [built["linux/amd64"].path, built["windows/arm64"].path, built["darwin/arm64"].path]
    glibc = bins.cgo("glibc-amd64")
    return [str(p) for p in (*found, *([glibc] if glibc else []))]


def test_inspect_to_stdout_loads_no_config_schema_other_command_or_renderer(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()  # the repository root: the config search stops here
    proc, modules = _inspect_loading(["--format", "json", *_binaries()], tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    report = json.loads(proc.stdout)
    assert [b["format"] for b in report["binaries"]][:3] == ["elf", "pe", "macho"]
    assert {"gocross_action.inspect.elf", "gocross_action.report.jsonfmt"} <= modules
    loaded = sorted(m for m in modules if any(m == n or m.startswith(n + ".") for n in NOT_FOR_INSPECT))
    assert loaded == []


def test_a_config_file_found_is_still_read_and_applied(tmp_path: Path) -> None:
    glibc = bins.cgo("glibc-amd64")
    if glibc is None:
        pytest.skip("gcc is not installed")
    (tmp_path / ".git").mkdir()
    (tmp_path / "gocross.yml").write_text("glibc-max: '2.2'\nfail-on: never\n", encoding="utf-8")
    proc, modules = _inspect_loading(["--format", "json", str(glibc)], tmp_path)
    assert proc.returncode == 0, proc.stderr  # fail-on: never, from the config
    report = json.loads(proc.stdout)
    assert [f["rule"] for f in report["findings"]] == ["artifact.glibc-too-new"]
    assert "gocross_action.config_schema" in modules
