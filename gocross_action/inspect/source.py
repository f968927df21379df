"""Bounded reads from a file that may be hostile: every read is clamped to the file's size and to
``MAX_READ``, so a header that claims a huge table cannot make us allocate more than that.
``AddressSpace`` maps virtual addresses (segments, sections) to file offsets."""

from __future__ import annotations

import io
import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import BinaryIO

from .binary import FormatError

MAX_READ = 16 << 20  # no single structure we read is larger than this in a real binary
MAX_STRING = 1 << 20  # build info, interpreter paths, names


class Source:
    """A read-only file with bounded, offset-based reads."""

    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle
        self.size = os.fstat(handle.fileno()).st_size

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
        size = min(size, self.size - offset)
        self.handle.seek(offset)
        data = self.handle.read(size)
        if exact and len(data) < size:
            raise FormatError(f"{what}: truncated")
        return data

    def cstring(self, offset: int, *, limit: int = 4096, what: str = "string") -> str:
        """A NUL-terminated string at ``offset`` (at most ``limit`` bytes)."""
        data = self.read(offset, limit, exact=False, what=what)
        end = data.find(b"\0")
        if end < 0:
            raise FormatError(f"{what}: unterminated string at {offset:#x}")
        return data[:end].decode("utf-8", "replace")


class ClampedStream(io.RawIOBase):
    """A file object for third-party parsers (pyelftools) whose reads never exceed what the file
    holds, so a corrupt size field cannot allocate gigabytes. Small reads (header fields, one at
    a time) are served from a few cached pages instead of a system call each."""

    PAGE = 1 << 16
    MAX_PAGES = 64

    def __init__(self, source: Source) -> None:
        super().__init__()
        self._source = source
        self._pos = 0
        self._pages: dict[int, bytes] = {}

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        if whence == 0:
            self._pos = offset
        elif whence == 1:
            self._pos += offset
        else:
            self._pos = self._source.size + offset
        self._pos = max(self._pos, 0)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def _page(self, number: int) -> bytes:
        page = self._pages.get(number)
        if page is None:
            if len(self._pages) >= self.MAX_PAGES:
                self._pages.clear()
            page = self._source.read(number * self.PAGE, self.PAGE, exact=False)
            self._pages[number] = page
        return page

    def read(self, size: int | None = -1) -> bytes:
        remaining = max(self._source.size - self._pos, 0)
        want = remaining if size is None or size < 0 else min(size, remaining)
        if want > MAX_READ:
            raise FormatError(f"a structure at {self._pos:#x} claims {want} bytes")
        start = self._pos
        if want <= 4096:
            number, at = divmod(start, self.PAGE)
            page = self._page(number)
            data = page[at : at + want]
            if len(data) < want:
                data += self._page(number + 1)[: want - len(data)]
        else:
            data = self._source.read(start, want, exact=False)
        self._pos += len(data)
        return data

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


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
