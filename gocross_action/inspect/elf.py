"""ELF: the only module that touches pyelftools (its objects are untyped; nothing leaves here but
plain values). Reads the header, program headers, section headers, the dynamic table, notes and
the GNU version needs: never whole sections of code or data."""

from __future__ import annotations

import re
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from elftools.common.exceptions import ELFError
from elftools.elf.elffile import ELFFile

from . import buildinfo
from .binary import VARIANT_SETTING, BinaryInfo, FormatError, GoInfo
from .source import AddressSpace, ClampedStream, Region, Source

MAX_SECTIONS = 4096
MAX_SEGMENTS = 1024
MAX_DYNAMIC_TAGS = 4096
MAX_NOTE_BYTES = 64 << 10
MAX_DYNSYMS = 1 << 16
MAX_SYMTAB_SYMBOLS = 1 << 20

ET_DYN = 3
SHT_SYMTAB, SHT_NOTE, SHT_DYNSYM = 2, 7, 11
SHT_GNU_VERNEED, SHT_GNU_VERSYM = 0x6FFFFFFE, 0x6FFFFFFF
DF_1_PIE = 0x08000000
NT_GNU_ABI_TAG = 1
OSABI = {"ELFOSABI_FREEBSD": "freebsd", "ELFOSABI_NETBSD": "netbsd", "ELFOSABI_OPENBSD": "openbsd"}
NOTE_OS = {b"FreeBSD": "freebsd", b"NetBSD": "netbsd", b"OpenBSD": "openbsd"}
# Interpreters that name an OS (cmd/link/internal/*/obj.go, and the C toolchains' defaults).
INTERPRETER_OS = (
    (re.compile(r"^/system/bin/linker(64)?$"), "android"),
    (re.compile(r"/ld\.so\.1$"), "solaris"),  # also mips Linux's /lib/ld.so.1: see _goos
    (re.compile(r"^/usr/libexec/ld-elf\.so\.2$"), "dragonfly"),
    (re.compile(r"/ld-elf\.so\.1$"), "freebsd"),
    (re.compile(r"/ld\.elf_so$"), "netbsd"),
    (re.compile(r"^/usr/libexec/ld\.so$"), "openbsd"),
)
SOLARIS_INTERPRETER = re.compile(r"^(/usr)?/lib/(amd64/|64/)?ld\.so\.1$")
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
_GLIBC_VERSION = re.compile(r"^GLIBC_(\d+)\.(\d+)(?:\.\d+)?$")


@dataclass(frozen=True)
class _Arch:
    machine: int
    bits: int
    endian: str


@dataclass(frozen=True)
class _Row:
    index: int
    name: str
    kind: int
    addr: int
    offset: int
    size: int


class _Sections:
    """The section header table, read in one go with ``struct`` (pyelftools parses each field
    through construct, too slow for dozens of large binaries); pyelftools section objects are
    made only for the few sections whose contents we read."""

    def __init__(self, elf: Any, source: Source, header: Any, endian: str, bits: int) -> None:
        self._elf = elf
        self.rows: list[_Row] = []
        count = elf.num_sections()
        if not count:
            return
        entsize = _int(header["e_shentsize"])
        wide = bits == 64
        fmt = ("<" if endian == "little" else ">") + ("IIQQQQIIQQ" if wide else "IIIIIIIIII")
        if entsize < struct.calcsize(fmt):
            raise FormatError(f"section header entries of {entsize} bytes are too small")
        table = source.read(_int(header["e_shoff"]), count * entsize, what="section headers")
        raw = [struct.unpack_from(fmt, table, i * entsize) for i in range(count)]
        strndx = _int(header["e_shstrndx"])
        if strndx == 0xFFFF:
            strndx = raw[0][6]
        names = b""
        if 0 < strndx < count:
            names = source.read(raw[strndx][4], min(raw[strndx][5], 1 << 20), exact=False)
        for index, (name_at, kind, _flags, addr, offset, size, *_rest) in enumerate(raw):
            end = names.find(b"\0", name_at)
            name = (
                names[name_at:end].decode("utf-8", "replace")
                if 0 <= name_at < len(names) and end >= 0
                else ""
            )
            self.rows.append(_Row(index, name, kind, addr, offset, size))

    def __contains__(self, name: str) -> bool:
        return self.row(name) is not None

    def row(self, name: str) -> _Row | None:
        return next((r for r in self.rows if r.name == name), None)

    def get(self, name: str) -> Any:
        row = self.row(name)
        return None if row is None else self._elf.get_section(row.index)

    def of_type(self, kind: int) -> Any:
        row = next((r for r in self.rows if r.kind == kind), None)
        return None if row is None else self._elf.get_section(row.index)


def _goarch_table() -> dict[tuple[int, int, str], str]:
    from ..targets import table

    found: dict[tuple[int, int, str], str] = {}
    for goarch, row in table()["arch"].items():
        if row.get("elf_machine") is not None:
            found.setdefault((int(row["elf_machine"]), int(row["bits"]), str(row["endian"])), goarch)
    return found


def _int(value: Any) -> int:
    return value if isinstance(value, int) else 0


