"""Mach-O (darwin, ios): a small exact parser of the header and load commands we need
(segments and sections, dylibs, the symbol table counts, the platform), after <mach-o/loader.h>.

A universal (fat) file is read slice by slice: every architecture becomes an entry of ``slices``
and the file's own fields are those of the first (what ``go version`` reads)."""

from __future__ import annotations

import dataclasses
import struct

from . import buildinfo
from .binary import VARIANT_SETTING, BinaryInfo, FormatError
from .source import AddressSpace, Region, Source

MAGICS = {
    b"\xfe\xed\xfa\xce": (32, "big"),
    b"\xce\xfa\xed\xfe": (32, "little"),
    b"\xfe\xed\xfa\xcf": (64, "big"),
    b"\xcf\xfa\xed\xfe": (64, "little"),
}
FAT_MAGIC = b"\xca\xfe\xba\xbe"
FAT_MAGIC_64 = b"\xca\xfe\xba\xbf"
MAX_FAT_ARCHES = 32
MAX_SECTIONS = 1024
MAX_LOAD_COMMANDS = 8192  # a large app has a few hundred (one per dylib, segment...)
CPU_TYPE = {7: "386", 0x01000007: "amd64", 12: "arm", 0x0100000C: "arm64", 0x01000012: "ppc64"}
LC_SEGMENT, LC_SEGMENT_64, LC_SYMTAB, LC_DYSYMTAB = 0x1, 0x19, 0x2, 0xB
LC_LOAD_DYLINKER = 0xE
DYLIB_COMMANDS = {0xC, 0x80000018, 0x8000001F, 0x20, 0x80000023}
LC_BUILD_VERSION, LC_VERSION_MIN_MACOSX, LC_VERSION_MIN_IPHONEOS = 0x32, 0x24, 0x25
IOS_PLATFORMS = {2, 7}  # PLATFORM_IOS, PLATFORM_IOSSIMULATOR
MH_PIE = 0x200000
VM_PROT_RW = 3


def is_fat(head: bytes) -> bool:
    """A universal binary, not a Java class file (which shares the magic; its next word, the
    class file version, is 45 or more where a fat header has a small architecture count)."""
    return head[:4] in (FAT_MAGIC, FAT_MAGIC_64) and 0 < int.from_bytes(head[4:8], "big") <= MAX_FAT_ARCHES


def read(source: Source, path: str) -> BinaryInfo:
    head = source.read(0, 8, what="Mach-O header")
    if not is_fat(head):
        return _read_thin(source, path, 0, source.size)
    wide = head[:4] == FAT_MAGIC_64
    count = int.from_bytes(head[4:8], "big")
    entry_size = 32 if wide else 20
    table = source.read(8, count * entry_size, what="fat architectures")
    slices = []
    for i in range(count):
        if wide:
            _cpu, _sub, offset, size, _align, _reserved = struct.unpack_from(">iIQQII", table, i * entry_size)
        else:
            _cpu, _sub, offset, size, _align = struct.unpack_from(">iIIII", table, i * entry_size)
        if offset + size > source.size or size < 28:
            raise FormatError(
                f"universal binary: architecture {i} ({size} bytes at {offset}) lies outside the file "
                f"({source.size} bytes)"
            )
        slices.append(_read_thin(source, path, offset, offset + size))
    first = slices[0]
    return dataclasses.replace(first, slices=tuple(slices))


