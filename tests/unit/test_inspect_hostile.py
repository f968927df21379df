"""Hand-made hostile headers: each is a few bytes that claim something absurd. The reader returns
an entry with ``error`` set, quickly, without a traceback."""

from __future__ import annotations

import struct
import time
from pathlib import Path

import pytest

from gocross_action.inspect import read, sniff


def _elf64(*, phnum: int = 0, shnum: int = 0, shoff: int = 0, phoff: int = 64, shentsize: int = 64) -> bytes:
    ident = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8)
    header = struct.pack(
        "<HHIQQQIHHHHHH", 2, 62, 1, 0x401000, phoff, shoff, 0, 64, 56, phnum, shentsize, shnum, 0
    )
    return ident + header


def _macho64(ncmds: int, sizeofcmds: int, commands: bytes) -> bytes:
    return b"\xcf\xfa\xed\xfe" + struct.pack("<iIIIIII", 0x01000007, 3, 2, ncmds, sizeofcmds, 0, 0) + commands


def _pe(nsections: int) -> bytes:
    dos = b"MZ" + bytes(0x3A) + struct.pack("<I", 0x40)
    coff = b"PE\0\0" + struct.pack("<HHIIIHH", 0x8664, nsections, 0, 0, 0, 240, 0x22)
    return dos + coff + struct.pack("<H", 0x20B) + bytes(238)


HOSTILE = {
    "elf-sections-past-the-end": _elf64(shnum=0xFFFF, shoff=0x7FFFFFFF),
    "elf-segments-past-the-end": _elf64(phnum=1000, phoff=0x7FFFFFFFFFFF),
    "elf-extended-section-count": _elf64(shnum=0, shoff=64)
    + struct.pack("<IIQQQQIIQQ", 0, 0, 0, 0, 0, 1 << 40, 0, 0, 0, 0),
    "elf-truncated-ident": b"\x7fELF\x02\x01",
    "elf-bad-class": b"\x7fELF" + bytes([9, 9, 1]) + bytes(57),
    "macho-load-command-of-size-zero": _macho64(1000, 16, struct.pack("<II", 0x19, 0) + bytes(8)),
    "macho-millions-of-commands": _macho64(50_000_000, 8, struct.pack("<II", 0x2, 8)),
    "macho-sizeofcmds-past-the-end": _macho64(1, 0x7FFFFFFF, b""),
    "macho-segment-with-millions-of-sections": _macho64(
        1, 72, struct.pack("<II16sQQQQiiII", 0x19, 72, b"__DATA", 0, 0, 0, 0, 3, 3, 5_000_000, 0)
    ),
    "fat-arch-pointing-past-the-end": b"\xca\xfe\xba\xbe"
    + struct.pack(">IiiIII", 1, 7, 3, 0x7FFFFFF0, 4096, 12),
    "pe-60000-sections": _pe(60000),
    "pe-lfanew-past-the-end": b"MZ" + bytes(0x3A) + struct.pack("<I", 0xFFFFFFF0),
    "xcoff-many-sections": b"\x01\xf7" + struct.pack(">HiQHHi", 0xFFFF, 0, 0, 0, 0, 0),
    "wasm-section-larger-than-file": b"\0asm\1\0\0\0" + b"\x0b\xff\xff\xff\xff\x0f",
    "wasm-import-count-in-billions": b"\0asm\1\0\0\0" + b"\x02\x05\xff\xff\xff\xff\x0f",
    "plan9-data-past-the-end": struct.pack(">8I", 0x8A97, 0x7FFFFFFF, 0x7FFFFFFF, 0, 0, 0, 0, 0) + bytes(8),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_header_gets_an_error_entry_quickly(name: str, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_bytes(HOSTILE[name])
    started = time.monotonic()
    info = read(path)
    assert time.monotonic() - started < 2
    assert info.error, info
    assert "\n" not in info.error
    assert info.to_json()["error"] == info.error


def test_unknown_bytes_are_format_unknown_with_an_error(tmp_path: Path) -> None:
    path = tmp_path / "script.sh"
    path.write_text("#!/bin/sh\necho hi\n")
    info = read(path)
    assert info.format == "unknown"
    assert info.error is not None and "not an executable" in info.error


def test_missing_file_and_directory_are_errors_not_exceptions(tmp_path: Path) -> None:
    assert read(tmp_path / "missing").error == "cannot read: No such file or directory"
    assert read(tmp_path).error == "is a directory"
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    assert read(empty).error == "an empty file"


def test_java_class_files_are_not_mistaken_for_universal_binaries() -> None:
    assert sniff(b"\xca\xfe\xba\xbe\x00\x00\x00\x34") == "unknown"
    assert sniff(b"\xca\xfe\xba\xbe\x00\x00\x00\x02") == "macho"


def test_json_entry_has_exactly_the_contract_keys(tmp_path: Path) -> None:
    path = tmp_path / "x"
    path.write_bytes(b"junk")
    assert list(read(path).to_json()) == [
        "path",
        "format",
        "goos",
        "goarch",
        "variant",
        "bits",
        "endian",
        "linkage",
        "interpreter",
        "needed",
        "glibc_required",
        "pie",
        "stripped",
        "error",
        "go",
    ]
