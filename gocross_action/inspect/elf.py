"""ELF: an exact parser of the parts we need, after the System V ABI and the LSB's symbol
versioning: the header, program and section headers, the dynamic table, notes, the GNU version
needs, and (for the GLIBC floor) only the ``.gnu.version`` entries that name the highest GLIBC
version, found with ``find`` over the mapped file rather than symbol by symbol.

Every table walk is bounded by the file's size and a count no real binary reaches; a table that
lies outside the file, loops or claims more raises ``FormatError`` (the file is malformed)."""

from __future__ import annotations

import itertools
import re
import struct
from collections.abc import Iterator, Mapping
from functools import cache
from typing import Literal, NamedTuple

from . import buildinfo
from .binary import VARIANT_SETTING, BinaryInfo, FormatError, GoInfo
from .source import AddressSpace, Region, Source

MAX_SECTIONS = 4096
MAX_SEGMENTS = 1024
MAX_DYNAMIC_TAGS = 4096
MAX_NOTE_SPANS = 256  # note sections and segments together (a real binary has a handful)
MAX_NOTES = 4096
MAX_NOTE_BYTES = 64 << 10  # per note section or segment
MAX_VERSION_ENTRIES = 4096  # version needs and their aux entries together (libc has ~40 versions)
MAX_FLOOR_SYMBOLS = 4096  # symbols bound to the highest GLIBC version that are named
MAX_NAME_HITS = 64  # occurrences of one symbol name looked up in a string table
MAX_SCAN_HITS = 1 << 16  # candidates a search may check (a real table has a handful of misses)

ET_DYN = 3
PT_LOAD, PT_DYNAMIC, PT_INTERP, PT_NOTE = 1, 2, 3, 4
PF_X, PF_W = 1, 2
SHT_SYMTAB, SHT_DYNAMIC, SHT_NOTE, SHT_NOBITS, SHT_DYNSYM = 2, 6, 7, 8, 11
SHT_GNU_VERNEED, SHT_GNU_VERSYM = 0x6FFFFFFE, 0x6FFFFFFF
DT_NULL, DT_NEEDED, DT_STRTAB, DT_STRSZ, DT_FLAGS_1 = 0, 1, 5, 10, 0x6FFFFFFB
DF_1_PIE = 0x08000000
STT_FUNC = 2
NT_GNU_ABI_TAG = 1
OSABI = {9: "freebsd", 2: "netbsd", 12: "openbsd"}
NOTE_OS = {b"FreeBSD": "freebsd", b"NetBSD": "netbsd", b"OpenBSD": "openbsd"}
# Interpreters that name an OS (cmd/link/internal/*/obj.go, and the C toolchains' defaults).
# Kept as pattern text: compiled (and cached by ``re``) only when an interpreter is looked at.
INTERPRETER_OS = (
    (r"^/system/bin/linker(64)?$", "android"),
    (r"/ld\.so\.1$", "solaris"),  # also mips Linux's /lib/ld.so.1: see _goos
    (r"^/usr/libexec/ld-elf\.so\.2$", "dragonfly"),
    (r"/ld-elf\.so\.1$", "freebsd"),
    (r"/ld\.elf_so$", "netbsd"),
    (r"^/usr/libexec/ld\.so$", "openbsd"),
)
SOLARIS_INTERPRETER = r"^(/usr)?/lib/(amd64/|64/)?ld\.so\.1$"
SOLARIS_LIBS = {"libc.so.1", "libsocket.so.1", "libnsl.so.1", "libsendfile.so.1", "libproc.so.1"}
# Functions that make static glibc load NSS modules (and whose link-time warning says so).
NSS_FUNCTIONS = frozenset(
    {
        "getaddrinfo",
        "gethostbyname",
        "gethostbyname2",
        "gethostbyaddr",
        "gethostbyname_r",
        "gethostbyname2_r",
        "gethostbyaddr_r",
        "getnameinfo",
        "getpwnam",
        "getpwnam_r",
        "getpwuid",
        "getpwuid_r",
        "getpwent",
        "getgrnam",
        "getgrnam_r",
        "getgrgid",
        "getgrgid_r",
        "getgrouplist",
        "getservbyname",
        "getservbyname_r",
        "getservbyport",
        "getprotobyname",
        "initgroups",
    }
)
_GLIBC_VERSION = re.compile(rb"^GLIBC_(\d+)\.(\d+)(?:\.\d+)?$")


