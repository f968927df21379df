"""The machine gocross runs on, in Go's words (GOOS, GOARCH), from the kernel's own answer
(``uname``), and whether Go turns cgo on for a build here. The plan asks before the first build,
so this module stays light (the ``platform`` module would add its import to that time)."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..targets import Target

# uname's machine names (and Windows' PROCESSOR_ARCHITECTURE) as GOARCH values.
_MACHINE_TO_GOARCH = {
    "x86_64": "amd64",
    "amd64": "amd64",
    "aarch64": "arm64",
    "arm64": "arm64",
    "i386": "386",
    "i686": "386",
    "x86": "386",
    "armv7l": "arm",
    "armv6l": "arm",
    "riscv64": "riscv64",
    "ppc64le": "ppc64le",
    "s390x": "s390x",
}


def machine() -> str:
    if hasattr(os, "uname"):
        return os.uname().machine
    return os.environ.get("PROCESSOR_ARCHITECTURE", "")


def host_goarch() -> str:
    name = machine()
    return _MACHINE_TO_GOARCH.get(name.lower(), name.lower())


def host_goos() -> str:
    if sys.platform == "win32":
        return "windows"
    return os.uname().sysname.lower()


def cgo_by_default(target: Target, env: Mapping[str, str], host: tuple[str, str]) -> bool:
    """Whether cgo is on for a build, as Go decides it: CGO_ENABLED when set, else off when
    cross-compiling and on for native builds that find a C compiler (True when unsure)."""
    value = env.get("CGO_ENABLED")
    if value in ("0", "1"):
        return value == "1"
    if target.pair != f"{host[0]}/{host[1]}":
        return False
    return shutil.which(env.get("CC") or "gcc", path=env.get("PATH")) is not None
