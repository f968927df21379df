"""The host's C library (glibc and its version, or musl), its distribution, and the kernel
headers that cgo code including <linux/...> needs, per Linux cgo target."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from ..config import TargetConfig
from ..findings import Evidence, Finding, Fix, Severity, Snippet
from ..targets import Target
from . import cgo, system
from .fixes import apt
from .model import ProbeContext, ProbeResult, result

NAME = "libc"
_GLIBC_RELEASE = re.compile(rb"GNU C Library[^\n\x00]*?version (\d+\.\d+)")
_GLIBC_SYMBOL = re.compile(rb"GLIBC_(\d+)\.(\d+)(?:\.(\d+))?\x00")
_LIBC_DIRS = ("lib", "lib64", "usr/lib", "usr/lib64")


def _glibc_files(ctx: ProbeContext) -> list[Path]:
    found: list[Path] = []
    for directory in _LIBC_DIRS:
        base = ctx.path(directory)
        found.extend(sorted(base.glob("*-linux-gnu*/libc.so.6")))
        if (base / "libc.so.6").is_file():
            found.append(base / "libc.so.6")
    return [p for p in found if p.is_file()]


def glibc_version(path: Path) -> str | None:
    """glibc's version from libc.so.6's bytes: the release banner, else its newest GLIBC_x.y."""
    try:
        blob = path.read_bytes()
    except OSError:
        return None
    banner = _GLIBC_RELEASE.search(blob)
    if banner:
        return banner[1].decode()
    versions = {(int(m[1]), int(m[2])) for m in _GLIBC_SYMBOL.finditer(blob)}
    if not versions:
        return None
    major, minor = max(versions)
    return f"{major}.{minor}"


def _os_release(ctx: ProbeContext) -> dict[str, str]:
    text = system.read_text(ctx, "/etc/os-release") or system.read_text(ctx, "/usr/lib/os-release") or ""
    values: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            values[key.strip()] = value.strip().strip('"')
    return values


def _kernel_headers(ctx: ProbeContext, include: str) -> str | None:
    """The version in ``<include>/linux/version.h``, or None when the headers are not there."""
    text = system.read_text(ctx, f"{include}/linux/version.h")
    return None if text is None else _version_from(text)


def _version_from(text: str) -> str:
    parts = [re.search(rf"LINUX_VERSION_{n}\s+(\d+)", text) for n in ("MAJOR", "PATCHLEVEL", "SUBLEVEL")]
    if all(parts):
        return ".".join(m[1] for m in parts if m)
    code = re.search(r"LINUX_VERSION_CODE\s+(\d+)", text)
    if code:
        n = int(code[1])
        return f"{n >> 16}.{(n >> 8) & 0xFF}.{n & 0xFF}"
    return "unknown"


def probe(ctx: ProbeContext) -> ProbeResult:
    release = _os_release(ctx)
    glibc = _glibc_files(ctx)
    musl = sorted(ctx.path("lib").glob("ld-musl-*.so.1"))
    version = glibc_version(glibc[0]) if glibc else None
    family = "glibc" if glibc else "musl" if musl else "unknown"
    facts: dict[str, Any] = {
        "family": family,
        "glibc_version": version,
        "musl_loader": f"/{musl[0].relative_to(ctx.root)}" if musl else None,
        "distribution": release.get("ID"),
        "distribution_version": release.get("VERSION_ID"),
        "kernel_headers": _kernel_headers(ctx, "/usr/include"),
    }
    findings: list[Finding] = []
    per_target: dict[str, Any] = {}
    for tc in ctx.targets:
        if tc.target.goos != "linux" or not cgo.cgo_enabled(ctx, tc)[0]:
            continue
        if family == "musl" and cgo.is_native(ctx, tc.target) and not _static(tc):
            findings.append(_musl_host(tc.target, facts))
        compiler = _fitting_compiler(ctx, tc)
        if compiler is None:
            continue  # the cgo probe reports the compiler itself
        cc, triplet = compiler
        dirs = include_dirs(ctx, cc)
        header = next(
            (d / "linux" / "version.h" for d in dirs if (d / "linux" / "version.h").is_file()), None
        )
        per_target[str(tc.target)] = {
            "kernel_headers": _kernel_headers_at(header) if header else None,
            "include_dirs": [str(d) for d in dirs],
        }
        if header is None and dirs:
            package = _headers_package(ctx, tc.target, triplet, cc, release)
            findings.append(_missing_headers(tc.target, cc, package))
    facts["targets"] = per_target
    return result(NAME, facts, findings)


def _static(tc: TargetConfig) -> bool:
    return "-static" in (tc.ldflags or "")


def _fitting_compiler(ctx: ProbeContext, tc: TargetConfig) -> tuple[str, str] | None:
    cc, _ = cgo.resolve_cc(ctx, tc)
    words = cgo.words(cc)
    if not words or system.which(ctx, words[0]) is None:
        return None
    triplet = cgo.dumpmachine(ctx, cc).triplet
    if triplet is None or not cgo.fits(ctx, cc, triplet, tc.target)[0]:
        return None
    return cc, triplet


def include_dirs(ctx: ProbeContext, cc: str) -> list[Path]:
    """The compiler's own ``#include <...>`` search list (``cc -E -v``), once per CC."""

    def compute() -> list[Path]:
        ran = system.run(ctx, [*cgo.words(cc), "-E", "-v", "-x", "c", os.devnull, "-o", os.devnull])
        dirs: list[Path] = []
        inside = False
        for line in ran.err.splitlines():
            if line.startswith("#include <...> search starts here"):
                inside = True
            elif line.startswith("End of search list"):
                break
            elif inside and line.startswith(" "):
                dirs.append(Path(line.strip().split(" (")[0]))
        return dirs

    found: list[Path] = ctx.cached(f"include_dirs:{cc}", compute)
    return found


