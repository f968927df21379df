"""Prove a package-install fix without installing anything: ``apt-get download`` the packages
(and the libraries they depend on) into a scratch directory, unpack them there with
``dpkg-deb -x``, and point the trial build's ``CGO_CFLAGS``/``CGO_LDFLAGS`` at that tree.

No root, no change to the machine: the system's package database and /usr stay as they are.
Bounded: at most ``MAX_PACKAGES`` packages, each command timed out.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from ..findings import Changes
from ..targets import Target, cross_toolchain

MAX_PACKAGES = 60
MAX_DEPTH = 8
TIMEOUT_S = 300
_DEPENDS = re.compile(r"^\s*\|?(?:Pre)?Depends:\s+(?P<name>[^<\s][^\s]*)\s*$", re.MULTILINE)
_INSTALL = re.compile(r"apt-get install -y((?:[ \t]+[^\s&;|]+)+)")


def packages_in(code: str) -> list[str]:
    """The packages an ``apt-get install -y ...`` snippet installs."""
    m = _INSTALL.search(code)
    return [w for w in (m.group(1).split() if m else []) if not w.startswith("-")]


def _run(argv: Sequence[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str] | None:
    try:
        return subprocess.run(
            list(argv),
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None


# What a -dev package's dependencies may name that a scratch tree must not hold: the C library's
# own development files belong to the (cross) compiler.
_TOOLCHAIN_PACKAGES = re.compile(r"^(?:libc6?-dev|libc6[:]|libc6$|linux-libc-dev|libgcc|gcc|libstdc\+\+)")


def apt_options(arch: str | None, state: Path | None) -> list[str]:
    """apt options for another architecture's package lists, kept in ``state`` (no root, the
    system's apt configuration untouched)."""
    if not arch or state is None:
        return []
    return [
        "-o",
        f"APT::Architectures::={arch}",
        "-o",
        f"Dir::State::Lists={state / 'lists'}",
        "-o",
        f"Dir::Cache={state / 'cache'}",
        "-o",
        "Debug::NoLocking=1",
    ]


def _foreign_lists(arch: str, state: Path) -> bool:
    """Package lists for ``arch`` in ``state`` (fetched once with ``apt-get update``)."""
    lists = state / "lists"
    if any(lists.glob("*_Packages*")):
        return True
    (lists / "partial").mkdir(parents=True, exist_ok=True)
    (state / "cache" / "archives" / "partial").mkdir(parents=True, exist_ok=True)
    proc = _run(["apt-get", "-q", *apt_options(arch, state), "update"])
    return proc is not None and proc.returncode == 0 and any(lists.glob("*_Packages*"))


def _installed(name: str) -> bool:
    proc = _run(["dpkg-query", "-W", "-f=${Status}", name])
    return proc is not None and proc.returncode == 0 and "install ok installed" in proc.stdout


def _depends(name: str, options: Sequence[str]) -> list[str]:
    proc = _run(["apt-cache", *options, "depends", "--no-recommends", "--no-suggests", name])
    if proc is None or proc.returncode != 0:
        return []
    return [m.group("name") for m in _DEPENDS.finditer(proc.stdout)]


def _closure(packages: Sequence[str], options: Sequence[str] = ()) -> list[str]:
    """The packages with what they need to be unpacked on their own: every dependency the system
    lacks, and the runtime library behind each -dev package (its ``.so`` link points into it)."""
    wanted: list[str] = []
    frontier = [(p, True) for p in packages]
    for _ in range(MAX_DEPTH):
        following = []
        for name, needed in frontier:
            if name in wanted or len(wanted) >= MAX_PACKAGES or _TOOLCHAIN_PACKAGES.match(name):
                continue
            if not needed and _installed(name):
                continue
            wanted.append(name)
            dev = name.split(":")[0].endswith("-dev")
            arch = f":{name.split(':')[1]}" if ":" in name else ""
            for dep in _depends(name, options):
                dep = dep if ":" in dep or not arch else f"{dep}{arch}"
                runtime = dev and dep.startswith("lib") and "-dev" not in dep
                following.append((dep, runtime))
        frontier = following
    return wanted


def stage(packages: Sequence[str], into: Path, *, state: Path | None = None) -> Path | None:
    """The packages unpacked under ``into/root`` (None when apt cannot fetch them here).
    Packages of another architecture (``libpcap-dev:arm64``) are looked up in that architecture's
    package lists, fetched once into ``state``."""
    if not packages or shutil.which("apt-get") is None or shutil.which("dpkg-deb") is None:
        return None
    arches = {p.split(":", 1)[1] for p in packages if ":" in p}
    options: list[str] = []
    if arches:
        if len(arches) > 1 or state is None:
            return None
        arch = arches.pop()
        state = state / f"apt-{arch}"
        if not _foreign_lists(arch, state):
            return None
        options = apt_options(arch, state)
    debs = into / "debs"
    root = into / "root"
    debs.mkdir(parents=True, exist_ok=True)
    names = _closure(packages, options)
    proc = _run(["apt-get", "-q", *options, "download", *names], cwd=debs)
    if proc is None or proc.returncode != 0:
        return None
    for deb in sorted(debs.glob("*.deb")):
        done = _run(["dpkg-deb", "-x", str(deb), str(root)])
        if done is None or done.returncode != 0:
            return None
    return root


def changes_for(root: Path, target: Target, env: Mapping[str, str]) -> Changes:
    """The trial build's flags for headers and libraries under ``root`` (kept after the build's own)."""
    triplet = cross_toolchain(target).get("gnu") or ""
    includes = [root / "usr" / "include", root / "usr" / "include" / triplet]
    libs = [root / "usr" / "lib" / triplet, root / "usr" / "lib", root / "lib" / triplet]
    cflags = " ".join(f"-I{d}" for d in includes if d.is_dir())
    found = [d for d in libs if d.is_dir()]
    ldflags = " ".join([*(f"-L{d}" for d in found), *(f"-Wl,-rpath-link,{d}" for d in found)])
    pkgconfig = ":".join(str(d / "pkgconfig") for d in libs if (d / "pkgconfig").is_dir())
    out = {
        "CGO_CFLAGS": " ".join(p for p in (env.get("CGO_CFLAGS", "-O2 -g"), cflags) if p),
        "CGO_LDFLAGS": " ".join(p for p in (env.get("CGO_LDFLAGS", "-O2 -g"), ldflags) if p),
    }
    if pkgconfig:
        out["PKG_CONFIG_PATH"] = ":".join(p for p in (pkgconfig, env.get("PKG_CONFIG_PATH", "")) if p)
    return Changes(env=out)
