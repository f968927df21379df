"""WebAssembly (js/wasm, wasip1/wasm): the section list and the import module names, after the
WebAssembly core specification's binary format. GOOS comes from the host module the binary
imports from: ``gojs`` (``go`` before Go 1.21) for js, ``wasi_snapshot_preview1`` for wasip1."""

from __future__ import annotations

from . import buildinfo
from .binary import BinaryInfo, FormatError
from .source import AddressSpace, Region, Source

MAGIC = b"\0asm"
MAX_SECTIONS = 4096
MAX_IMPORTS = 100_000
IMPORT_SECTION, DATA_SECTION, CUSTOM_SECTION = 2, 11, 0
HOST_MODULES = {"gojs": "js", "go": "js", "wasi_snapshot_preview1": "wasip1", "wasi_unstable": "wasip1"}


def _leb(data: bytes, at: int) -> tuple[int, int]:
    value = shift = 0
    for i in range(at, min(at + 10, len(data))):
        value |= (data[i] & 0x7F) << shift
        if data[i] < 0x80:
            return value, i + 1
        shift += 7
    raise FormatError("truncated LEB128 number")


def _name(data: bytes, at: int) -> tuple[str, int]:
    length, at = _leb(data, at)
    if at + length > len(data):
        raise FormatError("name runs past its section")
    return data[at : at + length].decode("utf-8", "replace"), at + length


def read(source: Source, path: str) -> BinaryInfo:
    if source.read(4, 4, what="wasm version") != b"\1\0\0\0":
        raise FormatError("unsupported WebAssembly version")
    offset = 8
    modules: list[str] = []
    custom: list[str] = []
    data_section: tuple[int, int] | None = None
    for _ in range(MAX_SECTIONS):
        if offset >= source.size:
            break
        head = source.read(offset, 11, exact=False)
        kind = head[0]
        size, used = _leb(head, 1)
        body_at = offset + used
        if body_at + size > source.size:
            raise FormatError(f"section {kind} runs past the end of the file")
        if kind == IMPORT_SECTION:
            modules = _import_modules(source.read(body_at, size, what="import section"))
        elif kind == DATA_SECTION:
            data_section = (body_at, size)
        elif kind == CUSTOM_SECTION:
            custom.append(_name(source.read(body_at, min(size, 300), exact=False), 0)[0])
        offset = body_at + size
    else:
        raise FormatError(f"more than {MAX_SECTIONS} sections")
    go = None
    if data_section is not None:
        at, size = data_section
        space = AddressSpace(source, [Region(at, size, at, size)])
        go = buildinfo.read(space, at, size, align=1)
    settings = go.settings if go else {}
    hosts = [HOST_MODULES[m] for m in modules if m in HOST_MODULES]
    goos = settings.get("GOOS") or (hosts[0] if hosts else None)
    source_note = "build info" if settings.get("GOOS") else ("wasm imports" if hosts else None)
    return BinaryInfo(
        path=path,
        format="wasm",
        goos=goos,
        goarch="wasm",
        bits=32,
        endian="little",
        stripped="name" not in custom,
        go=go,
        goos_source=source_note,
    )


def _import_modules(body: bytes) -> list[str]:
    """Distinct import module names, in order."""
    count, at = _leb(body, 0)
    if count > MAX_IMPORTS:
        raise FormatError(f"import section claims {count} imports")
    modules: dict[str, None] = {}
    for _ in range(count):
        module, at = _name(body, at)
        _field, at = _name(body, at)
        modules[module] = None
        if at >= len(body):
            raise FormatError("import runs past its section")
        kind = body[at]
        at += 1
        if kind == 0:  # function: type index
            _idx, at = _leb(body, at)
        elif kind == 1:  # table: reftype, limits
            at = _limits(body, at + 1)
        elif kind == 2:  # memory: limits
            at = _limits(body, at)
        elif kind == 3:  # global: valtype, mutability
            at += 2
        else:
            raise FormatError(f"unknown import kind {kind}")
    return list(modules)


def _limits(body: bytes, at: int) -> int:
    if at >= len(body):
        raise FormatError("limits run past the section")
    flag = body[at]
    _min, at = _leb(body, at + 1)
    if flag & 1:
        _max, at = _leb(body, at)
    return at