def read(source: Source, path: str) -> BinaryInfo:
    try:
        return _read(source, path)
    except FormatError:
        raise
    except (
        ELFError,
        ValueError,
        KeyError,
        IndexError,
        TypeError,
        AttributeError,
        OverflowError,
        AssertionError,
        UnicodeDecodeError,
        RecursionError,
    ) as exc:  # pyelftools' and construct's ways to say "corrupt"
        raise FormatError(f"corrupt ELF file: {_one_line(exc)}") from None
    except Exception as exc:  # construct raises its own error tree (StreamError, ConstError...)
        if type(exc).__module__.startswith(("construct", "elftools")):
            raise FormatError(f"corrupt ELF file: {_one_line(exc)}") from None
        raise


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]


def _read(source: Source, path: str) -> BinaryInfo:
    elf = ELFFile(ClampedStream(source))  # type: ignore[arg-type]
    header = elf.header
    bits = 64 if elf.elfclass == 64 else 32
    endian = "little" if elf.little_endian else "big"
    machine = header["e_machine"]
    machine_id = machine if isinstance(machine, int) else _machine_number(elf)
    goarch = _goarch_table().get((machine_id, bits, endian))

    if elf.num_segments() > MAX_SEGMENTS or elf.num_sections() > MAX_SECTIONS:
        raise FormatError(
            f"ELF header claims {elf.num_segments()} segments and {elf.num_sections()} sections"
        )
    for what, offset, count, entsize in (
        ("program headers", header["e_phoff"], elf.num_segments(), header["e_phentsize"]),
        ("section headers", header["e_shoff"], elf.num_sections(), header["e_shentsize"]),
    ):
        if count and _int(offset) + _int(count) * _int(entsize) > source.size:
            raise FormatError(f"{what} run past the end of the file (truncated or corrupt)")
    segments = list(elf.iter_segments())
    sections = _Sections(elf, source, header, endian, bits)
    by_name = sections

    interpreter = None
    regions: list[Region] = []
    notes: list[tuple[int, int]] = []
    for seg in segments:
        kind = seg["p_type"]
        if kind == "PT_INTERP":
            interpreter = source.cstring(_int(seg["p_offset"]), what="PT_INTERP")
        elif kind == "PT_LOAD":
            regions.append(
                Region(
                    _int(seg["p_vaddr"]), _int(seg["p_memsz"]), _int(seg["p_offset"]), _int(seg["p_filesz"])
                )
            )
        elif kind == "PT_NOTE":
            notes.append((_int(seg["p_offset"]), _int(seg["p_filesz"])))
    for row in sections.rows:
        if row.kind == SHT_NOTE:
            notes.append((row.offset, row.size))
    space = AddressSpace(source, regions)

    needed, flags_1 = _dynamic(elf, segments)
    note_pairs = set(_notes(source, notes, endian))
    note_names = {name for name, _type in note_pairs}
    glibc_required, floor_symbols = _glibc_needs(elf, by_name)
    stripped = ".symtab" not in by_name
    go = _go_info(elf, space, by_name, segments, bits, endian, stripped)

    settings = go.settings if go else {}
    goos, goos_source = _goos(header, note_names, interpreter, needed, settings)
    if settings.get("GOARCH"):
        goarch = settings["GOARCH"]
    variant_key = VARIANT_SETTING.get(goarch or "")
    variant = settings.get(variant_key) if variant_key else None

    dynamic = interpreter is not None or bool(needed)
    libc = _libc(goos, interpreter, needed, glibc_required, (b"GNU", NT_GNU_ABI_TAG) in note_pairs, dynamic)
    nss: tuple[str, ...] = ()
    if not dynamic and libc == "glibc" and not stripped:
        nss = _nss_symbols(by_name.get(".symtab"))
    pie = header["e_type"] == "ET_DYN" and (
        interpreter is not None or bool(flags_1 & DF_1_PIE) or _int(header["e_entry"]) != 0
    )
    return BinaryInfo(
        path=path,
        format="elf",
        goos=goos,
        goarch=goarch,
        variant=variant or None,
        bits=bits,
        endian=endian,
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


def _machine_number(elf: Any) -> int:
    """pyelftools turns known machines into names; read the number itself."""
    raw = elf.stream
    raw.seek(18)
    data = raw.read(2)
    return int.from_bytes(data, "little" if elf.little_endian else "big") if len(data) == 2 else -1


def _dynamic(elf: Any, segments: list[Any]) -> tuple[list[str], int]:
    """DT_NEEDED entries in file order and DT_FLAGS_1."""
    needed: list[str] = []
    flags_1 = 0
    for seg in segments:
        if seg["p_type"] != "PT_DYNAMIC":
            continue
        for count, tag in enumerate(seg.iter_tags()):
            if count >= MAX_DYNAMIC_TAGS:
                raise FormatError("dynamic table without an end")
            if tag.entry.d_tag == "DT_NEEDED":
                needed.append(str(tag.needed))
            elif tag.entry.d_tag == "DT_FLAGS_1":
                flags_1 = _int(tag.entry.d_val)
        break
    return needed, flags_1


def _notes(source: Source, spans: list[tuple[int, int]], endian: str) -> Iterator[tuple[bytes, int]]:
    """(name, type) of each note in the note sections and segments."""
    for offset, size in spans:
        data = source.read(offset, min(size, MAX_NOTE_BYTES), exact=False)
        at = 0
        while at + 12 <= len(data):
            namesz = int.from_bytes(data[at : at + 4], endian)  # type: ignore[arg-type]
            descsz = int.from_bytes(data[at + 4 : at + 8], endian)  # type: ignore[arg-type]
            kind = int.from_bytes(data[at + 8 : at + 12], endian)  # type: ignore[arg-type]
            name = data[at + 12 : at + 12 + namesz].rstrip(b"\0")
            yield name, kind
            at += 12 + (namesz + 3) // 4 * 4 + (descsz + 3) // 4 * 4


def _glibc_needs(elf: Any, by_name: _Sections) -> tuple[str | None, tuple[str, ...]]:
    """The highest GLIBC_x.y version needed, and the symbols bound to it (``sym@GLIBC_2.34``)."""
    verneed = by_name.of_type(SHT_GNU_VERNEED)
    if verneed is None:
        return None, ()
    versions: dict[int, tuple[int, int]] = {}
    names: dict[int, str] = {}
    for count, (_need, auxes) in enumerate(verneed.iter_versions()):
        if count > MAX_DYNAMIC_TAGS:
            raise FormatError("version needs without an end")
        for aux_count, aux in enumerate(auxes):
            if aux_count > MAX_DYNAMIC_TAGS:
                raise FormatError("version needs without an end")
            match = _GLIBC_VERSION.match(str(aux.name))
            if match:
                versions[_int(aux["vna_other"])] = (int(match.group(1)), int(match.group(2)))
                names[_int(aux["vna_other"])] = str(aux.name)
    if not versions:
        return None, ()
    top = max(versions.values())
    top_indexes = {i for i, v in versions.items() if v == top}
    symbols: list[str] = []
    versym = by_name.of_type(SHT_GNU_VERSYM)
    dynsym = by_name.get(".dynsym")
    if versym is not None and dynsym is not None:
        count = min(versym.num_symbols(), dynsym.num_symbols(), MAX_DYNSYMS)
        for index in range(1, count):
            ndx = versym.get_symbol(index)["ndx"]
            if isinstance(ndx, int) and (ndx & 0x7FFF) in top_indexes:
                symbol = dynsym.get_symbol(index)
                symbols.append(f"{symbol.name}@{names[ndx & 0x7FFF]}")
    return f"{top[0]}.{top[1]}", tuple(sorted(set(symbols)))


def _go_info(
    elf: Any,
    space: AddressSpace,
    by_name: _Sections,
    segments: list[Any],
    bits: int,
    endian: str,
    stripped: bool,
) -> GoInfo | None:
    section = by_name.row(".go.buildinfo")
    if section is not None:
        found = buildinfo.read(space, section.addr, section.size)
        if found:
            return found
    else:
        for seg in segments:
            flags = _int(seg["p_flags"])
            if seg["p_type"] == "PT_LOAD" and flags & 0x3 == 0x2:  # writable, not executable
                found = buildinfo.read(space, _int(seg["p_vaddr"]), _int(seg["p_memsz"]))
                if found:
                    return found
                break
    if stripped:
        return None
    symtab = by_name.get(".symtab")
    if symtab is None or symtab.num_symbols() > MAX_SYMTAB_SYMBOLS:
        return None
    for symbol in symtab.get_symbol_by_name("runtime.buildVersion") or ():
        text = buildinfo.read_go_string(space, _int(symbol["st_value"]), bits // 8, endian == "big")
        return buildinfo.version_only(text)
    return None


def _goos(
    header: Any,
    note_names: set[bytes],
    interpreter: str | None,
    needed: list[str],
    settings: Any,
) -> tuple[str, str]:
    if settings.get("GOOS"):
        return str(settings["GOOS"]), "build info"
    osabi = OSABI.get(str(header["e_ident"]["EI_OSABI"]))
    if osabi:
        return osabi, "ELF OSABI"
    for name, goos in NOTE_OS.items():
        if name in note_names:
            return goos, f"{name.decode()} note"
    if interpreter:
        if SOLARIS_INTERPRETER.match(interpreter) and (
            interpreter != "/lib/ld.so.1" or SOLARIS_LIBS.intersection(needed)
        ):
            return "solaris", "interpreter"
        for pattern, goos in INTERPRETER_OS:
            if goos != "solaris" and pattern.search(interpreter):
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


def _nss_symbols(symtab: Any) -> tuple[str, ...]:
    if symtab is None or symtab.num_symbols() > MAX_SYMTAB_SYMBOLS:
        return ()
    found = set()
    for symbol in symtab.iter_symbols():
        name = symbol.name
        if name in NSS_FUNCTIONS and symbol["st_info"]["type"] == "STT_FUNC":
            found.add(name)
    return tuple(sorted(found))