# The parse records below are NamedTuples, not dataclasses: private, built per table entry,
# and created in a fraction of a dataclass's time (start-up of ``gocross inspect`` is measured).
class _Header(NamedTuple):
    """The fields of the ELF header we use."""

    bits: int
    order: str  # struct byte order: "<" or ">"
    osabi: int
    kind: int
    machine: int
    entry: int
    phoff: int
    shoff: int
    phentsize: int
    phnum: int
    shentsize: int
    shnum: int
    shstrndx: int

    @property
    def endian(self) -> Literal["little", "big"]:
        return "little" if self.order == "<" else "big"


class _Segment(NamedTuple):
    """One program header."""

    kind: int
    flags: int
    offset: int
    vaddr: int
    filesz: int
    memsz: int


class _Section(NamedTuple):
    """One section header, its name resolved."""

    number: int
    name: str
    kind: int
    addr: int
    offset: int
    size: int
    link: int
    info: int


@cache
def _goarch_table() -> dict[tuple[int, int, str], str]:
    from ..targets import table

    found: dict[tuple[int, int, str], str] = {}
    for goarch, row in table()["arch"].items():
        if row.get("elf_machine") is not None:
            found.setdefault((int(row["elf_machine"]), int(row["bits"]), str(row["endian"])), goarch)
    return found


def _header(source: Source) -> _Header:
    ident = source.read(0, 16, what="ELF identification")
    bits = {1: 32, 2: 64}.get(ident[4])
    order = {1: "<", 2: ">"}.get(ident[5])
    if bits is None or order is None:
        raise FormatError(f"unknown ELF class {ident[4]} or byte order {ident[5]}")
    fmt = order + ("HHIQQQIHHHHHH" if bits == 64 else "HHIIIIIHHHHHH")
    fields = struct.unpack(fmt, source.read(16, struct.calcsize(fmt), what="ELF header"))
    kind, machine, _version, entry, phoff, shoff, _flags, _ehsize, phentsize, phnum = fields[:10]
    shentsize, shnum, shstrndx = fields[10:]
    return _Header(
        bits,
        order,
        ident[7],
        kind,
        machine,
        entry,
        phoff,
        shoff,
        phentsize,
        phnum,
        shentsize,
        shnum,
        shstrndx,
    )


def _section_fmt(h: _Header) -> str:
    return h.order + ("IIQQQQIIQQ" if h.bits == 64 else "IIIIIIIIII")


def _table(
    source: Source, what: str, offset: int, count: int, entsize: int, fmt: str
) -> list[tuple[int, ...]]:
    """``count`` entries of ``entsize`` bytes at ``offset``, each unpacked with ``fmt``."""
    if not count:
        return []
    if entsize < struct.calcsize(fmt):
        raise FormatError(f"{what}: entries of {entsize} bytes are too small")
    if offset + count * entsize > source.size:
        raise FormatError(f"{what} run past the end of the file (truncated or corrupt)")
    data = source.read(offset, count * entsize, what=what)
    return [struct.unpack_from(fmt, data, i * entsize) for i in range(count)]


def _sections(source: Source, h: _Header) -> tuple[list[_Section], int]:
    """The section headers (names resolved) and the program header count (``PN_XNUM`` aware)."""
    phnum, shnum, strndx = h.phnum, h.shnum, h.shstrndx
    fmt = _section_fmt(h)
    if h.shoff and (shnum == 0 or phnum == 0xFFFF or strndx == 0xFFFF):
        first = _table(source, "section headers", h.shoff, 1, h.shentsize, fmt)[0]
        shnum = shnum or first[5]  # extended numbering: the counts live in section 0
        phnum = first[7] if phnum == 0xFFFF else phnum
        strndx = first[6] if strndx == 0xFFFF else strndx
    if phnum > MAX_SEGMENTS or shnum > MAX_SECTIONS:
        raise FormatError(f"ELF header claims {phnum} segments and {shnum} sections")
    raw = _table(source, "section headers", h.shoff, shnum if h.shoff else 0, h.shentsize, fmt)
    names = b""
    if 0 < strndx < len(raw):
        names = source.read(raw[strndx][4], min(raw[strndx][5], 1 << 20), exact=False)
    sections = []
    for index, (name_at, kind, _flags, addr, offset, size, link, info, _align, _entsize) in enumerate(raw):
        end = names.find(b"\0", name_at) if name_at < len(names) else -1
        name = names[name_at:end].decode("utf-8", "replace") if end >= 0 else ""
        sections.append(_Section(index, name, kind, addr, offset, size, link, info))
    return sections, phnum


