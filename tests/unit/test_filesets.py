"""Per-target file sets: which file declares an undefined name and the constraint that leaves it
out (cgo off, a _GOOS/_GOARCH suffix, a //go:build line), from go list's listing."""

from __future__ import annotations

from pathlib import Path

import pytest

from gocross_action.matrix.filesets import (
    PackageFiles,
    Settings,
    declares,
    evaluate,
    exclusion,
    explain,
    suffix_constraint,
    tags_of,
)
from gocross_action.targets import Target

WINDOWS = Settings(target=Target(goos="windows", goarch="amd64"), cgo=False)
ANDROID_ARM64 = Settings(target=Target(goos="android", goarch="arm64"), cgo=True)


@pytest.mark.parametrize(
    ("expr", "settings", "value"),
    [
        ("linux", WINDOWS, False),
        ("!linux", WINDOWS, True),
        ("windows && amd64", WINDOWS, True),
        ("(linux || darwin) && !cgo", WINDOWS, False),
        ("unix", WINDOWS, False),
        ("linux", ANDROID_ARM64, True),  # android implies linux, as go/build has it
        ("unix && cgo", ANDROID_ARM64, True),
        ("go1.21 && !purego", WINDOWS, True),
        ("linux &&", WINDOWS, None),
        ("(linux", WINDOWS, None),
    ],
)
def test_build_expressions_evaluate_like_go_build(expr: str, settings: Settings, value: bool | None) -> None:
    assert evaluate(expr, settings) is value


def test_tags_given_to_the_build_satisfy_constraints() -> None:
    settings = Settings(target=Target(goos="linux", goarch="amd64"), cgo=False, tags=("pro",))
    assert evaluate("pro && !lite", settings) is True


@pytest.mark.parametrize(
    ("name", "constraint"),
    [
        ("uptime_linux.go", ("linux", None)),
        ("page_amd64.go", (None, "amd64")),
        ("z_linux_arm64.go", ("linux", "arm64")),
        ("x_windows_test.go", ("windows", None)),
        ("linux.go", (None, None)),  # a name without '_' is not constrained
        ("foo_bar.go", (None, None)),
    ],
)
def test_file_name_suffixes_constrain_like_go_build(
    name: str, constraint: tuple[str | None, str | None]
) -> None:
    assert suffix_constraint(name) == constraint


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_exclusion_names_the_suffix_the_build_line_or_cgo(tmp_path: Path) -> None:
    suffixed = _write(tmp_path / "uptime_linux.go", "package main\n")
    tagged = _write(tmp_path / "probe.go", "//go:build linux && !windows\n\npackage main\n")
    cgo_line = _write(tmp_path / "fast.go", "//go:build cgo\n\npackage main\n")
    imports_c = _write(tmp_path / "lib.go", 'package main\n\n// int f(void);\nimport "C"\n')
    assert exclusion(suffixed, WINDOWS).kind == "suffix"
    assert "_linux" in exclusion(suffixed, WINDOWS).detail
    assert exclusion(tagged, WINDOWS).kind == "build-line"
    assert "linux && !windows" in exclusion(tagged, WINDOWS).detail
    assert exclusion(cgo_line, WINDOWS).kind == "cgo"
    assert exclusion(imports_c, WINDOWS).kind == "cgo"


def test_declarations_are_found_at_top_level_and_in_groups_not_in_bodies(tmp_path: Path) -> None:
    source = _write(
        tmp_path / "a.go",
        "package p\n\nfunc uptime() int { return 1 }\n\nconst (\n\tpageBits = 12\n)\n\n"
        "func (t *T) Method() {}\n\nfunc other() {\n\tlocal := 1\n\t_ = local\n}\n",
    )
    assert declares(source, "uptime") == 3
    assert declares(source, "pageBits") == 6
    assert declares(source, "local") is None
    assert declares(source, "Method") is None  # a method is not a package-level name


