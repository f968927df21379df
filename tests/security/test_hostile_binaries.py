"""Hostile binaries: tables that claim millions of entries, chains that loop or run outside their
section, counts no real binary has, and files that are not files. Whatever the bytes, ``inspect``
answers in milliseconds to linear time, never raises, and a malformed table is the finding
``artifact.malformed`` (exit 2, one line on stderr), not a hang or exit 3."""

from __future__ import annotations

import json
import os
import struct
import threading
import time
from pathlib import Path

import pytest

from gocross_action.checks.binary import judge
from gocross_action.inspect import BinaryInfo, read
from tests.conftest import run_gocross
from tests.security.elf_builder import (
    SHT_DYNSYM,
    SHT_GNU_VERNEED,
    SHT_GNU_VERSYM,
    SHT_NOTE,
    SHT_STRTAB,
    Section,
    elf64,
    strtab,
    verneed,
    versioned,
)

FAST = 2.0  # seconds: every hostile file here is read in milliseconds; this only catches a hang


def _timed_read(path: Path) -> tuple[BinaryInfo, float]:
    started = time.monotonic()
    info = read(path)
    return info, time.monotonic() - started


def test_a_million_dynamic_symbols_cost_only_the_symbols_that_set_the_glibc_floor(tmp_path: Path) -> None:
    path = tmp_path / "million"
    path.write_bytes(versioned(1_000_000, [7, 500_000, 999_999]))
    info, took = _timed_read(path)
    assert took < FAST
    assert info.error is None
    assert info.glibc_required == "2.34"
    assert info.floor_symbols == (
        "sym500000@GLIBC_2.34",
        "sym7@GLIBC_2.34",
        "sym999999@GLIBC_2.34",
    )


def test_gnu_version_with_entry_size_zero_is_read_not_divided_by(tmp_path: Path) -> None:
    path = tmp_path / "entsize0"
    path.write_bytes(versioned(16, [3], versym_entsize=0))
    info = read(path)
    assert info.error is None
    assert (info.glibc_required, info.floor_symbols) == ("2.34", ("sym3@GLIBC_2.34",))


def test_a_4096_by_4096_version_needs_chain_made_of_zero_links_ends_at_once(tmp_path: Path) -> None:
    # One Verneed claiming 4096 auxes, the section claiming 4096 needs, every link zero: a reader
    # that follows counts instead of links walks 16 million entries.
    dynstr, at = strtab("libc.so.6", "GLIBC_2.17")
    needs = verneed([(4096, at["libc.so.6"], 16, 0)], [(2, at["GLIBC_2.17"], 0)])
    path = tmp_path / "chain"
    path.write_bytes(
        elf64(
            [
                Section(".dynstr", SHT_STRTAB, dynstr),
                Section(".gnu.version_r", SHT_GNU_VERNEED, needs, link=1, info=4096),
            ]
        )
    )
    info, took = _timed_read(path)
    assert took < FAST
    assert info.error is None and info.glibc_required == "2.17"


@pytest.mark.parametrize(
    ("name", "needs", "auxes", "info"),
    [
        # the section claims 4096 needs; the first links to a next one past the section's end
        ("needs-past-the-section", [(1, 1, 16, 4096)], [(2, 1, 0)], 4096),
        # an aux chain claiming 4096 entries linked 16 bytes apart, in a 32-byte section
        ("auxes-past-the-section", [(4096, 1, 16, 0)], [(2, 1, 16)], 1),
        # more entries than any real binary: 5000 auxes, all really there
        ("five-thousand-versions", [(5000, 1, 16, 0)], [(2, 1, 16)] * 4999 + [(2, 1, 0)], 1),
    ],
)
def test_version_needs_that_outrun_their_section_or_any_real_count_are_malformed(
    tmp_path: Path,
    name: str,
    needs: list[tuple[int, int, int, int]],
    auxes: list[tuple[int, int, int]],
    info: int,
) -> None:
    path = tmp_path / name
    path.write_bytes(
        elf64(
            [
                Section(".dynstr", SHT_STRTAB, b"\0libc.so.6\0"),
                Section(".gnu.version_r", SHT_GNU_VERNEED, verneed(needs, auxes), link=1, info=info),
            ]
        )
    )
    result, took = _timed_read(path)
    assert took < FAST
    assert result.malformed and result.error and ".gnu.version_r" in result.error
    (finding,) = judge(result, expect=None, deploy=(), glibc_max=None, require_static=False)
    assert finding.rule == "artifact.malformed" and finding.category == "exec-format-error"


