"""XCOFF (aix/ppc64): the file header, section headers and the loader section's import list,
after AIX's <xcoff.h> (Go's debug/xcoff reads the same structures). Always big-endian."""

from __future__ import annotations

import struct

from . import buildinfo
from .binary import VARIANT_SETTING, BinaryInfo, FormatError
from .source import AddressSpace, Region, Source

MAGIC32, MAGIC64 = b"\x01\xdf", b"\x01\xf7"
MAX_SECTIONS = 64
MAX_IMPORTS = 1024
STYP_DATA = 0x40
STYP_LOADER = 0x1000


def read(source: Source, path: str) -> BinaryInfo:
    wide = source.read(0, 2, what="XCOFF header") == MAGIC64
    if wide:
        _m, nsections, _t, _symptr, opt_size, _flags, nsyms = struct.unpack(
            ">HHiQHHi", source.read(0, 24, what="XCOFF header")
        )
        header_size, section_size, section_fmt = 24, 72, ">8sQQQQQQIIIi"
    else:
        _m, nsections, _t, _symptr, nsyms, opt_size, _flags = struct.unpack(
            ">HHiIiHH", source.read(0, 20, what="XCOFF header")
        )
        header_size, section_size, section_fmt = 20, 40, ">8sIIIIIIHHI"
    if nsections > MAX_SECTIONS:
        raise FormatError(f"XCOFF header claims {nsections} sections")
    table = source.read(header_size + opt_size, nsections * section_size, what="section table")
    regions: list[Region] = []
    data_start: tuple[int, int] | None = None
    loader: tuple[int, int] | None = None
    for i in range(nsections):
        fields = struct.unpack_from(section_fmt, table, i * section_size)
        _name, _paddr, vaddr, size, scnptr = fields[:5]
        flags = fields[-1] if not wide else fields[-2]
        regions.append(Region(vaddr, size, scnptr, size))
        if flags & 0xFFFF == STYP_DATA and data_start is None:
            data_start = (vaddr, size)
        if flags & 0xFFFF == STYP_LOADER:
            loader = (scnptr, size)
    space = AddressSpace(source, regions)
    go = buildinfo.read(space, *data_start) if data_start else None
    settings = go.settings if go else {}
    goarch = settings.get("GOARCH") or ("ppc64" if wide else None)
    variant_key = VARIANT_SETTING.get(goarch or "")
    return BinaryInfo(
        path=path,
        format="xcoff",
        goos=settings.get("GOOS") or "aix",
        goarch=goarch,
        variant=(settings.get(variant_key) or None) if variant_key else None,
        bits=64 if wide else 32,
        endian="big",
        needed=tuple(_imports(source, loader, wide)) if loader else (),
        pie=None,
        stripped=nsyms == 0,
        go=go,
        goos_source="build info" if settings.get("GOOS") else "XCOFF format",
    )


def _imports(source: Source, loader: tuple[int, int], wide: bool) -> list[str]:
    """Import file ids of the loader section, as AIX writes them: ``libc.a(shr_64.o)``."""
    offset, size = loader
    if wide:
        _v, _ns, _nr, istlen, nimpid, _stlen, impoff = struct.unpack(
            ">iiiIiIQ", source.read(offset, 32, what="loader header")
        )
    else:
        _v, _ns, _nr, istlen, nimpid, impoff = struct.unpack(
            ">iiiIiI", source.read(offset, 24, what="loader header")
        )
    if nimpid > MAX_IMPORTS or impoff > size:
        raise FormatError(f"loader section claims {nimpid} import files")
    strings = source.read(offset + impoff, istlen, exact=False).split(b"\0")
    names: list[str] = []
    # Each id is three strings (path, base, member); the first id is the default library path.
    for i in range(1, max(nimpid, 0)):
        parts = strings[3 * i : 3 * i + 3]
        if len(parts) < 3:
            break
        path, base, member = (p.decode("utf-8", "replace") for p in parts)
        name = f"{path}/{base}" if path else base
        names.append(f"{name}({member})" if member else name)
    return names
