"""`gocross diagnose` and `gocross rules` as a user runs them, on real `go build` failures."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import CORPUS, go_cache, require_tool, run_gocross

PLATFORM_API_MAIN = """\
package main

import (
\t"fmt"
\t"os"
\t"syscall"
)

func main() {
\tinfo, _ := os.Stat(".")
\tfmt.Println(info.Sys().(*syscall.Stat_t).Uid)
}
"""

CGO_MAIN = """\
package main

// int answer(void) { return 42; }
import "C"

import "fmt"

func main() { fmt.Println(C.answer()) }
"""


def _module(tmp_path: Path, source: str) -> Path:
    (tmp_path / "go.mod").write_text("module example.com/app\n\ngo 1.21\n", encoding="utf-8")
    (tmp_path / "main.go").write_text(source, encoding="utf-8")
    return tmp_path


def _go_build(module: Path, env: dict[str, str]) -> str:
    """A real failing `go build`, returning its log (stderr)."""
    go = require_tool("go")
    full_env = {**os.environ, "GOCACHE": go_cache(), "GOFLAGS": "-mod=mod", **env}
    proc = subprocess.run(
        [go, "build", "-o", os.devnull, "."],
        cwd=module,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode != 0, "the build was expected to fail"
    return proc.stderr


def _report(args: list[str], **kwargs: object) -> dict[str, object]:
    done = run_gocross(["diagnose", "--format", "json", *args], **kwargs)  # type: ignore[arg-type]
    assert done.code == 1, done.stderr
    report: dict[str, object] = json.loads(done.stdout)
    return report


def test_a_real_windows_build_using_unix_syscalls_is_a_platform_api_finding_with_a_location(
    tmp_path: Path,
) -> None:
    module = _module(tmp_path, PLATFORM_API_MAIN)
    log = tmp_path / "build.log"
    log.write_text(
        _go_build(module, {"GOOS": "windows", "GOARCH": "amd64", "CGO_ENABLED": "0"}), encoding="utf-8"
    )
    report = _report(["--log", str(log), "--target", "windows/amd64"])
    first = report["findings"][0]  # type: ignore[index]
    assert first["category"] == "platform-api"
    assert first["target"] == "windows/amd64"
    location = first["evidence"][0]["location"]
    assert location["path"] == "main.go" and location["line"] == 11


def test_a_real_cgo_build_with_a_missing_cross_compiler_names_the_debian_package(tmp_path: Path) -> None:
    module = _module(tmp_path, CGO_MAIN)
    env = {"GOOS": "linux", "GOARCH": "arm64", "CGO_ENABLED": "1", "CC": "aarch64-nowhere-linux-gnu-gcc"}
    log = _go_build(module, env)
    report = _report(["--log", "-", "--target", "linux/arm64"], stdin=log)
    first = report["findings"][0]  # type: ignore[index]
    assert first["category"] == "cgo-no-c-compiler"
    codes = "\n".join(s["code"] for s in first["fix"]["snippets"])
    assert "gcc-aarch64-linux-gnu" in codes


@pytest.mark.skipif(
    not (CORPUS / "labels.json").exists(), reason="the shared corpus is beside the repository in CI"
)
def test_diagnose_reads_several_logs_and_reports_each_cause() -> None:
    logs = [
        "117-distribution-docker-build-6l-killed.log",
        "108-container-security-operator-dubious-ownership.log",
    ]
    report = _report([arg for name in logs for arg in ("--log", str(CORPUS / name))])
    categories = {f["category"] for f in report["findings"]}  # type: ignore[union-attr, index]
    assert {"resources-oom", "vcs-stamping"} <= categories


def test_a_missing_log_file_is_a_one_line_usage_error(tmp_path: Path) -> None:
    done = run_gocross(["diagnose", "--log", str(tmp_path / "nope.log")])
    assert done.code == 2
    assert done.stderr.count("\n") == 1 and "nope.log" in done.stderr


def test_a_clean_log_passes(tmp_path: Path) -> None:
    log = tmp_path / "ok.log"
    log.write_text("go build -o app .\nok  \texample.com/app\t0.01s\n", encoding="utf-8")
    done = run_gocross(["diagnose", "--log", str(log)])
    assert done.code == 0
    assert "No problems found." in done.stdout


def test_rules_list_prints_every_category() -> None:
    done = run_gocross(["rules", "list"])
    assert done.code == 0
    assert done.stdout.rstrip().endswith("rules in 21 categories")


def test_rules_test_runs_the_built_in_examples() -> None:
    done = run_gocross(["rules", "test"])
    assert done.code == 0, done.stdout
    assert ", 0 failed" in done.stdout


def test_rules_test_on_a_file_reports_a_failing_example(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        """\
rules:
  - id: log.team.widget
    category: other
    title: widget missing
    patterns: [{regex: 'widget \\w+ is missing'}]
    root_cause: A widget is missing.
    severity: error
    confidence: 0.5
    priority: 50
    examples:
      match: ['widget foo is missing', 'gadget foo is missing']
      no_match: ['widget foo is here']
""",
        encoding="utf-8",
    )
    done = run_gocross(["rules", "test", str(rules)])
    assert done.code == 1
    assert "FAIL log.team.widget: does not match: 'gadget foo is missing'" in done.stdout


def test_rules_test_on_an_invalid_file_lists_the_problems(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - id: nope\n", encoding="utf-8")
    done = run_gocross(["rules", "test", str(rules)])
    assert done.code == 2
    assert "$.rules[0]" in done.stderr


def test_an_unsupported_pair_written_as_uname_prints_it_gets_a_fix_with_go_names(tmp_path: Path) -> None:
    log = tmp_path / "build.log"
    module = tmp_path / "m"
    module.mkdir()
    (module / "go.mod").write_text("module example.com/m\n\ngo 1.22\n", encoding="utf-8")
    (module / "main.go").write_text("package main\n\nfunc main() {}\n", encoding="utf-8")
    built = subprocess.run(
        ["go", "build", "-o", os.devnull, "."],
        cwd=module,
        env={**os.environ, "GOCACHE": go_cache(), "GOOS": "linux", "GOARCH": "aarch64"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode != 0
    log.write_text(built.stderr, encoding="utf-8")
    done = run_gocross(["diagnose", "--log", str(log), "--format", "json"])
    top = json.loads(done.stdout)["findings"][0]
    assert top["category"] == "unsupported-target"
    assert top["fix"]["changes"]["env"] == {"GOOS": "linux", "GOARCH": "arm64"}
    assert "linux/arm64" in top["fix"]["summary"]


def test_a_target_typed_as_uname_prints_it_gets_a_did_you_mean_with_go_names(tmp_path: Path) -> None:
    log = tmp_path / "empty.log"
    log.write_text("ok\n", encoding="utf-8")
    done = run_gocross(["diagnose", "--log", str(log), "--target", "linux/aarch64"])
    assert done.code == 2
    assert "did you mean 'arm64'" in done.stderr
    assert "sparc64" not in done.stderr
