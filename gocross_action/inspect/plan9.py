"""Plan 9 a.out (plan9/386, amd64, arm): the 32-byte big-endian header (plus the 8-byte 64-bit
entry when the HDR_MAGIC bit is set), after Plan 9's a.out(6) and Go's debug/plan9obj."""

from __future__ import annotations

import struct

from . import buildinfo
from .binary import VARIANT_SETTING, BinaryInfo, FormatError
from .source import AddressSpace, Region, Source

HDR_MAGIC = 0x8000
MAGICS = {0x1EB: ("386", 32), 0x8A97: ("amd64", 64), 0x647: ("arm", 32)}


def sniff(head: bytes) -> bool:
    return len(head) >= 4 and int.from_bytes(head[:4], "big") in MAGICS


def read(source: Source, path: str) -> BinaryInfo:
    magic, text, data, _bss, syms, _entry, _spsz, _pcsz = struct.unpack(
        ">8I", source.read(0, 32, what="a.out header")
    )
    goarch, bits = MAGICS[magic]
    header_size = 40 if magic & HDR_MAGIC else 32
    if header_size + text + data > source.size:
        raise FormatError("text and data run past the end of the file (truncated or corrupt)")
    # debug/buildinfo addresses Plan 9 data by file offset.
    data_at = header_size + text
    space = AddressSpace(
        source, [Region(header_size, text, header_size, text), Region(data_at, data, data_at, data)]
    )
    go = buildinfo.read(space, data_at, data, align=1)  # file offsets need not keep the alignment
    settings = go.settings if go else {}
    return BinaryInfo(
        path=path,
        format="plan9",
        goos="plan9",
        goarch=settings.get("GOARCH") or goarch,
        variant=(settings.get(VARIANT_SETTING[goarch]) or None),
        bits=bits,
        endian="little",
        stripped=syms == 0,
        go=go,
        goos_source="Plan 9 a.out format",
    )
