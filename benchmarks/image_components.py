"""Run inside the Action image (benchmarks/image.sh): the bytes each component takes on disk,
from the files Debian's packages installed (dpkg's lists) and the folders the Dockerfile copies.
Prints JSON {component: bytes}; hard links are counted once, files removed after install not at
all."""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path

GROUPS = [
    ("qemu (arm, aarch64)", re.compile(r"^qemu-")),
    ("mingw-w64 win32 (windows/amd64)", re.compile(r"mingw")),
    (
        "linux cross gcc (arm64, arm/7, 386)",
        re.compile(r"(aarch64|arm-linux-gnueabihf|i686-linux-gnu|arm64-cross|armhf-cross|i386-cross)"),
    ),
    (
        "native gcc, libc headers, musl",
        re.compile(
            r"^(gcc|cpp|libgcc|libc6-dev|libc-dev|linux-libc|musl|lib.*-12-dev|libasan|libtsan|liblsan|libubsan|libitm|libatomic|libquadmath|libcc1|libisl|libmpc|libmpfr|libgomp|binutils)"
        ),
    ),
    ("python3", re.compile(r"python3")),
]


def owned_files() -> dict[str, str]:
    owner: dict[str, str] = {}
    for listing in sorted(Path("/var/lib/dpkg/info").glob("*.list")):
        package = listing.stem.split(":")[0]
        for line in listing.read_text(encoding="utf-8", errors="replace").splitlines():
            owner.setdefault(line, package)
    return owner


def size_of(paths: list[str], seen: set[tuple[int, int]]) -> int:
    total = 0
    for path in paths:
        try:
            st = os.lstat(path)
        except OSError:
            continue
        if not stat.S_ISREG(st.st_mode) or (st.st_dev, st.st_ino) in seen:
            continue
        seen.add((st.st_dev, st.st_ino))
        total += st.st_blocks * 512
    return total


def tree(root: str, seen: set[tuple[int, int]]) -> int:
    return size_of([str(p) for p in Path(root).rglob("*")], seen)


def main() -> None:
    seen: set[tuple[int, int]] = set()
    sizes = {
        "Go (/usr/local/go)": tree("/usr/local/go", seen),
        "gocross + Python packages": tree("/opt/gocross", seen),
    }
    by_package: dict[str, list[str]] = {}
    for path, package in owned_files().items():
        by_package.setdefault(package, []).append(path)
    rest = 0
    for package, paths in by_package.items():
        size = size_of(paths, seen)
        for name, pattern in GROUPS:
            if pattern.search(package):
                sizes[name] = sizes.get(name, 0) + size
                break
        else:
            rest += size
    sizes["Debian 12 slim base, git, ca-certificates, file"] = rest
    print(json.dumps(sizes))


if __name__ == "__main__":
    main()
