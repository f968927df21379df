"""The inspector against real binaries, checked with file(1), readelf and `go version -m`."""

from __future__ import annotations

import ast
import json
import re
import subprocess
from pathlib import Path

import jsonschema
import pytest

from gocross_action.data_files import schema
from gocross_action.inspect import read
from tests.conftest import require_tool, run_gocross
from tests.integration import inspect_binaries as bins

DEBIAN_ARCH = {"arm64": "arm64", "armhf": "arm", "i386": "386", "s390x": "s390x", "ppc64el": "ppc64le"}
FORMAT_OF = {
    "windows": "pe",
    "darwin": "macho",
    "aix": "xcoff",
    "plan9": "plan9",
    "js": "wasm",
    "wasip1": "wasm",
}


def _go_version_m(path: Path) -> dict[str, object]:
    """`go version -m`, parsed here independently of the package (values unquoted as Go quotes them)."""
    out = subprocess.run(
        ["go", "version", "-m", str(path)], capture_output=True, text=True, check=True
    ).stdout
    lines = out.splitlines()
    parsed: dict[str, object] = {"version": lines[0].split(": ", 1)[1], "settings": {}, "deps": []}
    for line in lines[1:]:
        fields = line.strip("\t").split("\t")
        if fields[0] == "path":
            parsed["path"] = fields[1]
        elif fields[0] == "mod":
            parsed["main"] = fields[1]
        elif fields[0] == "dep":
            parsed["deps"].append(fields[1])  # type: ignore[attr-defined]
        elif fields[0] == "build":
            key, _, value = fields[1].partition("=")
            if value.startswith('"'):
                value = ast.literal_eval(value)
            parsed["settings"][key] = value  # type: ignore[index]
    return parsed


def _file(path: Path) -> str:
    return subprocess.run(["file", "-b", str(path)], capture_output=True, text=True, check=True).stdout