def _segments(source: Source, h: _Header, count: int) -> list[_Segment]:
    if h.bits == 64:
        rows = _table(source, "program headers", h.phoff, count, h.phentsize, h.order + "IIQQQQQQ")
        return [_Segment(k, fl, off, va, fs, ms) for k, fl, off, va, _pa, fs, ms, _al in rows]
    rows = _table(source, "program headers", h.phoff, count, h.phentsize, h.order + "IIIIIIII")
    return [_Segment(k, fl, off, va, fs, ms) for k, off, va, _pa, fs, ms, fl, _al in rows]


def _within_file(source: Source, segments: list[_Segment], sections: list[_Section]) -> None:
    """A truncated file is malformed, not a smaller binary: every segment's and section's bytes
    must lie inside the file."""
    for i, seg in enumerate(segments):
        if seg.filesz and seg.offset + seg.filesz > source.size:
            raise FormatError(
                f"truncated: segment {i} ends at byte {seg.offset + seg.filesz}, "
                f"past the end of the file ({source.size} bytes)"
            )
    for sec in sections:
        if sec.kind != SHT_NOBITS and sec.size and sec.offset + sec.size > source.size:
            raise FormatError(
                f"truncated: section {sec.name or sec.number} ends at byte {sec.offset + sec.size}, "
                f"past the end of the file ({source.size} bytes)"
            )


def read(source: Source, path: str) -> BinaryInfo:
    h = _header(source)
    goarch = _goarch_table().get((h.machine, h.bits, h.endian))
    sections, phnum = _sections(source, h)
    segments = _segments(source, h, phnum)
    _within_file(source, segments, sections)
    by_name = {s.name: s for s in reversed(sections) if s.name}

    interpreter = None
    regions: list[Region] = []
    notes: list[tuple[int, int]] = []
    for seg in segments:
        if seg.kind == PT_INTERP and interpreter is None:
            interpreter = source.cstring(seg.offset, what="PT_INTERP")
        elif seg.kind == PT_LOAD:
            regions.append(Region(seg.vaddr, seg.memsz, seg.offset, seg.filesz))
        elif seg.kind == PT_NOTE:
            notes.append((seg.offset, seg.filesz))
    notes += [(s.offset, s.size) for s in sections if s.kind == SHT_NOTE]
    space = AddressSpace(source, regions)

    needed, flags_1 = _dynamic(source, h, segments, sections, space)
    note_pairs = _notes(source, notes, h.endian)
    note_names = {name for name, _type in note_pairs}
    glibc_required, floor_symbols = _glibc_needs(source, h, sections, by_name)
    symtab = by_name.get(".symtab")
    stripped = symtab is None
    go = _go_info(source, h, space, by_name, segments, symtab, sections)

    settings = go.settings if go else {}
    goos, goos_source = _goos(h.osabi, note_names, interpreter, needed, settings)
    if settings.get("GOARCH"):
        goarch = settings["GOARCH"]
    variant_key = VARIANT_SETTING.get(goarch or "")
    variant = settings.get(variant_key) if variant_key else None

    dynamic = interpreter is not None or bool(needed)
    libc = _libc(goos, interpreter, needed, glibc_required, (b"GNU", NT_GNU_ABI_TAG) in note_pairs, dynamic)
    nss: tuple[str, ...] = ()
    if not dynamic and libc == "glibc" and symtab is not None:
        nss = _nss_symbols(source, h, symtab, sections)
    pie = h.kind == ET_DYN and (interpreter is not None or bool(flags_1 & DF_1_PIE) or h.entry != 0)
    return BinaryInfo(
        path=path,
        format="elf",
        goos=goos,
        goarch=goarch,
        variant=variant or None,
        bits=h.bits,
        endian=h.endian,
        linkage="dynamic" if dynamic else "static",
        interpreter=interpreter,
        needed=tuple(needed),
        glibc_required=glibc_required,
        pie=pie,
        stripped=stripped,
        go=go,
        libc=libc,
        floor_symbols=floor_symbols,
        nss_symbols=nss,
        goos_source=goos_source,
    )


