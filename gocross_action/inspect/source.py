"""Bounded reads from a file that may be hostile: every read is clamped to the file's size and to
``MAX_READ``, so a header that claims a huge table cannot make us allocate more than that.
``AddressSpace`` maps virtual addresses (segments, sections) to file offsets."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Iterator
from typing import BinaryIO, NamedTuple

from .binary import FormatError

MAX_READ = 16 << 20  # no single structure we read is larger than this in a real binary
MAX_STRING = 1 << 20  # build info, interpreter paths, names


FIND_CHUNK = 1 << 20
_local = threading.local()


def _buffer() -> bytearray:
    """This thread's scan buffer (allocated once: its pages are touched once per process)."""
    buffer: bytearray | None = getattr(_local, "buffer", None)
    if buffer is None:
        buffer = _local.buffer = bytearray(FIND_CHUNK)
    return buffer


class Source:
    """A read-only regular file with bounded, offset-based reads (``pread``: a read costs a
    system call, never a page fault per page touched as an mmap would, nor a seek)."""

    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle
        self.size = os.fstat(handle.fileno()).st_size
        self._fd = handle.fileno()

    def close(self) -> None:
        """Nothing to release (the caller closes the handle); kept for symmetry."""

    def read(self, offset: int, size: int, *, exact: bool = True, what: str = "data") -> bytes:
        """``size`` bytes at ``offset``; with ``exact`` a short read is a ``FormatError``."""
        if offset < 0 or size < 0:
            raise FormatError(f"{what}: negative offset or size")
        if size > MAX_READ:
            if exact:
                raise FormatError(f"{what}: size {size} is implausibly large")
            size = MAX_READ
        if offset >= self.size:
            if exact and size:
                raise FormatError(
                    f"{what}: offset {offset:#x} is past the end of the file ({self.size} bytes)"
                )
            return b""
        if exact and offset + size > self.size:
            raise FormatError(f"{what}: truncated")
        size = min(size, self.size - offset)
        data = os.pread(self._fd, size, offset)
        if exact and len(data) < size:
            raise FormatError(f"{what}: truncated")
        return data

    def find(self, needle: bytes, start: int, end: int) -> int:
        """The file offset of ``needle`` within ``[start, end)``, or -1."""
        return next(self.finditer(needle, start, end), -1)

    def finditer(self, needle: bytes, start: int, end: int) -> Iterator[int]:
        """File offsets of every occurrence of ``needle`` within ``[start, end)``, in one pass."""
        for at, buffer, got in self.chunks(start, end, len(needle) - 1):
            found = buffer.find(needle, 0, got)
            while found >= 0:
                yield at + found
                found = buffer.find(needle, found + 1, got)

    def chunks(self, start: int, end: int, overlap: int = 0) -> Iterator[tuple[int, bytearray, int]]:
        """``[start, end)`` as (file offset, buffer, length) chunks read into a reused buffer (no
        copy of the range, no fresh pages per table); consecutive chunks share ``overlap`` bytes.
        The buffer is this thread's: finish one scan before starting another."""
        start, end = max(start, 0), min(end, self.size)
        buffer = _buffer()
        at = start
        while at < end:
            want = min(len(buffer), end - at)
            got = os.preadv(self._fd, [memoryview(buffer)[:want]], at)
            if got <= 0:
                return
            yield at, buffer, got
            if at + got >= end or got <= overlap:
                return
            at += got - overlap

    def cstring(self, offset: int, *, limit: int = 4096, what: str = "string") -> str:
        """A NUL-terminated string at ``offset`` (at most ``limit`` bytes)."""
        data = self.read(offset, limit, exact=False, what=what)
        end = data.find(b"\0")
        if end < 0:
            raise FormatError(f"{what}: unterminated string at {offset:#x}")
        return data[:end].decode("utf-8", "replace")


class Region(NamedTuple):
    """``size`` bytes of the address space at ``addr`` backed by ``filesz`` file bytes at ``offset``."""

    addr: int
    size: int
    offset: int
    filesz: int


class AddressSpace:
    def __init__(self, source: Source, regions: Iterable[Region]) -> None:
        self.source = source
        self.regions = [r for r in regions if r.size > 0]

    def region(self, addr: int) -> Region | None:
        for region in self.regions:
            if region.addr <= addr < region.addr + region.size:
                return region
        return None

    def read(self, addr: int, size: int) -> bytes:
        """Up to ``size`` bytes at ``addr``, stopping at the end of the region's file bytes."""
        region = self.region(addr)
        if region is None:
            return b""
        delta = addr - region.addr
        available = max(min(region.filesz, region.size) - delta, 0)
        return self.source.read(region.offset + delta, min(size, available, MAX_READ), exact=False)
