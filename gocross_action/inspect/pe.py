"""PE/COFF (Windows): a small exact parser of the headers we need (COFF header, optional header,
section table, import directory), following the PE/COFF specification's layouts."""

from __future__ import annotations

import itertools
import struct

from . import buildinfo
from .binary import VARIANT_SETTING, BinaryInfo, FormatError, GoInfo
from .source import AddressSpace, Region, Source

MAX_SECTIONS = 96  # the PE loader's own limit
MAX_IMPORTS = 4096
MAX_SYMBOLS = 1 << 20
MAX_SYMBOL_HITS = 1 << 16  # places a symbol's name offset is checked at (misaligned ones are skipped)
IMAGE_FILE_MACHINE = {0x14C: "386", 0x8664: "amd64", 0x1C4: "arm", 0xAA64: "arm64", 0x5064: "riscv64"}
DYNAMIC_BASE = 0x40
SCN_INITIALIZED_DATA = 0x40
SCN_READ = 0x40000000
SCN_WRITE = 0x80000000
SCN_ALIGN_32BYTES = 0x600000


def read(source: Source, path: str) -> BinaryInfo:
    lfanew = struct.unpack("<I", source.read(0x3C, 4, what="DOS header"))[0]
    if source.read(lfanew, 4, what="PE signature") != b"PE\0\0":
        raise FormatError("MZ file without a PE signature (DOS executable or corrupt)")
    coff = source.read(lfanew + 4, 20, what="COFF header")
    machine, nsections, _stamp, symptr, nsyms, opt_size, _chars = struct.unpack("<HHIIIHH", coff)
    if nsections > MAX_SECTIONS:
        raise FormatError(
            f"COFF header claims {nsections} sections (the loader accepts at most {MAX_SECTIONS})"
        )
    opt_at = lfanew + 24
    optional = source.read(opt_at, opt_size, what="optional header")
    if len(optional) < 2:
        raise FormatError("PE file without an optional header (an object file, not an executable)")
    magic = struct.unpack_from("<H", optional)[0]
    if magic == 0x10B:
        bits, image_base_at, dirs_at = 32, 28, 96
    elif magic == 0x20B:
        bits, image_base_at, dirs_at = 64, 24, 112
    else:
        raise FormatError(f"unknown PE optional header magic {magic:#x}")
    if len(optional) < dirs_at:
        raise FormatError("PE optional header is truncated")
    image_base = (
        struct.unpack_from("<I", optional, image_base_at)[0]
        if bits == 32
        else struct.unpack_from("<Q", optional, image_base_at)[0]
    )
    dll_chars = struct.unpack_from("<H", optional, 70)[0]
    ndirs = struct.unpack_from("<I", optional, dirs_at - 4)[0]
    import_rva = 0
    if ndirs > 1 and len(optional) >= dirs_at + 16:
        import_rva = struct.unpack_from("<I", optional, dirs_at + 8)[0]

    table = source.read(opt_at + opt_size, 40 * nsections, what="section table")
    regions: list[Region] = []
    writable: list[bool] = []
    data_start: tuple[int, int] | None = None
    for i in range(nsections):
        _name, vsize, vaddr, rawsize, rawptr = struct.unpack_from("<8sIIII", table, 40 * i)
        chars = struct.unpack_from("<I", table, 40 * i + 36)[0]
        regions.append(Region(image_base + vaddr, max(vsize, rawsize), rawptr, rawsize))
        writable.append(bool(chars & SCN_WRITE))
        wanted = SCN_INITIALIZED_DATA | SCN_READ | SCN_WRITE
        if data_start is None and vaddr and vsize and chars & ~SCN_ALIGN_32BYTES == wanted:
            data_start = (image_base + vaddr, vsize)
    clamped = _clamped(regions)
    space = AddressSpace(source, clamped)

    needed = _imports(space, image_base, import_rva) if import_rva else []
    go = buildinfo.read(space, *data_start) if data_start else None
    if go is None and nsyms:
        go = _build_version(space, source, symptr, nsyms, regions, bits)
    if go is None:  # stripped, build info removed: the string runtime.buildVersion points at
        by_addr = {r.addr: w for r, w in zip(regions, writable, strict=True)}
        go = buildinfo.version_from_strings(
            space,
            [r for r in clamped if not by_addr.get(r.addr)],
            [r for r in clamped if by_addr.get(r.addr)],
            bits // 8,
            False,
        )
    goarch = IMAGE_FILE_MACHINE.get(machine)
    settings = go.settings if go else {}
    goarch = settings.get("GOARCH") or goarch
    variant_key = VARIANT_SETTING.get(goarch or "")
    return BinaryInfo(
        path=path,
        format="pe",
        goos="windows",
        goarch=goarch,
        variant=(settings.get(variant_key) or None) if variant_key else None,
        bits=bits,
        endian="little",
        linkage=None,
        interpreter=None,
        needed=tuple(needed),
        pie=bool(dll_chars & DYNAMIC_BASE),
        stripped=nsyms == 0,
        go=go,
        goos_source="PE format",
    )


def _clamped(regions: list[Region]) -> list[Region]:
    """Sections as the loader maps them: each ends where the next begins (linkers may write a
    debug section's virtual size larger than the gap before the next section)."""
    ordered = sorted(regions, key=lambda r: r.addr)
    out = []
    for region, after in zip(ordered, [*ordered[1:], None], strict=True):
        size = region.size if after is None else min(region.size, max(after.addr - region.addr, 0))
        out.append(Region(region.addr, size, region.offset, min(region.filesz, size)))
    return out


def _imports(space: AddressSpace, image_base: int, import_rva: int) -> list[str]:
    """DLL names of the import directory, in order."""
    addr = image_base + import_rva
    names: list[str] = []
    for i in range(MAX_IMPORTS):
        entry = space.read(addr + 20 * i, 20)
        if len(entry) < 20:
            raise FormatError("import directory runs past its section")
        name_rva = struct.unpack_from("<I", entry, 12)[0]
        if entry == b"\0" * 20:
            return names
        raw = space.read(image_base + name_rva, 256) if name_rva else b""
        end = raw.find(b"\0")
        if end < 0:
            raise FormatError("import directory names an unterminated DLL name")
        names.append(raw[:end].decode("ascii", "replace"))
    raise FormatError("import directory without an end")


def _build_version(
    space: AddressSpace, source: Source, symptr: int, nsyms: int, regions: list[Region], bits: int
) -> GoInfo | None:
    """``runtime.buildVersion`` from the COFF symbol table (binaries older than build info): the
    name is found in the string table, then the symbol naming that offset at an 18-byte record
    boundary of the table (no walk over the symbols)."""
    if nsyms > MAX_SYMBOLS:
        return None
    strtab_at = symptr + 18 * nsyms
    head = source.read(strtab_at, 4, exact=False)
    if len(head) < 4:
        return None
    strtab_end = strtab_at + struct.unpack("<I", head)[0]
    names = list(itertools.islice(source.finditer(b"runtime.buildVersion\0", strtab_at + 4, strtab_end), 16))
    for at in names:
        needle = b"\0\0\0\0" + struct.pack("<I", at - strtab_at)
        for found in itertools.islice(source.finditer(needle, symptr, strtab_at), MAX_SYMBOL_HITS):
            if (found - symptr) % 18:
                continue
            value, section = struct.unpack("<Ih", source.read(found + 8, 6, what="COFF symbol"))
            if 0 < section <= len(regions):
                addr = regions[section - 1].addr + value
                return buildinfo.version_only(buildinfo.read_go_string(space, addr, bits // 8, False))
    return None