def _string(table: bytes, offset: int, limit: int = 4096) -> bytes | None:
    """The NUL-terminated string at ``offset`` of a string table (None when out of range)."""
    if not 0 <= offset < len(table):
        return None
    end = table.find(b"\0", offset, offset + limit)
    return table[offset:end] if end >= 0 else None


def _strtab(source: Source, sections: list[_Section], index: int) -> bytes:
    if not 0 < index < len(sections):
        return b""
    sec = sections[index]
    return source.read(sec.offset, sec.size, exact=False, what="string table")


def _dynamic(
    source: Source, h: _Header, segments: list[_Segment], sections: list[_Section], space: AddressSpace
) -> tuple[list[str], int]:
    """DT_NEEDED entries in file order and DT_FLAGS_1."""
    seg = next((s for s in segments if s.kind == PT_DYNAMIC), None)
    if seg is None:
        return [], 0
    entsize = 16 if h.bits == 64 else 8
    count = seg.filesz // entsize
    data = source.read(seg.offset, min(count, MAX_DYNAMIC_TAGS) * entsize, what="dynamic table")
    tags: list[tuple[int, int]] = []
    for tag, value in struct.iter_unpack(h.order + ("qQ" if h.bits == 64 else "iI"), data):
        if tag == DT_NULL:
            break
        tags.append((tag, value))
    else:
        if count > MAX_DYNAMIC_TAGS:
            raise FormatError("dynamic table without an end")
    # The string table: the one the dynamic section links to, else DT_STRTAB's address.
    linked = next((s for s in sections if s.kind == SHT_DYNAMIC and s.offset == seg.offset), None)
    strings = _strtab(source, sections, linked.link) if linked is not None else b""
    if not strings:
        addr = next((v for t, v in tags if t == DT_STRTAB), None)
        size = next((v for t, v in tags if t == DT_STRSZ), 0)
        strings = space.read(addr, min(size, 1 << 20)) if addr is not None else b""
    needed = []
    flags_1 = 0
    for tag, value in tags:
        if tag == DT_NEEDED:
            name = _string(strings, value)
            if name is None:
                raise FormatError(f"DT_NEEDED names string {value:#x}, outside the dynamic string table")
            needed.append(name.decode("utf-8", "replace"))
        elif tag == DT_FLAGS_1:
            flags_1 = value
    return needed, flags_1


def _notes(source: Source, spans: list[tuple[int, int]], endian: str) -> set[tuple[bytes, int]]:
    """(name, type) of each note in the note sections and segments (each span read once)."""
    distinct = sorted(set(spans))
    if len(distinct) > MAX_NOTE_SPANS:
        raise FormatError(f"{len(distinct)} note sections and segments")
    found: set[tuple[bytes, int]] = set()
    total = 0
    order = "<" if endian == "little" else ">"
    for offset, size in distinct:
        data = source.read(offset, min(size, MAX_NOTE_BYTES), exact=False)
        at = 0
        while at + 12 <= len(data):
            total += 1
            if total > MAX_NOTES:
                raise FormatError(f"more than {MAX_NOTES} notes")
            namesz, descsz, kind = struct.unpack_from(order + "III", data, at)
            found.add((data[at + 12 : at + 12 + min(namesz, 256)].rstrip(b"\0"), kind))
            at += 12 + (namesz + 3) // 4 * 4 + (descsz + 3) // 4 * 4
    return found


