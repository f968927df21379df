"""Readers that describe binaries from their bytes, without judgement: ``read(path)`` sniffs the
format and hands the file to the reader of that format (imported only when needed).

``read`` never raises for a bad file: a file that cannot be read, is truncated, corrupt or hostile
comes back with ``error`` set (and ``format`` "unknown" when not even the format is recognised).
"""

from __future__ import annotations

import errno
import importlib
import os
import stat
import struct
from pathlib import Path
from typing import BinaryIO

from .binary import BinaryInfo, FormatError, GoInfo, Module
from .source import Source

__all__ = ["BinaryInfo", "GoInfo", "Module", "read", "sniff"]

KNOWN = "ELF, PE, Mach-O, XCOFF, Plan 9 a.out, WebAssembly"


def sniff(head: bytes) -> str:
    """The format of a file from its first 16 bytes: elf, pe, macho, xcoff, plan9, wasm, unknown."""
    from .macho import MAGICS, is_fat
    from .plan9 import sniff as is_plan9

    if head.startswith(b"\x7fELF"):
        return "elf"
    if head.startswith(b"MZ"):
        return "pe"
    if head[:4] in MAGICS or is_fat(head):
        return "macho"
    if head[:2] in (b"\x01\xdf", b"\x01\xf7"):
        return "xcoff"
    if head.startswith(b"\0asm"):
        return "wasm"
    if is_plan9(head):
        return "plan9"
    return "unknown"


def _open_regular(path: Path) -> BinaryIO:
    """Open ``path`` for reading only if it is a regular file: a FIFO, a socket or a device is
    refused at once (opened non-blocking, so a FIFO without a writer cannot stall the run)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, "is a directory")
        if not stat.S_ISREG(mode):
            raise _NotRegular(_KINDS.get(stat.S_IFMT(mode), "special file"))
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


class _NotRegular(Exception):
    pass


_KINDS = {stat.S_IFIFO: "a FIFO", stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device"}
_KINDS[stat.S_IFSOCK] = "a socket"


def read(path: Path) -> BinaryInfo:
    """Describe the binary at ``path``; problems go into ``BinaryInfo.error`` (a file whose
    format is known but whose tables are corrupt, truncated or hostile also gets ``malformed``)."""
    name = str(path)
    try:
        with _open_regular(path) as handle:
            source = Source(handle)
            try:
                return _read(source, name)
            finally:
                source.close()
    except _NotRegular as exc:
        return BinaryInfo(path=name, error=f"not a regular file ({exc}): only regular files are read")
    except IsADirectoryError:
        return BinaryInfo(path=name, error="is a directory")
    except OSError as exc:
        return BinaryInfo(path=name, error=f"cannot read: {exc.strerror or exc}")


def _read(source: Source, name: str) -> BinaryInfo:
    head = source.read(0, 16, exact=False)
    fmt = sniff(head)
    if fmt == "unknown":
        what = "an empty file" if not head else f"not an executable in a known format ({KNOWN})"
        return BinaryInfo(path=name, error=what)
    reader = importlib.import_module(f"{__name__}.{fmt}")
    try:
        info: BinaryInfo = reader.read(source, name)
        return info
    except FormatError as exc:
        text = f"corrupt {fmt} file: {exc}" if "corrupt" not in str(exc) else str(exc)
        return BinaryInfo(path=name, format=fmt, error=text, malformed=True)
    except (
        struct.error,
        ValueError,
        IndexError,
        KeyError,
        ArithmeticError,
        UnicodeError,
        RecursionError,
        MemoryError,
    ) as exc:
        text = f"corrupt {fmt} file: {type(exc).__name__}: {_one_line(exc)}"
        return BinaryInfo(path=name, format=fmt, error=text, malformed=True)


def _one_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return (lines[0] if lines else "")[:200]
