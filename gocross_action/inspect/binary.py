"""What a binary is, as read from its bytes: the ``binaries[]`` entries of the report.

Readers fill a ``BinaryInfo``; checks judge it. ``to_json`` writes exactly the contract keys;
the other fields (``libc``, ``floor_symbols``, ``nss_symbols``, ``goos_source``, ``malformed``) are
for checks. A universal Mach-O file also gets ``slices``, one entry per architecture.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

FORMATS = ("elf", "pe", "macho", "xcoff", "plan9", "wasm", "unknown")
JSON_KEYS = (
    "path",
    "format",
    "goos",
    "goarch",
    "variant",
    "bits",
    "endian",
    "linkage",
    "interpreter",
    "needed",
    "glibc_required",
    "pie",
    "stripped",
    "error",
    "go",
)
# The keys of each ``slices[]`` entry (a universal Mach-O file's architectures).
SLICE_KEYS = ("goos", "goarch", "variant", "bits", "endian", "interpreter", "needed", "pie", "stripped", "go")
# The build setting that carries the sub-architecture of each GOARCH.
VARIANT_SETTING = {
    "386": "GO386",
    "amd64": "GOAMD64",
    "arm": "GOARM",
    "arm64": "GOARM64",
    "mips": "GOMIPS",
    "mipsle": "GOMIPS",
    "mips64": "GOMIPS64",
    "mips64le": "GOMIPS64",
    "ppc64": "GOPPC64",
    "ppc64le": "GOPPC64",
    "riscv64": "GORISCV64",
}


@dataclass(frozen=True, kw_only=True)
class Module:
    """A module of the build info: path, version, checksum, and its replacement if any."""

    path: str
    version: str = ""
    sum: str = ""
    replace: Module | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "version": self.version,
            "sum": self.sum,
            "replace": self.replace.to_json() if self.replace else None,
        }


@dataclass(frozen=True, kw_only=True)
class GoInfo:
    """The Go build info embedded in a binary (what ``go version -m`` prints)."""

    version: str
    path: str | None = None
    main: Module | None = None
    settings: Mapping[str, str] = field(default_factory=dict)
    deps: tuple[Module, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "path": self.path,
            "main": self.main.to_json() if self.main else None,
            "settings": dict(self.settings),
            "deps": [d.to_json() for d in self.deps],
        }


@dataclass(frozen=True, kw_only=True)
class BinaryInfo:
    """One binary as its bytes describe it (``error`` set when it could not be read)."""

    path: str
    format: str = "unknown"
    goos: str | None = None
    goarch: str | None = None
    variant: str | None = None
    bits: int | None = None
    endian: str | None = None
    linkage: str | None = None
    interpreter: str | None = None
    needed: tuple[str, ...] = ()
    glibc_required: str | None = None
    pie: bool | None = None
    stripped: bool | None = None
    error: str | None = None
    go: GoInfo | None = None
    # The architectures of a universal (fat) Mach-O file, one entry each, in file order (the
    # fields above describe the first); empty for every other file.
    slices: tuple[BinaryInfo, ...] = ()
    # For checks, not serialised:
    libc: str | None = None  # glibc | musl | None (unknown, or no C library)
    floor_symbols: tuple[str, ...] = ()  # "symbol@GLIBC_2.34" for the versions at glibc_required
    nss_symbols: tuple[str, ...] = ()  # NSS functions a static glibc binary links
    goos_source: str | None = None  # how goos was found: "build info", "OSABI", "interpreter"...
    malformed: bool = False  # the format is known but its tables are corrupt, truncated or hostile

    @property
    def targets(self) -> tuple[str, ...]:
        """``goos/goarch`` of every slice of a universal file, else of the file itself."""
        infos = self.slices or (self,)
        return tuple(f"{i.goos}/{i.goarch}" for i in infos if i.goos and i.goarch)

    @property
    def target(self) -> str | None:
        """``goos/goarch[/variant]`` when both are known (a default variant left out, as the
        targets of ``gocross check`` are named)."""
        from ..targets import display_name

        return display_name(self.goos, self.goarch, self.variant)

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "format": self.format,
            "goos": self.goos,
            "goarch": self.goarch,
            "variant": self.variant,
            "bits": self.bits,
            "endian": self.endian,
            "linkage": self.linkage,
            "interpreter": self.interpreter,
            "needed": list(self.needed),
            "glibc_required": self.glibc_required,
            "pie": self.pie,
            "stripped": self.stripped,
            "error": self.error,
            "go": self.go.to_json() if self.go else None,
            **({"slices": [s.slice_json() for s in self.slices]} if self.slices else {}),
        }

    def slice_json(self) -> dict[str, Any]:
        """One architecture of a universal file: the facts that differ between slices."""
        return {key: value for key, value in self.to_json().items() if key in SLICE_KEYS}


class FormatError(Exception):
    """The bytes are not a well-formed file of the format they claim to be (one line)."""