def _version_needs(
    source: Source, h: _Header, verneed: _Section, strings: bytes
) -> Iterator[tuple[int, bytes]]:
    """(version index, name) of every ``Vernaux`` of every ``Verneed`` (the LSB's layout), the
    chains followed by their offsets: no more entries than the section can hold."""
    data = source.read(verneed.offset, verneed.size, what=".gnu.version_r")
    budget = min(len(data) // 16, MAX_VERSION_ENTRIES)
    need_at = 0
    needs = verneed.info or budget
    for _ in range(needs):
        if need_at + 16 > len(data):
            raise FormatError(".gnu.version_r: a version need lies outside the section")
        _version, cnt, _file, aux, nxt = struct.unpack_from(h.order + "HHIII", data, need_at)
        aux_at = need_at + aux
        for _ in range(cnt):
            budget -= 1
            if budget < 0:
                raise FormatError(".gnu.version_r: version needs without an end (a loop or a lie)")
            if aux_at + 16 > len(data):
                raise FormatError(".gnu.version_r: a version aux entry lies outside the section")
            _hash, _flags, other, name_at, aux_next = struct.unpack_from(h.order + "IHHII", data, aux_at)
            name = _string(strings, name_at)
            if name is not None:
                yield other, name
            if not aux_next:
                break
            aux_at += aux_next
        if not nxt:
            return
        need_at += nxt
        budget -= 1
        if budget < 0:
            raise FormatError(".gnu.version_r: version needs without an end (a loop or a lie)")


def _glibc_needs(
    source: Source, h: _Header, sections: list[_Section], by_name: Mapping[str, _Section]
) -> tuple[str | None, tuple[str, ...]]:
    """The highest GLIBC_x.y version needed, and the symbols bound to it (``sym@GLIBC_2.34``).

    Only the ``.gnu.version`` entries whose value is one of the highest version's indexes are
    looked at (``find`` over the mapped section): the cost grows with the symbols that set the
    floor, not with the size of the dynamic symbol table."""
    verneed = next((s for s in sections if s.kind == SHT_GNU_VERNEED), None)
    if verneed is None:
        return None, ()
    versions: dict[int, tuple[int, int]] = {}
    names: dict[int, str] = {}
    strings = _strtab(source, sections, verneed.link)
    for index, name in _version_needs(source, h, verneed, strings):
        match = _GLIBC_VERSION.match(name)
        if match:
            versions[index] = (int(match.group(1)), int(match.group(2)))
            names[index] = name.decode()
    if not versions:
        return None, ()
    top = max(versions.values())
    top_indexes = sorted(i for i, v in versions.items() if v == top)
    versym = next((s for s in sections if s.kind == SHT_GNU_VERSYM), None)
    dynsym = by_name.get(".dynsym") or next((s for s in sections if s.kind == SHT_DYNSYM), None)
    symbols: set[str] = set()
    if versym is not None and dynsym is not None:
        entsize = 24 if h.bits == 64 else 16
        count = min(versym.size // 2, dynsym.size // entsize)  # .gnu.version entries are 2 bytes
        dynstr = _strtab(source, sections, dynsym.link)
        start, end = versym.offset + 2, versym.offset + 2 * count  # entry 0 is the null symbol
        wanted = set(top_indexes)
        low_at = 0 if h.order == "<" else 1  # where an entry's low byte lies
        lows = sorted({i & 0xFF for i in top_indexes})
        hits: list[tuple[int, int]] = []  # (symbol index, version index)
        checked = 0
        # memchr-speed finds of each wanted low byte, each hit checked as a whole entry (the
        # high bit of an entry marks a hidden version); the table itself is never walked.
        for at, buffer, got in source.chunks(start, end):  # chunks hold whole entries: even sizes
            for low in lows:
                found = buffer.find(low, low_at, got)
                while found >= 0 and len(hits) < MAX_FLOOR_SYMBOLS:
                    checked += 1
                    if checked > MAX_SCAN_HITS:
                        raise FormatError(
                            ".gnu.version: implausibly many entries look like the GLIBC floor's"
                        )
                    if (found - low_at) % 2 == 0:
                        value = int.from_bytes(buffer[found - low_at : found - low_at + 2], h.endian)
                        if value & 0x7FFF in wanted:
                            hits.append(((at + found - low_at - versym.offset) // 2, value & 0x7FFF))
                    found = buffer.find(low, found + 1, got)
        for symbol, version in hits:
            raw = source.read(dynsym.offset + symbol * entsize, 4, exact=False)
            name_at = struct.unpack(h.order + "I", raw)[0] if len(raw) == 4 else -1
            symbol_name = _string(dynstr, name_at)
            if symbol_name is not None:
                symbols.add(f"{symbol_name.decode('utf-8', 'replace')}@{names[version]}")
    return f"{top[0]}.{top[1]}", tuple(sorted(symbols))


def _symbols_named(
    source: Source, h: _Header, symtab: _Section, strtab: _Section, name: bytes
) -> Iterator[int]:
    """File offsets of the ``symtab`` entries whose name is ``name``, in table order: each
    occurrence of the name in the string table is a candidate ``st_name``, searched for at
    entry boundaries of the table (no walk over the symbols)."""
    entsize = 24 if h.bits == 64 else 16
    end_names = strtab.offset + strtab.size
    hits: list[int] = []
    table_end = symtab.offset + symtab.size
    # Collected first: the scans share one buffer, so they cannot be nested.
    candidates = list(
        itertools.islice(source.finditer(name + b"\0", strtab.offset, end_names), MAX_NAME_HITS)
    )
    for at in candidates:
        needle = struct.pack(h.order + "I", at - strtab.offset)
        for found in itertools.islice(source.finditer(needle, symtab.offset, table_end), MAX_SCAN_HITS):
            if (found - symtab.offset) % entsize == 0:
                hits.append(found)
                if len(hits) >= MAX_NAME_HITS:
                    return iter(sorted(hits))
    return iter(sorted(hits))


def _go_info(
    source: Source,
    h: _Header,
    space: AddressSpace,
    by_name: Mapping[str, _Section],
    segments: list[_Segment],
    symtab: _Section | None,
    sections: list[_Section],
) -> GoInfo | None:
    section = by_name.get(".go.buildinfo")
    data_segment = next((s for s in segments if s.kind == PT_LOAD and s.flags & (PF_W | PF_X) == PF_W), None)
    if section is not None:
        found = buildinfo.read(space, section.addr, section.size)
        if found:
            return found
    elif data_segment is not None:
        found = buildinfo.read(space, data_segment.vaddr, data_segment.memsz)
        if found:
            return found
    ptr = h.bits // 8
    big = h.order == ">"
    if symtab is not None and 0 < symtab.link < len(sections):
        for entry in _symbols_named(source, h, symtab, sections[symtab.link], b"runtime.buildVersion"):
            value_at = entry + (8 if h.bits == 64 else 4)
            raw = source.read(value_at, ptr, exact=False)
            if len(raw) == ptr:
                text = buildinfo.read_go_string(space, int.from_bytes(raw, h.endian), ptr, big)
                return buildinfo.version_only(text)
    # Stripped, and the build info removed: the version string runtime.buildVersion points at.
    loads = [s for s in segments if s.kind == PT_LOAD]
    readonly = [Region(s.vaddr, s.memsz, s.offset, s.filesz) for s in loads if not s.flags & PF_W]
    writable = [Region(s.vaddr, s.memsz, s.offset, s.filesz) for s in loads if s.flags & PF_W]
    return buildinfo.version_from_strings(space, readonly, writable, ptr, big)


def _goos(
    osabi_number: int,
    note_names: set[bytes],
    interpreter: str | None,
    needed: list[str],
    settings: Mapping[str, str],
) -> tuple[str, str]:
    if settings.get("GOOS"):
        return str(settings["GOOS"]), "build info"
    osabi = OSABI.get(osabi_number)
    if osabi:
        return osabi, "ELF OSABI"
    for name, goos in NOTE_OS.items():
        if name in note_names:
            return goos, f"{name.decode()} note"
    if interpreter:
        if re.match(SOLARIS_INTERPRETER, interpreter) and (
            interpreter != "/lib/ld.so.1" or SOLARIS_LIBS.intersection(needed)
        ):
            return "solaris", "interpreter"
        for pattern, goos in INTERPRETER_OS:
            if goos != "solaris" and re.search(pattern, interpreter):
                return goos, "interpreter"
    if SOLARIS_LIBS.intersection(needed) and "libc.so.6" not in needed:
        return "solaris", "needed libraries"
    return "linux", "default (no other OS marker)"


def _libc(
    goos: str,
    interpreter: str | None,
    needed: list[str],
    glibc_required: str | None,
    abi_tag: bool,
    dynamic: bool,
) -> str | None:
    if goos != "linux":
        return None
    if (interpreter and "ld-musl" in interpreter) or any(n.startswith("libc.musl") for n in needed):
        return "musl"
    if glibc_required or "libc.so.6" in needed:
        return "glibc"
    if interpreter and re.search(r"/ld-linux|/ld64\.so\.[12]$|/ld\.so\.1$", interpreter):
        return "glibc"
    if not dynamic and abi_tag:
        return "glibc"  # crt1.o's ABI tag: glibc's startup files, linked statically
    return None


def _nss_symbols(source: Source, h: _Header, symtab: _Section, sections: list[_Section]) -> tuple[str, ...]:
    if not 0 < symtab.link < len(sections):
        return ()
    strtab = sections[symtab.link]
    info_at = 4 if h.bits == 64 else 12
    found = set()
    for name in NSS_FUNCTIONS:
        for entry in _symbols_named(source, h, symtab, strtab, name.encode()):
            info = source.read(entry + info_at, 1, exact=False)
            if info and info[0] & 0xF == STT_FUNC:
                found.add(name)
                break
    return tuple(sorted(found))
