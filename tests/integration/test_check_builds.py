"""`gocross check` building real targets: paths, statuses, logs, validation before building,
the output manifest, progress, and binaries run natively or under qemu-user."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT, go_cache, require_tool, run_gocross

from .checkrun import check, copy_fixture

MANY = (
    "linux/amd64,linux/arm64,linux/arm/7,linux/386,linux/riscv64,"
    "windows/amd64,windows/arm64,darwin/arm64,freebsd/amd64,js/wasm"
)


def test_pure_go_builds_for_many_ports_at_predictable_paths(tmp_path: Path) -> None:
    module = copy_fixture("pure", tmp_path)
    run = check(module, "--targets", MANY, "--jobs", "2")
    assert run.code == 0, run.report["findings"]
    for target in MANY.split(","):
        row = run.target(target)
        assert row["status"] == "passed"
        assert row["duration_s"] > 0
        suffix = ".exe" if target.startswith("windows/") else ""
        expected = f".gocross/dist/pure_{target.replace('/', '_')}{suffix}"
        assert row["binary"] == expected
        assert (module / expected).is_file()
        assert row["log"] == f".gocross/logs/{target.replace('/', '_')}.log", "relative to the module"
        assert (module / row["log"]).is_file()
    formats = {b["path"].rsplit("/", 1)[-1]: b for b in run.report["binaries"]}
    assert len(formats) == len(MANY.split(","))
    assert run.report["environment"]["build"]["targets"]["linux/arm/7"]["env"]["GOARM"] == "7"


def test_unknown_goarch_is_a_usage_error_with_the_nearest_name(tmp_path: Path) -> None:
    module = copy_fixture("pure", tmp_path)
    done = run_gocross(["check", str(module), "--targets", "linux/arm32"])
    assert done.code == 2
    assert "'arm'" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (module / ".gocross" / "dist").exists(), "nothing is built after an input error"


def test_invalid_variant_is_refused_before_building(tmp_path: Path) -> None:
    module = copy_fixture("pure", tmp_path)
    done = run_gocross(["check", str(module), "--targets", "linux/amd64,linux/arm/9"])
    assert done.code == 2
    assert "GOARM" in done.stderr
    assert not (module / ".gocross" / "dist").exists()


def test_known_pair_this_go_cannot_build_is_skipped_with_unsupported_target(tmp_path: Path) -> None:
    module = copy_fixture("pure", tmp_path)
    run = check(module, "--targets", "linux/amd64,linux/wasm,darwin/386")
    assert run.code == 1
    assert run.status("linux/amd64") == "passed"
    for target in ("linux/wasm", "darwin/386"):
        assert run.status(target) == "skipped"
        assert run.top(target)["category"] == "unsupported-target"


def test_invalid_variant_in_the_environment_skips_the_target(tmp_path: Path) -> None:
    module = copy_fixture("pure", tmp_path)
    run = check(module, "--targets", "linux/arm,linux/amd64", env={"GOARM": "9"})
    assert run.status("linux/arm") == "skipped"
    assert run.top("linux/arm")["category"] == "unsupported-target"
    assert run.status("linux/amd64") == "passed"


def test_a_file_gocross_did_not_write_is_never_overwritten(tmp_path: Path) -> None:
    module = copy_fixture("pure", tmp_path)
    theirs = module / ".gocross" / "dist" / "pure_linux_amd64"
    theirs.parent.mkdir(parents=True)
    theirs.write_text("not ours")
    run = check(module, "--targets", "linux/amd64,linux/arm64")
    assert theirs.read_text() == "not ours"
    assert run.status("linux/amd64") == "skipped"
    assert run.top("linux/amd64")["rule"] == "config.output-exists"
    assert run.status("linux/arm64") == "passed"
    again = check(module, "--targets", "linux/arm64")
    assert again.status("linux/arm64") == "passed", "a binary gocross wrote is rebuilt in place"


def test_inherited_environment_applies_and_target_config_overrides_it(tmp_path: Path) -> None:
    module = copy_fixture("net-user", tmp_path)
    (module / "gocross.yml").write_text(
        "targets:\n  - goos: linux\n    goarch: amd64\n    env:\n      CGO_ENABLED: '0'\n  - linux/arm64\n"
    )
    # A workflow's CC and CGO_ENABLED reach every build; the config's per-target env wins.
    run = check(module, env={"CGO_ENABLED": "1", "CC": "/nonexistent/cc"})
    assert run.status("linux/amd64") == "passed"
    assert run.status("linux/arm64") == "failed"
    assert run.top("linux/arm64")["category"] == "cgo-no-c-compiler"
    assert run.report["environment"]["build"]["targets"]["linux/amd64"]["env"]["CGO_ENABLED"] == "0"


def test_report_dir_gets_each_targets_log(tmp_path: Path) -> None:
    module = copy_fixture("constraints", tmp_path)
    reports = tmp_path / "reports"
    run = check(module, "--targets", "linux/amd64,windows/amd64", "--report-dir", str(reports))
    log = Path(run.target("windows/amd64")["log"])
    assert log.parent == reports / "logs"
    assert "build constraints exclude all Go files" in log.read_text()
    written = json.loads((reports / "report.json").read_text())
    assert [t["status"] for t in written["targets"]] == ["passed", "failed"]


def test_report_dir_may_be_the_folder_the_build_logs_are_written_to(tmp_path: Path) -> None:
    module = copy_fixture("constraints", tmp_path)
    run = check(module, "--targets", "windows/amd64", "--report-dir", str(module / ".gocross"))
    assert run.code == 1, run.stderr
    log = run.target("windows/amd64")["log"]
    assert log == ".gocross/logs/windows_amd64.log", "inside the module, named relative to it"
    assert "build constraints exclude all Go files" in (module / log).read_text()
    assert (module / ".gocross" / "report.json").is_file()


def test_progress_folds_each_target_under_github_actions(tmp_path: Path) -> None:
    module = copy_fixture("constraints", tmp_path)
    done = run_gocross(
        ["check", str(module), "--targets", "linux/amd64,windows/amd64", "--format", "json"],
        env={"GITHUB_ACTIONS": "true"},
    )
    assert "::group::gocross linux/amd64: passed" in done.stderr
    assert "::group::gocross windows/amd64: failed" in done.stderr
    assert done.stderr.count("::endgroup::") == 2
    assert "build constraints exclude" in done.stderr


def test_smoke_runs_native_and_foreign_linux_binaries_under_qemu(tmp_path: Path) -> None:
    require_tool("qemu-aarch64-static")
    require_tool("qemu-arm-static")
    module = copy_fixture("pure", tmp_path)
    run = check(
        module, "--targets", "linux/amd64,linux/arm64,linux/arm/7,windows/amd64", "--smoke", "--say hi"
    )
    assert run.code == 0, run.report["findings"]
    smoke = run.report["environment"]["smoke"]
    assert smoke["linux/amd64"]["how"] == "native"
    assert smoke["linux/arm64"]["how"] in ("qemu", "binfmt")
    assert "pure ok linux/arm64 --say hi" in smoke["linux/arm64"]["output"]
    assert "pure ok linux/arm --say hi" in smoke["linux/arm/7"]["output"]
    assert smoke["windows/amd64"]["how"] == "none"


def test_cgo_binaries_for_arm64_and_windows_build_with_debian_cross_compilers(tmp_path: Path) -> None:
    require_tool("aarch64-linux-gnu-gcc")
    require_tool("x86_64-w64-mingw32-gcc")
    require_tool("qemu-aarch64-static")
    module = copy_fixture("cgo-needed", tmp_path)
    (module / "gocross.yml").write_text(
        "targets:\n"
        "  - {goos: linux, goarch: arm64, cgo: true, cc: aarch64-linux-gnu-gcc}\n"
        "  - {goos: windows, goarch: amd64, cgo: true, cc: x86_64-w64-mingw32-gcc}\n"
        "deploy: [debian:12]\n"
    )
    run = check(module, "--smoke", "")
    assert run.status("linux/arm64") == "passed"
    assert run.status("windows/amd64") == "passed"
    assert "cgo ok linux/arm64 42" in run.report["environment"]["smoke"]["linux/arm64"]["output"]
    assert run.report["environment"]["cgo-usage"]["linux/arm64"]["packages"] == ["example.com/cgoneeded/cadd"]


def test_binary_for_another_arch_than_its_target_is_an_exec_format_error(tmp_path: Path) -> None:
    module = copy_fixture("pure", tmp_path)
    (module / "gocross.yml").write_text(
        "targets:\n  - goos: linux\n    goarch: amd64\n    env: {GOARCH: arm64}\n"
    )
    run = check(module, "--smoke", "")
    assert run.code == 1
    assert "exec-format-error" in run.categories("linux/amd64")


def test_binary_whose_loader_is_missing_is_found_by_the_smoke_run(tmp_path: Path) -> None:
    module = copy_fixture("cgo-needed", tmp_path)
    (module / "gocross.yml").write_text(
        "targets:\n  - goos: linux\n    goarch: amd64\n    cgo: true\n"
        "    ldflags: -I /lib/ld-gocross-absent.so.1\n"
    )
    run = check(module, "--smoke", "")
    assert run.status("linux/amd64") == "passed"
    assert "artifact.smoke-no-loader" in [f["rule"] for f in run.findings("linux/amd64")]


def test_quick_start_example_builds_its_four_targets_and_runs_two(tmp_path: Path) -> None:
    require_tool("aarch64-linux-gnu-gcc")
    require_tool("qemu-aarch64-static")
    example = tmp_path / "hello"
    shutil.copytree(ROOT / "examples" / "hello", example, ignore=shutil.ignore_patterns(".gocross"))
    run = check(example)
    assert run.code == 0, run.report["findings"]
    assert [t["target"] for t in run.report["targets"]] == [
        "linux/amd64",
        "linux/arm64",
        "windows/amd64",
        "darwin/arm64",
    ]
    assert {t["status"] for t in run.report["targets"]} == {"passed"}
    smoke = run.report["environment"]["smoke"]
    assert smoke["linux/arm64"]["output"] == "hello 1.0\n"
    assert run.report["environment"]["cgo-usage"]["linux/arm64"]["packages"] == [
        "example.com/hello/internal/native"
    ]


def test_quick_start_example_without_the_cross_compiler_names_the_missing_compiler(tmp_path: Path) -> None:
    example = tmp_path / "hello"
    shutil.copytree(ROOT / "examples" / "hello", example, ignore=shutil.ignore_patterns(".gocross"))
    config = (example / "gocross.yml").read_text()
    (example / "gocross.yml").write_text(
        config.replace("cc: aarch64-linux-gnu-gcc", "cc: aarch64-gocross-absent-gcc")
    )
    run = check(example)
    assert run.code == 1
    assert run.status("linux/arm64") == "failed"
    assert run.top("linux/arm64")["category"] == "cgo-no-c-compiler"
    assert {run.status(t) for t in ("linux/amd64", "windows/amd64", "darwin/arm64")} == {"passed"}


def test_report_says_where_the_time_went_per_stage(tmp_path: Path) -> None:
    from tests.report_schema import assert_valid_report

    module = copy_fixture("pure", tmp_path)
    run = check(module, "--targets", "linux/amd64,windows/amd64", "--jobs", "2")
    assert run.code == 0, run.report["findings"]
    timings = run.report["environment"]["timings"]
    stages = timings["stages"]
    assert stages["go-build"]["count"] == 2, "one go-build span per target"
    assert stages["go-build"]["seconds"] > 0
    assert stages["inspection"]["count"] == 2, "each binary is inspected once"
    assert stages["probes"]["count"] == 1
    assert timings["total_s"] >= stages["builds-wall"]["seconds"]
    assert_valid_report({**run.report, "environment": {"timings": timings}})


def test_the_collector_settings_gocross_builds_with_leave_the_binary_byte_for_byte_the_same(
    tmp_path: Path,
) -> None:
    module = copy_fixture("pure", tmp_path)
    env = {k: v for k, v in os.environ.items() if k not in ("GOGC", "GOMEMLIMIT")}
    run = check(module, "--targets", "linux/arm64")
    assert run.status("linux/arm64") == "passed"
    build = run.report["environment"]["build"]
    if build["gc"] == {}:
        pytest.skip("this machine has too little memory per build process for gocross to tune GOGC")
    assert build["gc"]["GOGC"] == "400"
    assert build["gc"]["GOMEMLIMIT"].endswith("MiB")
    assert "GOGC" not in build["targets"]["linux/arm64"]["env"], "not shown as a build setting"
    # The same command, as the report gives it, with Go's default collector.
    command = shlex.split(build["targets"]["linux/arm64"]["command"])
    output = command.index("-o") + 1
    command[output] = str(tmp_path / "bare")
    subprocess.run(
        command,
        cwd=module,
        env={**env, "GOCACHE": go_cache(), **build["targets"]["linux/arm64"]["env"]},
        check=True,
    )
    built = module / run.target("linux/arm64")["binary"]
    assert built.read_bytes() == (tmp_path / "bare").read_bytes()


def test_a_gogc_set_by_the_user_is_what_the_builds_run_with(tmp_path: Path) -> None:
    module = copy_fixture("pure", tmp_path)
    run = check(module, "--targets", "linux/arm64", env={"GOGC": "100"})
    assert run.status("linux/arm64") == "passed"
    assert run.report["environment"]["build"]["gc"] == {}
