"""build.py without running go: names, paths, the environment a target gets, the manifest."""

from __future__ import annotations

import os
from pathlib import Path

from gocross_action.config import BuildConfig, Config, TargetConfig
from gocross_action.matrix import build
from gocross_action.targets import Target


def _module(tmp_path: Path, module_line: str) -> Path:
    (tmp_path / "go.mod").write_text(f"{module_line}\n\ngo 1.22\n")
    return tmp_path


def test_binary_name_is_the_last_element_of_the_main_packages_import_path(tmp_path: Path) -> None:
    module = _module(tmp_path, "module github.com/acme/tool")
    assert build.binary_name(module, ".") == "tool"
    assert build.binary_name(module, "./cmd/server") == "server"
    assert build.binary_name(module, "example.com/other/cli") == "cli"


def test_binary_name_skips_a_major_version_suffix_like_go_build(tmp_path: Path) -> None:
    module = _module(tmp_path, "module github.com/acme/tool/v2")
    assert build.binary_name(module, ".") == "tool"


def test_output_path_names_goos_goarch_variant_and_exe(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    arm = TargetConfig(target=Target.parse("linux/arm/7"))
    win = TargetConfig(target=Target.parse("windows/amd64"))
    assert build.output_path(out, "app", arm) == out / "app_linux_arm_7"
    assert build.output_path(out, "app", win) == out / "app_windows_amd64.exe"
    named = TargetConfig(target=Target.parse("linux/amd64"), output="custom-name")
    assert build.output_path(out, "app", named) == out / "custom-name"


def test_target_settings_override_the_inherited_environment(tmp_path: Path) -> None:
    tc = TargetConfig(
        target=Target.parse("linux/arm64"), cgo=True, cc="aarch64-linux-gnu-gcc", env={"GOFLAGS": "-mod=mod"}
    )
    base = {"PATH": os.environ.get("PATH", ""), "CGO_ENABLED": "0", "CC": "gcc", "GOFLAGS": "-trimpath"}
    job = build.make_job(
        module_dir=tmp_path,
        config=Config(),
        tc=tc,
        base_env=base,
        out_dir=tmp_path,
        log_dir=tmp_path,
        name="x",
    )
    assert job.env["CGO_ENABLED"] == "1"
    assert job.env["CC"] == "aarch64-linux-gnu-gcc"
    assert job.env["GOFLAGS"] == "-mod=mod"
    assert (job.env["GOOS"], job.env["GOARCH"]) == ("linux", "arm64")
    assert job.overrides == {
        "GOOS": "linux",
        "GOARCH": "arm64",
        "CGO_ENABLED": "1",
        "CC": "aarch64-linux-gnu-gcc",
        "GOFLAGS": "-mod=mod",
    }


def test_inherited_environment_passes_through_when_the_target_sets_nothing(tmp_path: Path) -> None:
    tc = TargetConfig(target=Target.parse("linux/amd64"))
    base = {"CGO_ENABLED": "0", "CC": "musl-gcc", "GOFLAGS": "-trimpath"}
    job = build.make_job(
        module_dir=tmp_path,
        config=Config(),
        tc=tc,
        base_env=base,
        out_dir=tmp_path,
        log_dir=tmp_path,
        name="x",
    )
    assert {k: job.env[k] for k in base} == base


def test_build_argv_carries_config_flags_tags_and_target_ldflags(tmp_path: Path) -> None:
    config = Config(build=BuildConfig(flags=("-v",), tags=("netgo",), trimpath=True, ldflags="-s"))
    tc = TargetConfig(target=Target.parse("linux/amd64"), tags=("osusergo",), ldflags="-s -w")
    argv = build.build_argv(config, tc, tmp_path / "out")
    assert argv == (
        "go",
        "build",
        "-o",
        str(tmp_path / "out"),
        "-v",
        "-trimpath",
        "-tags",
        "netgo,osusergo",
        "-ldflags",
        "-s -w",
        ".",
    )


def test_with_changes_adds_flags_before_the_package_and_env_on_top(tmp_path: Path) -> None:
    tc = TargetConfig(target=Target.parse("linux/amd64"))
    job = build.make_job(
        module_dir=tmp_path, config=Config(), tc=tc, base_env={}, out_dir=tmp_path, log_dir=tmp_path, name="x"
    )
    trial = job.with_changes(
        env={"CGO_ENABLED": "0"}, flags=["-buildvcs=false"], output=tmp_path / "t", log=tmp_path / "t.log"
    )
    assert trial.argv[-2:] == ("-buildvcs=false", ".")
    assert trial.argv[trial.argv.index("-o") + 1] == str(tmp_path / "t")
    assert trial.env["CGO_ENABLED"] == "0"
    assert "CGO_ENABLED" not in job.env


def test_manifest_allows_only_files_gocross_wrote_and_left_unchanged(tmp_path: Path) -> None:
    manifest = build.Manifest.load(tmp_path)
    mine, theirs = tmp_path / "mine", tmp_path / "theirs"
    assert manifest.may_write(mine), "an absent file may be written"
    mine.write_bytes(b"binary")
    manifest.record(mine)
    manifest.save()
    theirs.write_bytes(b"user file")
    reloaded = build.Manifest.load(tmp_path)
    assert reloaded.may_write(mine)
    assert not reloaded.may_write(theirs)
    mine.write_bytes(b"replaced by the user")
    os.utime(mine, ns=(1, 1))
    assert not reloaded.may_write(mine), "a file changed since gocross wrote it is not overwritten"
