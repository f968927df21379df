"""Hand-built ELF files for the hostile-table tests: a 64-bit little-endian header, the given
sections laid out one after the other, then the section name table and the section headers."""

from __future__ import annotations

import struct
from dataclasses import dataclass

SHT_STRTAB, SHT_NOTE, SHT_DYNSYM = 3, 7, 11
SHT_GNU_VERNEED, SHT_GNU_VERSYM = 0x6FFFFFFE, 0x6FFFFFFF


@dataclass(frozen=True)
class Section:
    name: str
    kind: int
    data: bytes = b""
    link: int = 0  # index into the section list + 1 (0 is the null section)
    info: int = 0
    entsize: int = 0
    offset: int | None = None  # point at bytes already written instead of writing ``data``
    size: int | None = None  # the header's sh_size when not len(data)


def elf64(sections: list[Section], *, machine: int = 62) -> bytes:
    names = b"\0"
    name_at = []
    for section in [*sections, Section(".shstrtab", SHT_STRTAB)]:
        name_at.append(len(names))
        names += section.name.encode() + b"\0"
    body = bytearray(64)
    offsets = []
    for section in sections:
        body += bytes(-len(body) % 8)
        offsets.append(len(body) if section.offset is None else section.offset)
        if section.offset is None:
            body += section.data
    names_at = len(body)
    body += names
    body += bytes(-len(body) % 8)
    shoff = len(body)
    headers = [bytes(64)]
    for i, section in enumerate(sections):
        size = len(section.data) if section.size is None else section.size
        headers.append(
            struct.pack(
                "<IIQQQQIIQQ",
                name_at[i],
                section.kind,
                0,
                0,
                offsets[i],
                size,
                section.link,
                section.info,
                8,
                section.entsize,
            )
        )
    headers.append(
        struct.pack("<IIQQQQIIQQ", name_at[-1], SHT_STRTAB, 0, 0, names_at, len(names), 0, 0, 1, 0)
    )
    shnum = len(headers)
    ident = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8)
    header = ident + struct.pack(
        "<HHIQQQIHHHHHH", 2, machine, 1, 0x401000, 0, shoff, 0, 64, 56, 0, 64, shnum, shnum - 1
    )
    body[:64] = header
    return bytes(body) + b"".join(headers)


def strtab(*names: str) -> tuple[bytes, dict[str, int]]:
    """A string table and the offset of each name in it."""
    data = b"\0"
    at = {}
    for name in names:
        at[name] = len(data)
        data += name.encode() + b"\0"
    return data, at


def verneed(needs: list[tuple[int, int, int, int]], auxes: list[tuple[int, int, int]]) -> bytes:
    """Raw ``Verneed`` entries (cnt, file, aux, next) followed by ``Vernaux`` entries
    (other, name, next), exactly as given: the tests choose the links."""
    data = b"".join(struct.pack("<HHIII", 1, cnt, file, aux, nxt) for cnt, file, aux, nxt in needs)
    return data + b"".join(struct.pack("<IHHII", 0, 0, other, name, nxt) for other, name, nxt in auxes)


def versioned(symbols: int, top: list[int], *, versym_entsize: int = 2) -> bytes:
    """An ELF whose ``.dynsym`` has ``symbols`` entries, all bound to GLIBC_2.2.5 except those in
    ``top``, bound to GLIBC_2.34."""
    names = [f"sym{i}" for i in top]
    dynstr, at = strtab("libc.so.6", "GLIBC_2.2.5", "GLIBC_2.34", *names)
    dynsym = bytearray(24 * symbols)
    for i, name in zip(top, names, strict=True):
        struct.pack_into("<I", dynsym, 24 * i, at[name])
    versions = bytearray(struct.pack("<H", 2) * symbols)
    struct.pack_into("<H", versions, 0, 0)
    for i in top:
        struct.pack_into("<H", versions, 2 * i, 3)
    needs = verneed([(2, at["libc.so.6"], 16, 0)], [(2, at["GLIBC_2.2.5"], 16), (3, at["GLIBC_2.34"], 0)])
    return elf64(
        [
            Section(".dynstr", SHT_STRTAB, dynstr),
            Section(".dynsym", SHT_DYNSYM, bytes(dynsym), link=1, entsize=24),
            Section(".gnu.version", SHT_GNU_VERSYM, bytes(versions), link=2, entsize=versym_entsize),
            Section(".gnu.version_r", SHT_GNU_VERNEED, needs, link=1, info=1),
        ]
    )
