"""The cgo and libc probes against the real compilers installed here, and real builds that show
the probe's verdict and its fix are right."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from tests.conftest import go_cache, require_tool, run_gocross

CGO_MAIN = (
    'package main\n\n// int answer(void) { return 42; }\nimport "C"\n\nfunc main() { println(C.answer()) }\n'
)


def _cgo_module(tmp_path: Path) -> Path:
    module = tmp_path / "cgoapp"
    module.mkdir()
    (module / "go.mod").write_text("module example.com/cgoapp\n\ngo 1.22\n", encoding="utf-8")
    (module / "main.go").write_text(CGO_MAIN, encoding="utf-8")
    return module


def _probe(module: Path, targets: str, env: dict[str, str]) -> dict[str, object]:
    run = run_gocross(
        ["probe", str(module), "--targets", targets, "--only", "cgo,libc", "--format", "json"], env=env
    )
    assert run.code in (0, 1), run.stderr
    report: dict[str, object] = json.loads(run.stdout)
    return report


def _build(module: Path, goos: str, goarch: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    full = {
        **os.environ,
        "GOCACHE": go_cache(),
        "GOFLAGS": "-buildvcs=false",
        "GOOS": goos,
        "GOARCH": goarch,
        **env,
    }
    return subprocess.run(
        ["go", "build", "-o", os.devnull, "."], cwd=module, env=full, capture_output=True, text=True
    )


def test_host_gcc_for_linux_arm64_is_the_wrong_compiler_and_the_proposed_cc_builds(tmp_path: Path) -> None:
    require_tool("gcc")
    require_tool("aarch64-linux-gnu-gcc")
    module = _cgo_module(tmp_path)
    env = {"CGO_ENABLED": "1", "CC": "gcc"}
    findings = _probe(module, "linux/arm64", env)["findings"]
    assert isinstance(findings, list)
    top = findings[0]
    assert (top["rule"], top["category"]) == ("probe.cgo.cc-wrong-target", "cgo-wrong-compiler")
    assert _build(module, "linux", "arm64", env).returncode != 0
    fixed = {**env, **top["fix"]["changes"]["env"]}
    assert fixed["CC"] == "aarch64-linux-gnu-gcc"
    assert _probe(module, "linux/arm64", fixed)["findings"] == []
    assert _build(module, "linux", "arm64", fixed).returncode == 0


def test_mingw_fits_windows_amd64_and_linux_gcc_does_not(tmp_path: Path) -> None:
    require_tool("x86_64-w64-mingw32-gcc")
    module = _cgo_module(tmp_path)
    good = _probe(module, "windows/amd64", {"CGO_ENABLED": "1", "CC": "x86_64-w64-mingw32-gcc"})
    assert good["findings"] == []
    assert good["environment"]["cgo"]["targets"]["windows/amd64"]["cc_machine"] == "x86_64-w64-mingw32"
    bad = _probe(module, "windows/amd64", {"CGO_ENABLED": "1", "CC": "gcc"})
    assert [f["category"] for f in bad["findings"]] == ["cgo-wrong-compiler"]


def test_a_missing_cross_compiler_is_reported_before_go_build_says_so(tmp_path: Path) -> None:
    module = _cgo_module(tmp_path)
    env = {"CGO_ENABLED": "1", "CC": "riscv64-linux-gnu-gcc-not-installed"}
    findings = _probe(module, "linux/riscv64", env)["findings"]
    assert [(f["rule"], f["category"]) for f in findings] == [("probe.cgo.cc-missing", "cgo-no-c-compiler")]
    build = _build(module, "linux", "riscv64", env)
    assert 'C compiler "riscv64-linux-gnu-gcc-not-installed" not found' in build.stderr


def test_musl_gcc_has_no_kernel_headers_and_c_code_including_them_fails(tmp_path: Path) -> None:
    require_tool("musl-gcc")
    module = _cgo_module(tmp_path)
    report = _probe(module, "linux/amd64", {"CGO_ENABLED": "1", "CC": "musl-gcc"})
    assert [f["rule"] for f in report["findings"]] == ["probe.libc.kernel-headers-missing"]
    source = tmp_path / "k.c"
    source.write_text("#include <linux/version.h>\nint main(void) { return 0; }\n", encoding="utf-8")
    compiled = subprocess.run(
        ["musl-gcc", "-c", str(source), "-o", os.devnull], capture_output=True, text=True
    )
    assert "linux/version.h" in compiled.stderr


def test_the_host_glibc_version_is_the_one_this_process_runs_on(tmp_path: Path) -> None:
    report = _probe(_cgo_module(tmp_path), "linux/amd64", {})
    libc = report["environment"]["libc"]
    running = os.confstr("CS_GNU_LIBC_VERSION") or ""
    assert libc["family"] == "glibc"
    assert running == f"glibc {libc['glibc_version']}"
