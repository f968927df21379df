"""Go build info in pure Python: what ``go version -m`` reads, from the bytes of any executable
format (the format reader supplies the address space and where the data starts).

The blob (``cmd/link`` writes it, ``debug/buildinfo`` reads it) is a 32-byte header aligned to 16
bytes: the magic ``\\xff Go buildinf:``, the pointer size, flags (bit 0 big-endian, bit 1 inline).
Go >= 1.18 follows it with two varint-length-prefixed strings (version, modinfo); older releases
put two pointers to Go string headers in the header instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Literal

from .binary import GoInfo, Module
from .source import MAX_STRING, AddressSpace, Region

MAGIC = b"\xff Go buildinf:"
HEADER_SIZE = 32
ALIGN = 16
CHUNK = 1 << 20
FIRST_CHUNK = 16 << 10  # the linker puts the blob first: most searches end in the first read
SEARCH_LIMIT = 64 << 20  # the linker puts the blob at the start of the data; never scan further

# Patterns as text, compiled (and cached by ``re``) on first use: most binaries carry build info
# and never need them, and start-up is measured.
_VERSION = r"^(go1(\.\d+){0,2}([a-z]+\d+)?|devel .*)"


def _search(space: AddressSpace, start: int, size: int, align: int) -> int | None:
    """The address of the ``align``-byte-aligned magic within ``[start, start + size)``, read in
    chunks that start small and double up to ``CHUNK`` (each a multiple of ``ALIGN``)."""
    start = (start + align - 1) // align * align
    end = start + min(size, SEARCH_LIMIT)
    addr = start
    want = FIRST_CHUNK
    while addr < end:
        chunk = space.read(addr, min(want, end - addr))
        want = min(want * 2, CHUNK)
        if not chunk:
            return None
        at = chunk.find(MAGIC)
        while at >= 0:
            if at % align == 0:
                return addr + at
            at = chunk.find(MAGIC, at + 1)
        step = len(chunk) - len(chunk) % ALIGN if len(chunk) > ALIGN else len(chunk)
        addr += step - len(MAGIC) if align == 1 and step > len(MAGIC) and addr + step < end else step
    return None


def _uvarint(data: bytes) -> tuple[int, int] | None:
    value = shift = 0
    for i, byte in enumerate(data[:10]):
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, i + 1
        shift += 7
    return None


def _inline_string(space: AddressSpace, addr: int) -> tuple[bytes, int] | None:
    head = space.read(addr, 10)
    decoded = _uvarint(head)
    if decoded is None:
        return None
    length, used = decoded
    if length > MAX_STRING:
        return None
    data = space.read(addr + used, length)
    if len(data) < length:
        return None
    return data, addr + used + length


def pointer_reader(ptr_size: int, big_endian: bool) -> Callable[[bytes], int] | None:
    if ptr_size not in (4, 8):
        return None
    if big_endian:
        return lambda b: int.from_bytes(b[:ptr_size], "big")
    return lambda b: int.from_bytes(b[:ptr_size], "little")


def read_go_string(space: AddressSpace, addr: int, ptr_size: int, big_endian: bool) -> bytes | None:
    """The bytes of the Go string whose header (data pointer, length) is at ``addr``."""
    read_ptr = pointer_reader(ptr_size, big_endian)
    if read_ptr is None:
        return None
    header = space.read(addr, 2 * ptr_size)
    if len(header) < 2 * ptr_size:
        return None
    data_addr, length = read_ptr(header), read_ptr(header[ptr_size:])
    if length > MAX_STRING:
        return None
    data = space.read(data_addr, length)
    return data if len(data) == length else None


def read(space: AddressSpace, start: int, size: int, *, align: int = ALIGN) -> GoInfo | None:
    """The build info in the data starting at ``start``, or None when there is none. ``align``
    is 1 for formats whose file offsets do not keep the blob's memory alignment (wasm)."""
    addr = _search(space, start, size, align)
    if addr is None:
        return None
    header = space.read(addr, HEADER_SIZE)
    if len(header) < HEADER_SIZE:
        return None
    ptr_size, flags = header[14], header[15]
    if flags & 2:
        first = _inline_string(space, addr + HEADER_SIZE)
        if first is None:
            return None
        version_bytes, after = first
        second = _inline_string(space, after)
        mod_bytes = second[0] if second else b""
    else:
        read_ptr = pointer_reader(ptr_size, bool(flags & 1))
        if read_ptr is None:
            return None
        version_addr = read_ptr(header[16 : 16 + ptr_size])
        mod_addr = read_ptr(header[16 + ptr_size : 16 + 2 * ptr_size])
        version_bytes = read_go_string(space, version_addr, ptr_size, bool(flags & 1)) or b""
        mod_bytes = read_go_string(space, mod_addr, ptr_size, bool(flags & 1)) or b""
    version = version_bytes.decode("utf-8", "replace")
    if not version:
        return None
    mod = mod_bytes.decode("utf-8", "replace")
    # cmd/go frames the module info with 16-byte sentinels; without them there is none.
    mod = mod[16:-16] if len(mod) >= 33 and mod[-17] == "\n" else ""
    return parse(version, mod)


_RELEASE = rb"go1\.\d{1,3}(?:\.\d{1,3})?(?:(?:rc|beta)\d{1,2})?(?: X:[a-z0-9_,]{1,200})?"
MAX_VERSION_CANDIDATES = 64


