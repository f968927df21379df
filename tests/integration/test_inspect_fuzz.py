"""Fuzzing the readers from real binaries: truncation, corrupted bytes, huge counts. Whatever the
bytes, ``read`` returns (never raises), quickly, and sets ``error`` when it cannot describe them."""

from __future__ import annotations

import os
import resource
import struct
import tempfile
import time
from functools import cache
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gocross_action.inspect import read
from tests.integration import inspect_binaries as bins

SEEDS = ("linux/amd64", "linux/mips", "windows/386", "darwin/arm64", "aix/ppc64", "plan9/arm", "wasip1/wasm")
# Header fields whose corruption matters most (ELF e_phoff.., PE e_lfanew, Mach-O ncmds...): the
# first 4 KiB hold every header and table pointer of these formats.
HEADER_BYTES = 4096
FUZZ = settings(
    max_examples=int(os.environ.get("GOCROSS_FUZZ_EXAMPLES", "120")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@cache
def seed(target: str) -> bytes:
    return bins.pure()[target].path.read_bytes()


@cache
def scratch() -> Path:
    return Path(tempfile.mkdtemp(prefix="gocross-fuzz-"))


def _inspect(data: bytes) -> None:
    path = scratch() / "sample"
    path.write_bytes(data)
    started = time.monotonic()
    info = read(path)
    assert time.monotonic() - started < 5, "a hostile file must not make the reader hang"
    assert info.path == str(path)
    assert info.format in ("elf", "pe", "macho", "xcoff", "plan9", "wasm", "unknown")
    if info.format == "unknown":
        assert info.error
    info.to_json()


@FUZZ
@given(target=st.sampled_from(SEEDS), cut=st.integers(min_value=0, max_value=200_000))
def test_truncated_binaries_never_raise(target: str, cut: int) -> None:
    _inspect(seed(target)[:cut])


@FUZZ
@given(
    target=st.sampled_from(SEEDS),
    edits=st.lists(st.tuples(st.integers(0, HEADER_BYTES - 1), st.integers(0, 255)), min_size=1, max_size=24),
)
def test_corrupted_headers_never_raise(target: str, edits: list[tuple[int, int]]) -> None:
    data = bytearray(seed(target))
    for at, value in edits:
        data[at] = value
    _inspect(bytes(data))


@FUZZ
@given(
    target=st.sampled_from(SEEDS),
    at=st.integers(0, HEADER_BYTES - 8),
    value=st.sampled_from([0xFFFFFFFF, 0x7FFFFFFF, 0x10000000, 0xFFFF, 0x8000, 1_000_000, 0]),
    width=st.sampled_from(["<I", ">I", "<H", ">H", "<Q", ">Q"]),
)
def test_huge_counts_and_offsets_never_raise_or_blow_up_memory(
    target: str, at: int, value: int, width: str
) -> None:
    data = bytearray(seed(target))
    size = struct.calcsize(width)
    struct.pack_into(width, data, at, value & ((1 << (8 * size)) - 1))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    _inspect(bytes(data))
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kib < 256 * 1024, "reading a hostile file must not allocate hundreds of MB"


@FUZZ
@given(
    junk=st.binary(min_size=0, max_size=512),
    magic=st.sampled_from(
        [
            b"\x7fELF",
            b"MZ",
            b"\xcf\xfa\xed\xfe",
            b"\xca\xfe\xba\xbe",
            b"\x01\xf7",
            b"\0asm\1\0\0\0",
            b"\0\0\x8a\x97",
            b"",
        ]
    ),
)
def test_random_bytes_behind_a_known_magic_never_raise(junk: bytes, magic: bytes) -> None:
    _inspect(magic + junk)
