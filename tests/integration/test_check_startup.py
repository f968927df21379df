"""`gocross check` starts its first `go build` before anything the builds do not need (issue 14):
the time before it is added to every run, while the work that needs no build (probes, audit,
`go list`, the report's modules) runs beside the builds. With a config accepted before and the
port list cached, the first build starts before the YAML parser, the schema validator, hashlib,
the thread pools, the probes, the audit, the findings and the report are loaded."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, go_cache

NOT_BEFORE_THE_FIRST_BUILD = (
    "yaml",
    "jsonschema",
    "hashlib",
    "concurrent.futures",
    "platform",
    "logging",
    "elftools",
    "gocross_action.probe",
    "gocross_action.audit",
    "gocross_action.diagnose",
    "gocross_action.inspect",
    "gocross_action.report.model",
    "gocross_action.report.render",
    "gocross_action.findings",
    "gocross_action.matrix.cgo",
    "gocross_action.matrix.smoke",
    "gocross_action.matrix.filesets",
)

# The real CLI, as `python -m gocross_action.cli` runs it, except that the first build writes
# the names of the modules loaded so far and ends the process instead of running go build (the
# other build slots wait on the lock, so only one writes).
DRIVER = (
    "import os, runpy, sys, threading\n"
    "from gocross_action.matrix import build\n"
    "first = threading.Lock()\n"
    "def first_build(job, **kwargs):\n"
    "    first.acquire()\n"
    "    with open(os.environ['GOCROSS_TEST_MODULES'], 'w') as out:\n"
    "        out.write('\\n'.join(sorted(sys.modules)))\n"
    "    os._exit(0)\n"
    "build.run = first_build\n"
    "sys.argv[0] = 'gocross'\n"
    "runpy.run_module('gocross_action.cli', run_name='__main__', alter_sys=True)\n"
)


def _modules_at_the_first_build(module: Path, cache: Path) -> set[str]:
    listing = module.parent / "modules.txt"
    listing.unlink(missing_ok=True)
    python_path = os.pathsep.join(filter(None, (str(ROOT), os.environ.get("PYTHONPATH"))))
    env = {
        **os.environ,
        "PYTHONPATH": python_path,
        "GOCROSS_TEST_MODULES": str(listing),
        "XDG_CACHE_HOME": str(cache),
        "GOCACHE": go_cache(),
    }
    env.pop("GITHUB_ACTIONS", None)
    proc = subprocess.run(
        [sys.executable, "-c", DRIVER, "check", str(module), "--targets", "linux/amd64,windows/arm64"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    return set(listing.read_text(encoding="utf-8").split())


def test_the_first_build_starts_before_what_only_later_stages_use(tmp_path: Path) -> None:
    module = tmp_path / "hello"
    module.mkdir()
    (module / ".git").mkdir()
    (module / "go.mod").write_text("module example.com/hello\n\ngo 1.22\n")
    (module / "main.go").write_text('package main\n\nfunc main() { println("hello") }\n')
    (module / "gocross.yml").write_text('build:\n  ldflags: "-s -w"\ntargets: [linux/amd64]\n')
    cache = tmp_path / "user-cache"
    first = _modules_at_the_first_build(module, cache)
    assert "yaml" in first, "a config seen for the first time is parsed and validated"
    modules = _modules_at_the_first_build(module, cache)
    assert {"gocross_action.config", "gocross_action.matrix.plan"} <= modules
    loaded = sorted(
        m for m in modules if any(m == n or m.startswith(n + ".") for n in NOT_BEFORE_THE_FIRST_BUILD)
    )
    assert loaded == []