def _readelf(path: Path, *flags: str) -> str:
    return subprocess.run(
        ["readelf", "-W", *flags, str(path)], capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.parametrize("target", bins.PURE_TARGETS)
def test_pure_go_binary_reports_its_target_format_and_build_info(target: str) -> None:
    built = bins.pure()[target]
    info = read(built.path)
    goos, goarch = target.split("/")[:2]
    assert info.error is None
    assert (info.goos, info.goarch) == (goos, goarch)
    assert info.format == FORMAT_OF.get(goos, "elf")
    if len(target.split("/")) == 3:
        assert info.variant == target.split("/")[2]
    if info.format in ("elf", "pe", "macho", "xcoff"):
        reference = _go_version_m(built.path)
        assert info.go is not None
        assert info.go.version == reference["version"]
        assert info.go.path == reference["path"]
        assert dict(info.go.settings) == reference["settings"]
        assert [d.path for d in info.go.deps] == reference["deps"]


@pytest.mark.parametrize(
    "target", [t for t in bins.PURE_TARGETS if not t.startswith(("plan9", "js", "wasip1"))]
)
def test_word_size_byte_order_and_stripping_agree_with_file(target: str) -> None:
    require_tool("file")
    built = bins.pure()[target]
    info = read(built.path)
    described = _file(built.path)
    if info.format == "elf":
        assert f"{info.bits}-bit" in described
        assert ("LSB" if info.endian == "little" else "MSB") in described
        assert ("not stripped" in described) == (info.stripped is False)
        assert ("statically linked" in described) == (info.linkage == "static")
    elif info.format == "pe":
        assert described.startswith("PE32+" if info.bits == 64 else "PE32 ")
    elif info.format == "macho":
        assert f"Mach-O {info.bits}-bit" in described


@pytest.mark.parametrize("target", [t for t in bins.PURE_TARGETS if bins._env(t)["GOOS"] not in FORMAT_OF])
def test_elf_facts_agree_with_readelf(target: str) -> None:
    require_tool("readelf")
    built = bins.pure()[target]
    info = read(built.path)
    header = _readelf(built.path, "-h", "-l", "-d")
    assert ("ELF64" if info.bits == 64 else "ELF32") in header
    interp = re.search(r"Requesting program interpreter: (\S+)\]", header)
    assert info.interpreter == (interp.group(1) if interp else None)
    assert list(info.needed) == re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", header)


def test_wasm_binaries_name_their_host_from_their_imports() -> None:
    assert read(bins.pure()["js/wasm"].path).goos == "js"
    assert read(bins.pure()["wasip1/wasm"].path).goos == "wasip1"


def test_plan9_binaries_carry_build_info_even_where_go_version_cannot_find_it() -> None:
    info = read(bins.pure()["plan9/amd64"].path)
    assert info.go is not None and info.go.settings["GOOS"] == "plan9"


def test_goos_is_found_without_build_info_from_elf_markers(tmp_path: Path) -> None:
    expected = {
        "freebsd/amd64": "freebsd",
        "netbsd/arm64": "netbsd",
        "openbsd/amd64": "openbsd",
        "illumos/amd64": "solaris",  # the same bytes as solaris/amd64: only build info tells them apart
        "linux/arm64": "linux",
    }
    for target, goos in expected.items():
        data = bins.pure()[target].path.read_bytes()
        assert b"\xff Go buildinf:" in data
        bare = tmp_path / target.replace("/", "_")
        bare.write_bytes(data.replace(b"\xff Go buildinf:", b"\0" * 14))  # build info wiped
        info = read(bare)
        assert (info.goos, info.goarch) == (goos, target.split("/")[1]), info
        assert info.goos_source != "build info"
        # runtime.buildVersion still names the Go release.
        assert info.go is not None and info.go.version.startswith("go1.")
        assert not info.go.settings


def test_dynamic_cgo_binary_reports_glibc_floor_and_the_symbols_that_set_it() -> None:
    path = bins.cgo("glibc-amd64")
    assert path is not None
    info = read(path)
    versions = re.findall(r"Name: GLIBC_(\d+\.\d+)", _readelf(path, "-V"))
    highest = max(versions, key=lambda v: tuple(int(x) for x in v.split(".")))
    assert info.linkage == "dynamic" and info.libc == "glibc"
    assert info.glibc_required == highest
    assert info.floor_symbols and all(s.endswith(f"@GLIBC_{highest}") for s in info.floor_symbols)
    syms = _readelf(path, "--dyn-syms")
    for symbol in info.floor_symbols:
        assert f"{symbol.split('@')[0]}@GLIBC_{highest}" in syms


def test_cross_compiled_cgo_arm64_binary_asks_for_the_arm64_loader() -> None:
    path = bins.cgo("glibc-arm64")
    if path is None:
        pytest.skip("aarch64-linux-gnu-gcc is not installed (.ci/apt-packages.txt installs it)")
    info = read(path)
    assert (info.goarch, info.interpreter, info.libc) == ("arm64", "/lib/ld-linux-aarch64.so.1", "glibc")
    assert info.go is not None and info.go.settings["CGO_ENABLED"] == "1"


def test_mingw_cgo_binary_lists_its_dlls() -> None:
    path = bins.cgo("windows-amd64")
    if path is None:
        pytest.skip("x86_64-w64-mingw32-gcc is not installed (.ci/apt-packages.txt installs it)")
    info = read(path)
    assert info.format == "pe" and info.goos == "windows" and info.goarch == "amd64"
    assert "kernel32.dll" in [n.lower() for n in info.needed]
    data = path.read_bytes()
    assert all(name.encode() + b"\0" in data for name in info.needed)


def test_musl_binaries_are_recognised_dynamic_and_static() -> None:
    dynamic, static = bins.cgo("musl-amd64"), bins.cgo("musl-static")
    if dynamic is None or static is None:
        pytest.skip("musl-gcc is not installed (.ci/apt-packages.txt installs musl-tools)")
    info = read(dynamic)
    assert info.libc == "musl" and info.interpreter == "/lib/ld-musl-x86_64.so.1"
    assert read(static).linkage == "static" and read(static).libc is None


def test_static_glibc_binary_lists_nss_functions_unless_built_with_pure_go_resolvers() -> None:
    with_nss, netgo = bins.cgo("glibc-static"), bins.cgo("glibc-static-netgo")
    assert with_nss is not None and netgo is not None
    info = read(with_nss)
    assert info.linkage == "static" and info.libc == "glibc"
    assert "getaddrinfo" in info.nss_symbols
    assert "getaddrinfo" not in read(netgo).nss_symbols


def test_stripped_binary_keeps_its_build_info() -> None:
    path = bins.cgo("stripped")
    assert path is not None
    info = read(path)
    assert info.stripped is True
    assert info.go is not None and info.go.settings["-trimpath"] == "true"
    assert dict(info.go.settings) == _go_version_m(path)["settings"]


def test_go_binaries_built_by_debian_for_other_architectures() -> None:
    fixtures = bins.debian_fixtures()
    if not fixtures:
        pytest.skip("no Debian fixtures: run .ci/setup.d/30-inspect-fixtures.sh")
    for path in fixtures:
        arch = path.name.rsplit("-", 1)[1]
        info = read(path)
        reference = _go_version_m(path)
        assert (info.goos, info.goarch) == ("linux", DEBIAN_ARCH[arch]), path
        assert info.go is not None and info.go.version == reference["version"]
        assert dict(info.go.settings) == reference["settings"]
        interp = re.search(r"interpreter (\S+),", _file(path))
        assert info.interpreter == (interp.group(1) if interp else None)


def test_cli_reports_every_file_and_exits_2_when_one_cannot_be_read(tmp_path: Path) -> None:
    good = bins.pure()["linux/arm64"].path
    broken = tmp_path / "broken"
    broken.write_bytes(good.read_bytes()[:200])
    result = run_gocross(["inspect", "--format", "json", "--expect", "linux/arm64", str(broken), str(good)])
    assert result.code == 2
    report = json.loads(result.stdout)
    jsonschema.validate(report, schema("report"))
    entries = {Path(b["path"]).name: b for b in report["binaries"]}
    assert entries["broken"]["error"] and entries["broken"]["format"] == "elf"
    assert entries[good.name]["error"] is None and entries[good.name]["goarch"] == "arm64"
    assert len(result.stderr.strip().splitlines()) == 1 and "broken" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_wrong_architecture_is_an_exec_format_error() -> None:
    result = run_gocross(
        ["inspect", "--format", "json", "--expect", "linux/arm64", str(bins.pure()["linux/amd64"].path)]
    )
    assert result.code == 1
    findings = json.loads(result.stdout)["findings"]
    assert [f["category"] for f in findings] == ["exec-format-error"]
    assert "built for linux/amd64, expected linux/arm64" in findings[0]["title"]


def test_cli_glibc_floor_above_the_deploy_system_is_an_error_naming_the_symbols() -> None:
    path = bins.cgo("glibc-amd64")
    assert path is not None
    result = run_gocross(["inspect", "--format", "json", "--deploy", "centos:7", str(path)])
    assert result.code == 1
    (finding,) = [
        f for f in json.loads(result.stdout)["findings"] if f["category"] == "glibc-version-mismatch"
    ]
    assert finding["severity"] == "error"
    assert "@GLIBC_" in finding["evidence"][0]["text"]
    assert "zig cc -target x86_64-linux-gnu.2.17" in json.dumps(finding["fix"])


def test_cli_binary_that_fits_its_expectations_passes_with_no_findings() -> None:
    static = bins.pure()["linux/arm64"].path
    result = run_gocross(
        [
            "inspect",
            "--format",
            "json",
            "--expect",
            "linux/arm64",
            "--deploy",
            "scratch",
            "--deploy",
            "alpine",
            "--require-static",
            str(static),
        ]
    )
    assert result.code == 0, result.stderr
    assert json.loads(result.stdout)["findings"] == []


def test_cli_dynamic_binary_in_scratch_and_glibc_binary_on_alpine_are_errors() -> None:
    path = bins.cgo("glibc-amd64")
    assert path is not None
    result = run_gocross(
        ["inspect", "--format", "json", "--deploy", "scratch", "--deploy", "alpine:3.20", str(path)]
    )
    categories = {f["category"] for f in json.loads(result.stdout)["findings"] if f["severity"] == "error"}
    assert categories == {"static-linking", "libc-musl-glibc-mismatch"}