def _kernel_headers_at(path: Path) -> str:
    try:
        return _version_from(path.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return "unknown"


def _headers_package(
    ctx: ProbeContext, target: Target, triplet: str, cc: str, release: dict[str, str]
) -> str:
    """The package that puts kernel headers where this compiler looks."""
    if release.get("ID") == "alpine":
        return "linux-headers"
    if "musl" in triplet or "musl" in cc:
        return "musl"
    if cgo.triplet_goarch(triplet) == system.host(ctx)[1]:
        return "linux-libc-dev"
    debian_arch = system.data()["debian_arch"].get(target.goarch, target.goarch)
    return f"linux-libc-dev-{debian_arch}-cross"


def _missing_headers(target: Target, cc: str, package: str) -> Finding:
    if package == "linux-headers":
        install = Snippet(language="bash", code="apk add linux-headers\n")
        summary = "Install linux-headers if the C code needs kernel headers."
    elif package == "musl":
        install = Snippet(
            language="bash",
            code="sudo ln -s /usr/include/linux /usr/include/asm-generic "
            "/usr/include/$(gcc -dumpmachine)/asm /usr/include/$(uname -m)-linux-musl/\n",
        )
        summary = "musl-gcc searches only musl's headers: link the kernel headers into its include directory."
    else:
        install = apt([package])
        summary = f"Install {package} if the C code needs kernel headers."
    return Finding(
        rule="probe.libc.kernel-headers-missing",
        category="cgo-headers-libs",
        severity=Severity.NOTICE,
        target=str(target),
        title=f"Linux kernel headers for {target} are not on CC's include path",
        root_cause=f"cgo is on for {target} and CC={cc} finds no linux/version.h on its include path: "
        "C code that includes <linux/...> or <asm/...> headers will not compile.",
        fix=Fix(summary=summary, snippets=(install,)),
        evidence=(
            Evidence(source="probe", text=f"{cc}: no linux/version.h in its #include <...> search list"),
        ),
        confidence=0.6,
        priority=20,
    )


def _musl_host(target: Target, facts: dict[str, Any]) -> Finding:
    return Finding(
        rule="probe.libc.musl-host",
        category="libc-musl-glibc-mismatch",
        severity=Severity.NOTICE,
        target=str(target),
        title=f"{target} cgo binaries built here link against musl",
        root_cause="The build machine's C library is musl (e.g. Alpine): a dynamically linked cgo binary "
        "built here needs /lib/ld-musl-*.so.1 and will not start on glibc systems.",
        fix=Fix(
            summary="Link statically, or build on a glibc system for glibc deploy targets.",
            snippets=(
                Snippet(language="bash", code="go build -ldflags '-linkmode external -extldflags -static'\n"),
            ),
        ),
        evidence=(Evidence(source="probe", text=f"host libc: musl ({facts.get('musl_loader')})"),),
        confidence=0.8,
        priority=10,
    )