def _note(name: bytes, kind: int) -> bytes:
    padded = name + bytes(-len(name) % 4)
    return struct.pack("<III", len(name), 0, kind) + padded


def test_4096_note_sections_over_the_same_bytes_are_read_once(tmp_path: Path) -> None:
    notes = _note(b"GNU\0", 1) * 4096  # 64 KiB of notes
    sections = [Section(".note.0", SHT_NOTE, notes)]
    sections += [Section(f".note.{i}", SHT_NOTE, offset=64, size=len(notes)) for i in range(1, 4000)]
    path = tmp_path / "notes"
    path.write_bytes(elf64(sections))
    info, took = _timed_read(path)
    assert took < FAST
    assert info.error is None


def test_4000_distinct_note_sections_are_malformed(tmp_path: Path) -> None:
    notes = _note(b"GNU\0", 1) * 4096
    sections = [Section(".note.0", SHT_NOTE, notes)]
    sections += [
        Section(f".note.{i}", SHT_NOTE, offset=64 + 4 * i, size=len(notes) - 4 * i) for i in range(1, 4000)
    ]
    path = tmp_path / "notes"
    path.write_bytes(elf64(sections))
    info, took = _timed_read(path)
    assert took < FAST
    assert info.malformed and "note" in (info.error or "")


def test_a_section_past_the_end_of_the_file_is_malformed_not_a_smaller_binary(tmp_path: Path) -> None:
    path = tmp_path / "short"
    path.write_bytes(elf64([Section(".rodata", 1, b"x" * 64, size=1 << 30)]))
    info = read(path)
    assert info.malformed and info.error and "truncated" in info.error


def _pe_with_looping_imports() -> bytes:
    """A PE whose import directory never ends: every descriptor is the same non-zero entry."""
    dos = b"MZ" + bytes(0x3A) + struct.pack("<I", 0x40)
    optional = bytearray(240)
    struct.pack_into("<H", optional, 0, 0x20B)
    struct.pack_into("<Q", optional, 24, 0x140000000)
    struct.pack_into("<I", optional, 108, 16)  # NumberOfRvaAndSizes
    struct.pack_into("<II", optional, 120, 0x1000, 0x10000)  # import directory
    coff = b"PE\0\0" + struct.pack("<HHIIIHH", 0x8664, 1, 0, 0, 0, len(optional), 0x22)
    headers = dos + coff + bytes(optional)
    section = struct.pack("<8sIIIIIIHHI", b".idata", 0x20000, 0x1000, 0x20000, 0x400, 0, 0, 0, 0, 0x40000040)
    image = bytearray(0x400 - len(headers) - len(section))
    descriptor = struct.pack("<IIIII", 0, 0, 0, 0x1000 + 20 * 8000, 0)
    body = descriptor * 5000 + bytes(0x20000 - 20 * 5000)
    body = body[: 20 * 8000] + b"kernel32.dll\0" + body[20 * 8000 + 13 :]
    return headers + section + bytes(image) + body[:0x20000]


def test_pe_import_directory_without_an_end_is_malformed(tmp_path: Path) -> None:
    path = tmp_path / "imports.exe"
    path.write_bytes(_pe_with_looping_imports())
    info, took = _timed_read(path)
    assert took < FAST
    assert info.malformed and "import" in (info.error or "")


def test_universal_file_with_an_architecture_outside_the_file_is_malformed(tmp_path: Path) -> None:
    thin = b"\xcf\xfa\xed\xfe" + struct.pack("<iIIIIII", 0x01000007, 3, 2, 0, 0, 0, 0)
    fat = b"\xca\xfe\xba\xbe" + struct.pack(">I", 2)
    fat += struct.pack(">iIIII", 0x01000007, 3, 48, len(thin), 0)
    fat += struct.pack(">iIIII", 0x0100000C, 0, 48, 1 << 30, 0)
    path = tmp_path / "fat"
    path.write_bytes(fat + bytes(48 - len(fat)) + thin)
    info = read(path)
    assert info.malformed and "architecture 1" in (info.error or "")


