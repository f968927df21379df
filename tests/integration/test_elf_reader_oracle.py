"""The ELF reader against pyelftools, read independently: for every real ELF file here (Go
cross-builds of every word size and byte order, cgo builds against glibc and musl, Go programs
Debian built, the system's own programs and libraries) both must agree on each fact `gocross
inspect` reports: class, byte order, GOARCH, interpreter, DT_NEEDED, linkage, PIE, stripped, and
the GLIBC floor with the symbols that set it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from elftools.elf.dynamic import DynamicSegment
from elftools.elf.elffile import ELFFile
from elftools.elf.gnuversions import GNUVerNeedSection, GNUVerSymSection
from elftools.elf.segments import InterpSegment

from gocross_action.inspect import read
from tests.integration import inspect_binaries as bins

# e_machine (pyelftools' name), class and byte order -> GOARCH, written here from the ELF
# processor supplements rather than read from the package's target table.
MACHINES = {
    ("EM_X86_64", 64, "little"): "amd64",
    ("EM_386", 32, "little"): "386",
    ("EM_AARCH64", 64, "little"): "arm64",
    ("EM_ARM", 32, "little"): "arm",
    ("EM_PPC64", 64, "big"): "ppc64",
    ("EM_PPC64", 64, "little"): "ppc64le",
    ("EM_S390", 64, "big"): "s390x",
    ("EM_RISCV", 64, "little"): "riscv64",
    ("EM_MIPS", 32, "big"): "mips",
    ("EM_MIPS", 32, "little"): "mipsle",
    ("EM_MIPS", 64, "big"): "mips64",
    ("EM_MIPS", 64, "little"): "mips64le",
    ("EM_LOONGARCH", 64, "little"): "loong64",
}
DF_1_PIE = 0x08000000
GLIBC = re.compile(r"^GLIBC_(\d+)\.(\d+)(?:\.\d+)?$")
NON_ELF_GOOS = ("windows", "darwin", "aix", "plan9", "js", "wasip1")
GO_TARGETS = tuple(t for t in bins.PURE_TARGETS if t.split("/")[0] not in NON_ELF_GOOS)
CGO_BUILDS = (
    "glibc-amd64",
    "glibc-arm64",
    "musl-amd64",
    "musl-static",
    "glibc-static",
    "glibc-static-netgo",
    "stripped",
)
SYSTEM_FILES = tuple(
    path
    for path in (
        Path("/bin/ls"),
        Path("/bin/bash"),
        Path("/usr/bin/gcc"),
        Path("/usr/lib/x86_64-linux-gnu/libc.so.6"),
        Path("/usr/lib/x86_64-linux-gnu/libstdc++.so.6"),
        Path("/usr/lib/x86_64-linux-gnu/libm.so.6"),
        Path("/lib64/ld-linux-x86-64.so.2"),
        Path("/usr/aarch64-linux-gnu/lib/libc.so.6"),
        Path("/usr/lib/musl/lib/libc.so"),
    )
    if path.is_file()
)
FIELDS = (
    "bits",
    "endian",
    "goarch",
    "interpreter",
    "needed",
    "linkage",
    "pie",
    "stripped",
    "glibc_required",
    "floor_symbols",
)


def _glibc_floor(elf: ELFFile) -> tuple[str | None, tuple[str, ...]]:
    """The highest GLIBC_x.y in `.gnu.version_r` and `symbol@GLIBC_x.y[.z]` for every `.dynsym`
    entry whose `.gnu.version` index (hidden bit cleared) names a version at that floor."""
    names: dict[int, str] = {}
    for section in elf.iter_sections():
        if isinstance(section, GNUVerNeedSection):
            for _need, auxiliaries in section.iter_versions():
                for aux in auxiliaries:
                    if GLIBC.match(aux.name):
                        names[aux["vna_other"]] = aux.name
    if not names:
        return None, ()

    def major_minor(name: str) -> tuple[int, int]:
        match = GLIBC.match(name)
        assert match is not None
        return int(match.group(1)), int(match.group(2))

    floor = max(major_minor(name) for name in names.values())
    at_floor = {index: name for index, name in names.items() if major_minor(name) == floor}
    symbols = set()
    for section in elf.iter_sections():
        if isinstance(section, GNUVerSymSection):
            for n in range(1, section.num_symbols()):
                symbol = section.get_symbol(n)
                index = symbol.entry["ndx"]
                if isinstance(index, int) and index & 0x7FFF in at_floor and symbol.name:
                    symbols.add(f"{symbol.name}@{at_floor[index & 0x7FFF]}")
    return f"{floor[0]}.{floor[1]}", tuple(sorted(symbols))


def _oracle(path: Path) -> dict[str, Any]:
    """The facts, as pyelftools reads them."""
    with path.open("rb") as stream:
        elf = ELFFile(stream)
        endian = "little" if elf.little_endian else "big"
        interpreter = None
        needed: list[str] = []
        flags_1 = 0
        for segment in elf.iter_segments():
            if isinstance(segment, InterpSegment) and interpreter is None:
                interpreter = segment.get_interp_name()
            elif isinstance(segment, DynamicSegment):
                for tag in segment.iter_tags():
                    if tag.entry.d_tag == "DT_NEEDED":
                        needed.append(tag.needed)  # type: ignore[attr-defined]  # set for DT_NEEDED
                    elif tag.entry.d_tag == "DT_FLAGS_1":
                        flags_1 = tag.entry.d_val
        glibc_required, floor_symbols = _glibc_floor(elf)
        dynamic = interpreter is not None or bool(needed)
        executable_dso = elf["e_type"] == "ET_DYN" and elf["e_entry"] != 0
        return {
            "bits": elf.elfclass,
            "endian": endian,
            "goarch": MACHINES.get((elf["e_machine"], elf.elfclass, endian)),
            "interpreter": interpreter,
            "needed": tuple(needed),
            "linkage": "dynamic" if dynamic else "static",
            # ET_DYN that is run, not only loaded: it names an interpreter, carries DF_1_PIE, or
            # has an entry point (a static PIE, or a library that is also a program like libc).
            "pie": elf["e_type"] == "ET_DYN"
            and (interpreter is not None or bool(flags_1 & DF_1_PIE) or executable_dso),
            "stripped": elf.get_section_by_name(".symtab") is None,
            "glibc_required": glibc_required,
            "floor_symbols": floor_symbols,
        }


def _agree(path: Path) -> None:
    info = read(path)
    assert info.error is None, f"{path}: gocross could not read it: {info.error}"
    assert info.format == "elf", f"{path}: format {info.format!r}"
    ours = {field: getattr(info, field) for field in FIELDS}
    theirs = _oracle(path)
    mismatches = {
        field: f"gocross {ours[field]!r} != pyelftools {theirs[field]!r}"
        for field in FIELDS
        if ours[field] != theirs[field]
    }
    assert not mismatches, f"{path}: " + "; ".join(f"{k}: {v}" for k, v in mismatches.items())


@pytest.mark.parametrize("target", GO_TARGETS)
def test_go_cross_build_reads_as_pyelftools_reads_it(target: str) -> None:
    _agree(bins.pure()[target].path)


@pytest.mark.parametrize("name", CGO_BUILDS)
def test_cgo_build_reads_as_pyelftools_reads_it(name: str) -> None:
    path = bins.cgo(name)
    if path is None:
        pytest.skip(f"no C compiler for the {name} build")
    _agree(path)


@pytest.mark.parametrize("path", bins.debian_fixtures(), ids=lambda p: p.name)
def test_debian_go_program_reads_as_pyelftools_reads_it(path: Path) -> None:
    _agree(path)


@pytest.mark.parametrize("path", SYSTEM_FILES, ids=str)
def test_system_binary_reads_as_pyelftools_reads_it(path: Path) -> None:
    _agree(path)


def test_the_oracle_sees_glibc_floors_and_both_byte_orders() -> None:
    """The comparison is not vacuous: the files above include big-endian and 32-bit ones, and
    binaries whose GLIBC floor is set by named symbols."""
    facts = [_oracle(bins.pure()[t].path) for t in ("linux/s390x", "linux/386")]
    assert [(f["bits"], f["endian"]) for f in facts] == [(64, "big"), (32, "little")]
    glibc = bins.cgo("glibc-amd64")
    if glibc is None:
        pytest.skip("no gcc")
    floor = _oracle(glibc)
    assert floor["glibc_required"] is not None
    assert floor["floor_symbols"]
    assert all("@GLIBC_" + floor["glibc_required"] in s for s in floor["floor_symbols"])
