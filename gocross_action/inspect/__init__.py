"""Readers that describe binaries from their bytes, without judgement: ``read(path)`` sniffs the
format and hands the file to the reader of that format (imported only when needed).

``read`` never raises for a bad file: a file that cannot be read, is truncated, corrupt or hostile
comes back with ``error`` set (and ``format`` "unknown" when not even the format is recognised).
"""

from __future__ import annotations

import importlib
import struct
from pathlib import Path

from .binary import BinaryInfo, FormatError, GoInfo, Module

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


def read(path: Path) -> BinaryInfo:
    """Describe the binary at ``path``; problems go into ``BinaryInfo.error``."""
    from .source import Source

    name = str(path)
    try:
        with open(path, "rb") as handle:
            source = Source(handle)
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
                return BinaryInfo(
                    path=name,
                    format=fmt,
                    error=f"corrupt {fmt} file: {exc}" if "corrupt" not in str(exc) else str(exc),
                )
            except (
                struct.error,
                ValueError,
                IndexError,
                OverflowError,
                UnicodeError,
                RecursionError,
                MemoryError,
            ) as exc:
                return BinaryInfo(
                    path=name, format=fmt, error=f"corrupt {fmt} file: {type(exc).__name__}: {exc}"
                )
    except IsADirectoryError:
        return BinaryInfo(path=name, error="is a directory")
    except OSError as exc:
        return BinaryInfo(path=name, error=f"cannot read: {exc.strerror or exc}")