def version_from_strings(
    space: AddressSpace, readonly: list[Region], writable: list[Region], ptr_size: int, big_endian: bool
) -> GoInfo | None:
    """The Go version of a binary whose build info and symbols are gone: ``runtime.buildVersion``
    is a string header (pointer, length) in writable data pointing at the version's bytes in
    read-only data. A release string in read-only data counts only when such a header points at
    it exactly, so a "go1.x" inside other text is not taken for the version."""
    if ptr_size not in (4, 8):
        return None
    order: Literal["big", "little"] = "big" if big_endian else "little"
    candidates = 0
    budget = SEARCH_LIMIT  # bytes scanned in all, however many regions a hostile header lists
    for region in readonly:
        data = space.read(region.addr, min(region.size, budget))
        budget -= len(data)
        if not data:
            continue
        for match in re.finditer(_RELEASE, data):
            candidates += 1
            if candidates > MAX_VERSION_CANDIDATES:
                return None
            addr = region.addr + match.start()
            text = match.group()
            lengths = {
                len(m.group()) for m in (re.match(_RELEASE, text[:n]) for n in range(len(text), 4, -1)) if m
            }
            pointer = addr.to_bytes(ptr_size, order)
            for area in writable:
                found = _string_header(space, area, pointer, lengths, ptr_size, order)
                if found is not None:
                    return GoInfo(version=text[:found].decode("ascii"))
    return None


def _string_header(
    space: AddressSpace,
    area: Region,
    pointer: bytes,
    lengths: set[int],
    ptr_size: int,
    order: Literal["big", "little"],
) -> int | None:
    """The length of a Go string header in ``area`` whose data pointer is ``pointer`` and whose
    length is one of ``lengths``."""
    source = space.source
    start, end = area.offset, area.offset + min(area.filesz, area.size)
    at = source.find(pointer, start, end)
    hits = 0
    while at >= 0 and hits < MAX_VERSION_CANDIDATES:
        hits += 1
        if (at - start) % ptr_size == 0:
            length = int.from_bytes(source.read(at + ptr_size, ptr_size, exact=False), order)
            if length in lengths:
                return length
        at = source.find(pointer, at + 1, end)
    return None


def version_only(text: bytes | None) -> GoInfo | None:
    """Build info holding only a version (from ``runtime.buildVersion``), if it looks like one."""
    if not text:
        return None
    version = text.decode("utf-8", "replace")
    return GoInfo(version=version) if re.match(_VERSION, version) else None


_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\", '"': '"'}
_HEX_LEN = {"x": 2, "u": 4, "U": 8}


def _quoted_prefix(text: str) -> tuple[str, int] | None:
    """Decode the Go double-quoted (or back-quoted) string at the start of ``text``:
    (value, characters consumed)."""
    if text.startswith("`"):
        end = text.find("`", 1)
        return None if end < 0 else (text[1:end], end + 1)
    if not text.startswith('"'):
        return None
    out: list[str] = []
    i = 1
    while i < len(text):
        char = text[i]
        if char == '"':
            return "".join(out), i + 1
        if char != "\\":
            out.append(char)
            i += 1
            continue
        code = text[i + 1 : i + 2]
        if code in _ESCAPES:
            out.append(_ESCAPES[code])
            i += 2
        elif code in _HEX_LEN:
            digits = text[i + 2 : i + 2 + _HEX_LEN[code]]
            try:
                value = int(digits, 16)
                out.append(chr(value) if code != "x" else bytes([value]).decode("latin-1"))
            except ValueError:
                return None
            i += 2 + _HEX_LEN[code]
        elif code.isdigit():
            try:
                out.append(chr(int(text[i + 1 : i + 4], 8)))
            except ValueError:
                return None
            i += 4
        else:
            return None
    return None


def _module(fields: list[str]) -> Module | None:
    if not fields or not fields[0]:
        return None
    return Module(
        path=fields[0],
        version=fields[1] if len(fields) > 1 else "",
        sum=fields[2] if len(fields) > 2 else "",
    )


def _setting(kv: str) -> tuple[str, str] | None:
    if not kv or kv[0] == "=":
        return None
    if kv[0] in '"`':
        quoted = _quoted_prefix(kv)
        if quoted is None or kv[quoted[1] : quoted[1] + 1] != "=":
            return None
        key, raw = quoted[0], kv[quoted[1] + 1 :]
    else:
        key, sep, raw = kv.partition("=")
        if not sep:
            return None
    if raw[:1] in ('"', "`"):
        value = _quoted_prefix(raw)
        return None if value is None else (key, value[0])
    return key, raw


def parse(version: str, mod: str) -> GoInfo:
    """Build info from the version and the modinfo text (``debug.ParseBuildInfo``'s format,
    tolerant of lines it does not know)."""
    path: str | None = None
    main: Module | None = None
    settings: dict[str, str] = {}
    deps: list[Module] = []
    for line in mod.splitlines():
        kind, _, rest = line.partition("\t")
        if kind == "path":
            path = rest
        elif kind == "mod":
            main = _module(rest.split("\t"))
        elif kind == "dep":
            dep = _module(rest.split("\t"))
            if dep is not None:
                deps.append(dep)
        elif kind == "=>":
            replacement = _module(rest.split("\t"))
            if deps and replacement is not None:
                last = deps[-1]
                deps[-1] = Module(path=last.path, version=last.version, sum=last.sum, replace=replacement)
        elif kind == "build":
            setting = _setting(rest)
            if setting is not None:
                settings[setting[0]] = setting[1]
    return GoInfo(version=version, path=path, main=main, settings=settings, deps=tuple(deps))
