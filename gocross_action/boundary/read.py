"""Read an untrusted file whole, bounded: regular files only, never blocking, never more than a
limit, and errors that name the file but never echo what it holds.

A FIFO, a device (``/dev/zero``, a terminal) or a directory is refused right after ``open``
(``O_NONBLOCK`` keeps ``open`` itself from waiting for a FIFO's writer); a file larger than the
limit is refused before a byte is read. Files that report a size of 0 but have content (procfs,
``/proc/self/environ``) are still read at most ``limit + 1`` bytes, so the cap holds for them too.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from ..errors import InputError

# Config and rules files are small: a megabyte is far beyond any real one.
CONFIG_LIMIT = 1 << 20
RULES_LIMIT = 1 << 20

_CHUNK = 1 << 16


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _size(limit: int) -> str:
    return f"{limit >> 20} MB" if limit >= 1 << 20 and limit % (1 << 20) == 0 else f"{limit} bytes"


def _open_regular_fd(path: Path | str, what: str) -> tuple[int, os.stat_result]:
    """``path`` opened without blocking (a FIFO or device never stalls the open), with its status
    read from the descriptor; ``InputError`` unless it is a regular file."""
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise InputError(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise InputError(f"cannot read {what} {path}: {_kind(st.st_mode)}, not a regular file")
    except BaseException:
        os.close(fd)
        raise
    return fd, st


def read_bounded(path: Path | str, *, limit: int, what: str) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them; ``InputError`` (exit 2)
    with a one-line message naming ``what`` and the path otherwise."""
    fd, st = _open_regular_fd(path, what)
    try:
        if st.st_size > limit:
            raise InputError(f"cannot read {what} {path}: {st.st_size} bytes, over the {_size(limit)} limit")
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(fd, min(_CHUNK, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise InputError(f"cannot read {what} {path}: larger than the {_size(limit)} limit")
        return b"".join(chunks)
    except OSError as exc:
        raise InputError(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def _read_up_to(fd: int, limit: int) -> bytes:
    chunks: list[bytes] = []
    total = 0
    while total < limit:
        chunk = os.read(fd, min(_CHUNK, limit - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def read_head(path: Path | str, *, limit: int, what: str) -> bytes:
    """The first ``limit`` bytes of the regular file ``path`` (all of it when smaller): for a
    file gocross only needs to scan, such as a build log whose size the build decides."""
    fd, _ = _open_regular_fd(path, what)
    try:
        return _read_up_to(fd, limit)
    except OSError as exc:
        raise InputError(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def read_tail(path: Path | str, *, limit: int, what: str) -> bytes:
    """The last ``limit`` bytes of the regular file ``path`` (all of it when smaller)."""
    fd, st = _open_regular_fd(path, what)
    try:
        os.lseek(fd, max(0, st.st_size - limit), os.SEEK_SET)
        return _read_up_to(fd, limit)
    except OSError as exc:
        raise InputError(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def open_regular(path: Path | str, *, what: str) -> BinaryIO:
    """``path`` opened for streaming (a log of any size), once it is known to be a regular file:
    the check is made on the open descriptor, so nothing swapped in between can block the read."""
    fd, _ = _open_regular_fd(path, what)
    try:
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def decode_utf8(data: bytes, *, path: Path | str, what: str) -> str:
    """``data`` as UTF-8 text; a byte-order mark of UTF-16/32, another encoding or a NUL byte is
    an ``InputError`` saying where (byte offset), without showing the bytes."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or data[:4] in (b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00"):
        raise InputError(f"{what} {path} is UTF-16 or UTF-32 encoded: save it as UTF-8")
    nul = data.find(b"\x00")
    if nul >= 0:
        raise InputError(f"{what} {path} holds a NUL byte (at byte {nul}): it is not a text file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        where = f"at byte {exc.start}"
        raise InputError(f"{what} {path} is not valid UTF-8 ({where}): save it as UTF-8") from None
    return text.removeprefix("\ufeff")


def read_text_bounded(path: Path | str, *, limit: int, what: str) -> str:
    """``read_bounded`` then ``decode_utf8``."""
    return decode_utf8(read_bounded(path, limit=limit, what=what), path=path, what=what)