def _package(directory: Path, **files: tuple[str, ...]) -> PackageFiles:
    return PackageFiles(
        import_path=files.get("path", ("example.com/m",))[0],
        name=files.get("name", ("main",))[0],
        directory=str(directory),
        standard=False,
        go_files=files.get("go", ()),
        cgo_files=(),
        ignored=files.get("ignored", ()),
    )


def test_undefined_name_from_a_linux_only_file_is_a_build_constraint_naming_the_file(tmp_path: Path) -> None:
    _write(tmp_path / "main.go", "package main\n\nfunc main() { println(uptime()) }\n")
    _write(tmp_path / "uptime_linux.go", "package main\n\nfunc uptime() int { return 1 }\n")
    package = _package(tmp_path, go=("main.go",), ignored=("uptime_linux.go",))
    log = "# example.com/m\n./main.go:3:23: undefined: uptime\n"
    [finding] = explain(log, [package], WINDOWS, tmp_path)
    assert finding.category == "build-constraints"
    assert "uptime_linux.go" in finding.title
    assert "_linux" in finding.root_cause
    assert finding.fix is not None and finding.fix.changes is None  # no CGO_ENABLED=1 guess
    assert (finding.evidence[0].source, finding.evidence[0].line) == ("log", 2)


def test_a_library_whose_api_is_only_in_cgo_files_needs_cgo_not_a_code_fix(tmp_path: Path) -> None:
    module, library = tmp_path / "app", tmp_path / "lib"
    _write(module / "main.go", 'package main\n\nimport "example.com/glfw"\n\nfunc main() { glfw.Init() }\n')
    _write(library / "doc.go", "// Package glfw.\npackage glfw\n")
    _write(
        library / "glfw.go", 'package glfw\n\n// void init(void);\nimport "C"\n\nfunc Init() { C.init() }\n'
    )
    app = _package(module, go=("main.go",))
    lib = _package(library, path=("example.com/glfw",), name=("glfw",), go=("doc.go",), ignored=("glfw.go",))
    log = "./main.go:5:20: undefined: glfw.Init\n"
    [finding] = explain(
        log, [app, lib], Settings(target=Target(goos="linux", goarch="arm64"), cgo=False), module
    )
    assert finding.category == "cgo-required-but-disabled"
    assert finding.fix is not None and finding.fix.changes is not None
    assert finding.fix.changes.env == {"CGO_ENABLED": "1", "CC": "aarch64-linux-gnu-gcc"}
    assert "example.com/glfw" in finding.title


def test_an_os_api_of_a_dependency_is_platform_api(tmp_path: Path) -> None:
    module, std = tmp_path / "app", tmp_path / "goroot" / "syscall"
    _write(module / "main.go", 'package main\n\nimport "syscall"\n\nfunc main() { syscall.Kill(1, 0) }\n')
    _write(
        std / "syscall_unix.go",
        "//go:build unix\n\npackage syscall\n\nfunc Kill(pid int, sig int) error { return nil }\n",
    )
    app = _package(module, go=("main.go",))
    syscall = PackageFiles(
        import_path="syscall",
        name="syscall",
        directory=str(std),
        standard=True,
        go_files=(),
        cgo_files=(),
        ignored=("syscall_unix.go",),
    )
    [finding] = explain("./main.go:5:23: undefined: syscall.Kill\n", [app, syscall], WINDOWS, module)
    assert finding.category == "platform-api"


def test_a_name_the_target_does_define_is_not_explained(tmp_path: Path) -> None:
    _write(
        tmp_path / "main.go",
        "package main\n\nfunc uptime() int { return 1 }\n\nfunc main() { println(uptime2()) }\n",
    )
    package = _package(tmp_path, go=("main.go",))
    assert explain("./main.go:5:23: undefined: uptime2\n", [package], WINDOWS, tmp_path) == []


def test_build_tags_are_read_from_the_go_command_line() -> None:
    assert tags_of(["go", "build", "-o", "x", "-tags", "a,b", "."]) == ("a", "b")
    assert tags_of(["go", "build", "-tags=netgo", "."]) == ("netgo",)
    assert tags_of(["go", "build", "."]) == ()
