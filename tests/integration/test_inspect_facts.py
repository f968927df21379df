"""Facts the inspector must not guess: every slice of a universal macOS binary, a truncated ELF,
and the Go version of a stripped binary whose build info is gone (issue 11)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import jsonschema
import pytest

from gocross_action.data_files import schema
from gocross_action.inspect import read
from tests.conftest import require_tool, run_gocross
from tests.integration import inspect_binaries as bins


def _universal() -> Path:
    path = bins.universal()
    if path is None:
        pytest.skip("llvm-lipo is not installed (.ci/apt-packages.txt installs llvm)")
    return path


def _go_version(path: Path) -> str:
    out = subprocess.run(["go", "version", str(path)], capture_output=True, text=True, check=True).stdout
    return out.strip().rsplit(" ", 1)[1]


def test_universal_binary_reports_every_slice_in_file_order() -> None:
    path = _universal()
    info = read(path)
    assert info.error is None and info.format == "macho"
    assert [(s.goos, s.goarch, s.bits) for s in info.slices] == [
        ("darwin", "amd64", 64),
        ("darwin", "arm64", 64),
    ]
    for piece, target in zip(info.slices, ("darwin/amd64", "darwin/arm64"), strict=True):
        thin = bins.pure()[target].path
        assert piece.go is not None and piece.go.version == _go_version(thin)
        assert piece.go.settings["GOARCH"] == target.split("/")[1]
    assert (
        "universal binary with 2 architectures"
        in subprocess.run(["file", "-b", str(path)], capture_output=True, text=True, check=True).stdout
    )


def test_expecting_either_architecture_of_a_universal_binary_is_not_an_exec_format_error() -> None:
    path = _universal()
    for target in ("darwin/arm64", "darwin/amd64"):
        result = run_gocross(["inspect", "--format", "json", "--expect", target, str(path)])
        assert result.code == 0, result.stdout + result.stderr
        report = json.loads(result.stdout)
        jsonschema.validate(report, schema("report"))
        assert report["findings"] == []
        assert [s["goarch"] for s in report["binaries"][0]["slices"]] == ["amd64", "arm64"]


def test_a_universal_binary_without_the_expected_architecture_names_all_it_has() -> None:
    result = run_gocross(["inspect", "--format", "json", "--expect", "linux/arm64", str(_universal())])
    assert result.code == 1
    (finding,) = json.loads(result.stdout)["findings"]
    assert finding["category"] == "exec-format-error"
    assert finding["title"] == "built for darwin/amd64 + darwin/arm64, expected linux/arm64"
    text = run_gocross(["inspect", str(_universal())]).stdout
    assert "Mach-O darwin/amd64, darwin/arm64, go1." in text


def test_truncated_elf_is_malformed_not_a_valid_static_binary(tmp_path: Path) -> None:
    whole = bins.pure()["linux/amd64"].path.read_bytes()
    cut = tmp_path / "cut"
    cut.write_bytes(whole[: len(whole) // 2])  # headers intact, half the segments missing
    info = read(cut)
    assert info.malformed and info.error is not None and "truncated" in info.error
    assert info.linkage is None
    result = run_gocross(["inspect", "--format", "json", str(cut)])
    assert result.code == 2 and "Traceback" not in result.stderr
    (finding,) = json.loads(result.stdout)["findings"]
    assert finding["rule"] == "artifact.malformed" and finding["severity"] == "error"


def test_stripped_go_binary_without_build_info_still_names_its_go_version() -> None:
    require_tool("objcopy")
    stripped, bare = bins.stripped_without_buildinfo()
    data = bare.read_bytes()
    assert b"\xff Go buildinf:" not in data and b".go.buildinfo" not in data
    gone = subprocess.run(["go", "version", str(bare)], capture_output=True, text=True)
    assert gone.returncode != 0 or "not a Go executable" in gone.stdout + gone.stderr
    info = read(bare)
    assert info.error is None and info.stripped is True
    assert info.go is not None and info.go.version == _go_version(stripped)
    assert not info.go.settings and info.goarch == "amd64"
