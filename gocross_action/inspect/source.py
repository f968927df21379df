"""Bounded reads from a file that may be hostile: every read is clamped to the file's size and to
``MAX_READ``, so a header that claims a huge table cannot make us allocate more than that.
``AddressSpace`` maps virtual addresses (segments, sections) to file offsets."""

from __future__ import annotations

import mmap
import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import BinaryIO

from .binary import FormatError

MAX_READ = 16 << 20  # no single structure we read is larger than this in a real binary
MAX_STRING = 1 << 20  # build info, interpreter paths, names


class Source:
    """A read-only regular file with bounded, offset-based reads (over an mmap when it can)."""

    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle
        self.size = os.fstat(handle.fileno()).st_size
        self._map: mmap.mmap | None = None
        if self.size:
            try:
                self._map = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
            except (OSError, ValueError):  # a file system without mmap: plain reads
                self._map = None

    def close(self) -> None:
        if self._map is not None:
            self._map.close()
            self._map = None

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
        if self._map is not None:
            return self._map[offset : offset + size]
        self.handle.seek(offset)
        data = self.handle.read(size)
        if exact and len(data) < size:
            raise FormatError(f"{what}: truncated")
        return data

    def find(self, needle: bytes, start: int, end: int) -> int:
        """The file offset of ``needle`` within ``[start, end)``, or -1 (no copy of the range)."""
        start, end = max(start, 0), min(end, self.size)
        if start >= end:
            return -1
        if self._map is not None:
            return self._map.find(needle, start, end)
        found = self.read(start, end - start, exact=False).find(needle)
        return -1 if found < 0 else start + found

    def cstring(self, offset: int, *, limit: int = 4096, what: str = "string") -> str:
        """A NUL-terminated string at ``offset`` (at most ``limit`` bytes)."""
        data = self.read(offset, limit, exact=False, what=what)
        end = data.find(b"\0")
        if end < 0:
            raise FormatError(f"{what}: unterminated string at {offset:#x}")
        return data[:end].decode("utf-8", "replace")


@dataclass(frozen=True)
class Region:
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
