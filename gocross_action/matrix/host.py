"""The machine gocross runs on, in Go's words (GOOS, GOARCH), from the kernel's own answer
(``uname``): the ``platform`` module would add its import to the time before the first build."""

from __future__ import annotations

import os
import sys

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
