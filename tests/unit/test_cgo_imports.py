"""cgo.imports_c: telling a file that imports "C" from one that does not, without go."""

from __future__ import annotations

from pathlib import Path

import pytest

from gocross_action.matrix.cgo import CgoUsage, imports_c, required_but_disabled
from gocross_action.targets import Target


@pytest.mark.parametrize(
    "source",
    [
        'package a\n\n// int f(void) { return 1; }\nimport "C"\n\nfunc F() int { return int(C.f()) }\n',
        'package a\n\nimport (\n\t"fmt"\n\t"C"\n)\n',
        'package a\n\n/*\n#include <stdio.h>\n*/\nimport "C"\nimport "fmt"\n',
    ],
)
def test_imports_c_finds_the_cgo_import(tmp_path: Path, source: str) -> None:
    path = tmp_path / "a.go"
    path.write_text(source)
    assert imports_c(path)


@pytest.mark.parametrize(
    "source",
    [
        'package a\n\nimport "fmt"\n\nfunc F() { fmt.Println("C") }\n',
        'package a\n\nimport (\n\t"fmt"\n)\n\nvar s = `\nimport "C"\n`\n',
    ],
)
def test_imports_c_ignores_files_without_it(tmp_path: Path, source: str) -> None:
    path = tmp_path / "a.go"
    path.write_text(source)
    assert not imports_c(path)


def test_usage_sentence_names_the_packages_or_the_fix() -> None:
    target = Target.parse("linux/arm64")
    needing = CgoUsage(target=target, enabled=False, packages=("github.com/mattn/go-sqlite3",))
    assert needing.sentence() == "cgo is needed by github.com/mattn/go-sqlite3"
    none = CgoUsage(target=target, enabled=True, packages=())
    assert none.sentence() == "no package needs cgo for this target: CGO_ENABLED=0 fixes it"


def test_cgo_off_is_the_cause_when_the_failing_log_names_a_cgo_package() -> None:
    usage = CgoUsage(
        target=Target.parse("linux/amd64"),
        enabled=False,
        packages=("example.com/app/cadd",),
        dirs={"example.com/app/cadd": "/src/app/cadd"},
    )
    log = (
        "package example.com/app\n"
        "\timports example.com/app/cadd: build constraints exclude all Go files in /src/app/cadd"
    )
    finding = required_but_disabled(usage, log)
    assert finding is not None
    assert finding.category == "cgo-required-but-disabled"
    assert "example.com/app/cadd" in finding.title


def test_cgo_off_is_not_blamed_for_a_failure_elsewhere() -> None:
    usage = CgoUsage(target=Target.parse("linux/amd64"), enabled=False, packages=("example.com/app/cadd",))
    assert required_but_disabled(usage, "./main.go:3:2: undefined: syscall.Stat_t") is None
    on = CgoUsage(target=Target.parse("linux/amd64"), enabled=True, packages=("example.com/app/cadd",))
    assert required_but_disabled(on, "example.com/app/cadd: something") is None


def test_cgo_is_on_by_default_only_for_native_builds_with_a_compiler(tmp_path: Path) -> None:
    from gocross_action.matrix.host import cgo_by_default

    host = ("linux", "amd64")
    native, cross = Target.parse("linux/amd64"), Target.parse("linux/arm64")
    (tmp_path / "gcc").write_text("#!/bin/sh\n")
    (tmp_path / "gcc").chmod(0o755)
    assert cgo_by_default(native, {"PATH": str(tmp_path)}, host)
    assert not cgo_by_default(native, {"PATH": str(tmp_path / "empty")}, host)
    assert not cgo_by_default(cross, {"PATH": str(tmp_path)}, host)
    assert cgo_by_default(cross, {"CGO_ENABLED": "1"}, host)
    assert not cgo_by_default(native, {"CGO_ENABLED": "0", "PATH": str(tmp_path)}, host)