def test_macho_with_millions_of_load_commands_claimed_is_malformed_fast(tmp_path: Path) -> None:
    header = b"\xcf\xfa\xed\xfe" + struct.pack("<iIIIIII", 0x01000007, 3, 2, 50_000_000, 8, 0, 0)
    path = tmp_path / "macho"
    path.write_bytes(header + struct.pack("<II", 0x2, 8))
    info, took = _timed_read(path)
    assert took < FAST and info.malformed


def test_a_fifo_given_as_a_binary_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    done: list[BinaryInfo] = []
    reader = threading.Thread(target=lambda: done.append(read(fifo)), daemon=True)
    reader.start()
    reader.join(FAST)
    if not done:  # unblock the reader so the test run can end, then fail
        with open(fifo, "wb"):
            pass
        pytest.fail("reading a FIFO blocked")
    info = done[0]
    assert info.error == "not a regular file (a FIFO): only regular files are read"
    assert not info.malformed


def test_a_device_given_as_a_binary_is_refused() -> None:
    info, took = _timed_read(Path("/dev/zero"))
    assert took < FAST
    assert info.error == "not a regular file (a character device): only regular files are read"


def test_cli_reports_a_hostile_elf_as_malformed_with_exit_2_and_one_line(tmp_path: Path) -> None:
    hostile = tmp_path / "chain"
    hostile.write_bytes(
        elf64(
            [
                Section(".dynstr", SHT_STRTAB, b"\0libc.so.6\0"),
                Section(".gnu.version_r", SHT_GNU_VERNEED, verneed([(4096, 1, 16, 0)], [(2, 1, 16)]), link=1),
            ]
        )
    )
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    started = time.monotonic()
    result = run_gocross(["inspect", "--format", "json", str(hostile), str(fifo)])
    assert time.monotonic() - started < 30
    assert result.code == 2, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 2  # one line per bad file
    report = json.loads(result.stdout)
    (finding,) = report["findings"]
    assert finding["rule"] == "artifact.malformed"
    assert str(hostile) in finding["evidence"][0]["text"]
    assert [b["error"] is not None for b in report["binaries"]] == [True, True]


def test_macho_with_more_load_commands_than_any_real_binary_is_malformed(tmp_path: Path) -> None:
    count = 9000  # each a well-formed 8-byte command: only the count is absurd
    header = b"\xcf\xfa\xed\xfe" + struct.pack("<iIIIIII", 0x01000007, 3, 2, count, 8 * count, 0, 0)
    path = tmp_path / "macho"
    path.write_bytes(header + struct.pack("<II", 0x99, 8) * count)
    info, took = _timed_read(path)
    assert took < FAST
    assert info.malformed and "9000 load commands" in (info.error or "")


def test_a_gnu_version_table_full_of_near_misses_is_malformed_not_slow(tmp_path: Path) -> None:
    # Every entry is 0x0303: its bytes look like the floor's index 3 everywhere, yet none is 3.
    dynstr, at = strtab("libc.so.6", "GLIBC_2.2.5", "GLIBC_2.34")
    needs = verneed([(2, at["libc.so.6"], 16, 0)], [(2, at["GLIBC_2.2.5"], 16), (3, at["GLIBC_2.34"], 0)])
    symbols = 200_000
    path = tmp_path / "near-misses"
    path.write_bytes(
        elf64(
            [
                Section(".dynstr", SHT_STRTAB, dynstr),
                Section(".dynsym", SHT_DYNSYM, bytes(24 * symbols), link=1, entsize=24),
                Section(".gnu.version", SHT_GNU_VERSYM, b"\x03" * (2 * symbols), link=2, entsize=2),
                Section(".gnu.version_r", SHT_GNU_VERNEED, needs, link=1, info=1),
            ]
        )
    )
    info, took = _timed_read(path)
    assert took < FAST
    assert info.malformed and ".gnu.version" in (info.error or "")