def _read_thin(source: Source, path: str, base: int, end: int) -> BinaryInfo:
    """The Mach-O file (or universal slice) in bytes ``[base, end)``."""
    magic = source.read(base, 4, what="Mach-O header")
    if magic not in MAGICS:
        raise FormatError("universal binary with an architecture that is not Mach-O")
    bits, endian = MAGICS[magic]
    order = ">" if endian == "big" else "<"
    header_size = 28 if bits == 32 else 32
    header = source.read(base, header_size, what="Mach-O header")
    cputype, _sub, _filetype, ncmds, sizeofcmds, flags = struct.unpack_from(order + "iIIIII", header, 4)
    if base + header_size + sizeofcmds > end:
        raise FormatError("truncated: load commands run past the end of the file")
    commands = source.read(base + header_size, sizeofcmds, what="load commands")
    if ncmds > sizeofcmds // 8 or ncmds > MAX_LOAD_COMMANDS:
        raise FormatError(f"Mach-O header claims {ncmds} load commands in {sizeofcmds} bytes")

    regions: list[Region] = []
    writable: list[Region] = []
    data_start: tuple[int, int] | None = None
    rw_segment: tuple[int, int] | None = None
    needed: list[str] = []
    interpreter: str | None = None
    nsyms = None
    defined: int | None = None
    ios = False
    sections = 0
    at = 0
    for _ in range(ncmds):
        if at + 8 > len(commands):
            raise FormatError("load commands run past sizeofcmds")
        cmd, size = struct.unpack_from(order + "II", commands, at)
        if size < 8 or at + size > len(commands):
            raise FormatError(f"load command {cmd:#x} has a bad size {size}")
        body = commands[at : at + size]
        if cmd in (LC_SEGMENT, LC_SEGMENT_64):
            wide = cmd == LC_SEGMENT_64
            fmt = order + ("QQQQiiII" if wide else "IIIIiiII")
            fixed = 72 if wide else 56
            if size < fixed:
                raise FormatError("segment command is truncated")
            vmaddr, vmsize, fileoff, filesize, maxprot, initprot, nsects, _flags = struct.unpack_from(
                fmt, body, 24
            )
            if filesize and base + fileoff + filesize > end:
                segname = body[8:24].rstrip(b"\0").decode("ascii", "replace")
                raise FormatError(
                    f"truncated: segment {segname} ends past the end of its bytes ({end - base})"
                )
            regions.append(Region(vmaddr, vmsize, base + fileoff, filesize))
            if initprot & 2:
                writable.append(regions[-1])
            if (
                rw_segment is None
                and vmaddr
                and filesize
                and maxprot == VM_PROT_RW
                and initprot == VM_PROT_RW
            ):
                rw_segment = (vmaddr, vmsize)
            sections += nsects
            if sections > MAX_SECTIONS:
                raise FormatError(f"segments claim more than {MAX_SECTIONS} sections")
            sect_size = 80 if wide else 68
            if fixed + nsects * sect_size > size:
                raise FormatError("segment command claims more sections than it holds")
            for i in range(nsects):
                sect = body[fixed + i * sect_size : fixed + (i + 1) * sect_size]
                if sect[:16].rstrip(b"\0") == b"__go_buildinfo":
                    addr, sect_len = struct.unpack_from(order + ("QQ" if wide else "II"), sect, 32)
                    data_start = (addr, sect_len)
        elif cmd in DYLIB_COMMANDS or cmd == LC_LOAD_DYLINKER:
            name_at = struct.unpack_from(order + "I", body, 8)[0] if size >= 12 else size
            raw = body[name_at:]
            name = raw[: raw.find(b"\0")] if b"\0" in raw else raw
            text = name.decode("utf-8", "replace")
            if cmd == LC_LOAD_DYLINKER:
                interpreter = text
            else:
                needed.append(text)
        elif cmd == LC_SYMTAB and size >= 24:
            nsyms = struct.unpack_from(order + "I", body, 12)[0]
        elif cmd == LC_DYSYMTAB and size >= 32:
            _il, nlocal, _ie, nextdef = struct.unpack_from(order + "IIII", body, 8)
            defined = nlocal + nextdef
        elif cmd == LC_BUILD_VERSION and size >= 12:
            ios = ios or struct.unpack_from(order + "I", body, 8)[0] in IOS_PLATFORMS
        elif cmd == LC_VERSION_MIN_IPHONEOS:
            ios = True
        at += size

    space = AddressSpace(source, regions)
    start = data_start or rw_segment
    go = buildinfo.read(space, *start) if start else None
    if go is None:  # stripped, build info removed: the string runtime.buildVersion points at
        readonly = [r for r in regions if r not in writable and r.filesz]
        go = buildinfo.version_from_strings(space, readonly, writable, bits // 8, endian == "big")
    settings = go.settings if go else {}
    goarch = settings.get("GOARCH") or CPU_TYPE.get(cputype)
    if settings.get("GOOS"):
        goos, goos_source = settings["GOOS"], "build info"
    else:
        goos, goos_source = ("ios", "Mach-O platform") if ios else ("darwin", "Mach-O format")
    variant_key = VARIANT_SETTING.get(goarch or "")
    stripped = (defined == 0) if defined is not None else not nsyms
    return BinaryInfo(
        path=path,
        format="macho",
        goos=goos,
        goarch=goarch,
        variant=(settings.get(variant_key) or None) if variant_key else None,
        bits=bits,
        endian=endian,
        linkage=None,
        interpreter=interpreter,
        needed=tuple(needed),
        pie=bool(flags & MH_PIE),
        stripped=stripped,
        go=go,
        goos_source=goos_source,
    )
