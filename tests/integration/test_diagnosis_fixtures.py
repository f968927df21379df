"""Every module in tests/fixtures/diagnosis, built with the real `gocross check`: each target's
status and top category are the ones its expect.json names (a fixture fails for a real reason:
GOOS-suffixed files, //go:build lines, cgo-only libraries, an assembler older than the code, host
include paths, an invalid GOMIPS...)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from .checkrun import check

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "diagnosis"
NAMES = sorted(p.name for p in FIXTURES.iterdir() if (p / "expect.json").is_file())


def _binutils_version() -> tuple[int, ...] | None:
    try:
        out = subprocess.run(["as", "--version"], capture_output=True, text=True, timeout=30).stdout
    except OSError:
        return None
    m = re.search(r"(\d+)\.(\d+)", out.splitlines()[0] if out else "")
    return (int(m[1]), int(m[2])) if m else None


def _skip_unless_possible(requires: dict[str, Any]) -> None:
    for tool in requires.get("tools", ()):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed")
    below = requires.get("binutils_below")
    if below:
        have = _binutils_version()
        if have is None or have >= tuple(int(p) for p in below.split(".")):
            pytest.skip(f"needs an assembler older than binutils {below} (have {have})")


def _top_category(findings: list[dict[str, Any]], target: str) -> str | None:
    for finding in findings:
        if finding["target"] == target and finding["severity"] in ("error", "warning"):
            return str(finding["category"])
    return None


@pytest.mark.parametrize("name", NAMES)
def test_fixture_module_gets_its_expected_status_and_top_category(name: str, tmp_path: Path) -> None:
    expect = json.loads((FIXTURES / name / "expect.json").read_text(encoding="utf-8"))
    _skip_unless_possible(expect.get("requires") or {})
    module = tmp_path / name
    shutil.copytree(FIXTURES / name, module, ignore=shutil.ignore_patterns("expect.json"))
    for rel in expect.get("create_dirs") or ():
        (module / rel).mkdir(parents=True, exist_ok=True)
    run = check(module, env=expect.get("env") or {})
    got = {}
    for target, wanted in expect["targets"].items():
        got[target] = {"status": run.status(target), "category": _top_category(run.findings(), target)}
        if "rule" in wanted:  # the fact that decided it, not only its category
            got[target]["rule"] = run.top(target)["rule"]
    assert got == expect["targets"], json.dumps(run.findings(), indent=1)[:4000]
    # A fix already in place here is never the top fix.
    for target, wanted in expect["targets"].items():
        if wanted["status"] == "failed" and run.top(target)["fix"]:
            assert not run.top(target)["fix"]["summary"].startswith("Already in place here")
    # A target that built carries no build-failure error.
    for target, wanted in expect["targets"].items():
        if wanted["status"] == "passed":
            errors = [f for f in run.findings(target) if f["severity"] == "error"]
            assert not any(f["rule"].startswith("log.") for f in errors)


def test_fixture_set_covers_every_category_buildable_here() -> None:
    expects = [json.loads((FIXTURES / name / "expect.json").read_text(encoding="utf-8")) for name in NAMES]
    categories = {row["category"] for expect in expects for row in expect["targets"].values()}
    # seccomp-container-runtime, resources-oom, exec-format-error and binfmt-qemu need a container
    # runtime, a memory limit or a foreign machine: not reproducible by a plain `go build` here.
    assert len(NAMES) >= 25
    assert {
        "build-constraints",
        "cgo-required-but-disabled",
        "platform-api",
        "cgo-no-c-compiler",
        "cgo-wrong-compiler",
        "cgo-headers-libs",
        "windows-toolchain",
        "darwin-ios-android-toolchain",
        "unsupported-target",
        "go-version-toolchain",
        "module-proxy-sum",
        "gocache-home",
        "vcs-stamping",
        "static-linking",
        "glibc-version-mismatch",
        "libc-musl-glibc-mismatch",
        "other",
    } <= categories
