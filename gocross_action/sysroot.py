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

from .findings import Changes
from .targets import Target, cross_toolchain

MAX_PACKAGES = 40
MAX_DEPTH = 3
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


def _installed(name: str) -> bool:
    proc = _run(["dpkg-query", "-W", "-f=${Status}", name])
    return proc is not None and proc.returncode == 0 and "install ok installed" in proc.stdout


def _depends(name: str) -> list[str]:
    proc = _run(["apt-cache", "depends", "--no-recommends", "--no-suggests", name])
    if proc is None or proc.returncode != 0:
        return []
    return [m.group("name") for m in _DEPENDS.finditer(proc.stdout)]


def _closure(packages: Sequence[str]) -> list[str]:
    """The packages with what they need to be unpacked on their own: every dependency the system
    lacks, and the runtime library behind each -dev package (its ``.so`` link points into it)."""
    wanted: list[str] = []
    frontier = [(p, True) for p in packages]
    for _ in range(MAX_DEPTH):
        following = []
        for name, needed in frontier:
            if name in wanted or len(wanted) >= MAX_PACKAGES:
                continue
            if not needed and _installed(name):
                continue
            wanted.append(name)
            dev = name.split(":")[0].endswith("-dev")
            arch = f":{name.split(':')[1]}" if ":" in name else ""
            for dep in _depends(name):
                dep = dep if ":" in dep or not arch else f"{dep}{arch}"
                runtime = dev and dep.startswith("lib") and "-dev" not in dep
                following.append((dep, runtime))
        frontier = following
    return wanted


def stage(packages: Sequence[str], into: Path) -> Path | None:
    """The packages unpacked under ``into/root`` (None when apt cannot fetch them here)."""
    if not packages or shutil.which("apt-get") is None or shutil.which("dpkg-deb") is None:
        return None
    debs = into / "debs"
    root = into / "root"
    debs.mkdir(parents=True, exist_ok=True)
    names = _closure(packages)
    proc = _run(["apt-get", "download", *names], cwd=debs)
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
    ldflags = " ".join(f"-L{d}" for d in libs if d.is_dir())
    pkgconfig = ":".join(str(d / "pkgconfig") for d in libs if (d / "pkgconfig").is_dir())
    out = {
        "CGO_CFLAGS": " ".join(p for p in (env.get("CGO_CFLAGS", "-O2 -g"), cflags) if p),
        "CGO_LDFLAGS": " ".join(p for p in (env.get("CGO_LDFLAGS", "-O2 -g"), ldflags) if p),
    }
    if pkgconfig:
        out["PKG_CONFIG_PATH"] = ":".join(p for p in (pkgconfig, env.get("PKG_CONFIG_PATH", "")) if p)
    return Changes(env=out)
