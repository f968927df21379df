"""Judge a binary (``BinaryInfo``) against what it was built for and where it will run.

Readers describe; this module decides. Every finding names the binary's path in its evidence.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..deploy import DeploySystem, common_systems, version_key
from ..findings import Changes, Evidence, Finding, Fix, Severity, Snippet
from ..inspect.binary import BinaryInfo
from ..targets import Target, arch_info

# Debian-based golang images by glibc version, newest first: building in one whose glibc is not
# newer than the deploy system's gives a binary that runs there (see data/deploy.json).
_BUILD_IMAGES = (((2, 36), "bookworm"), ((2, 31), "bullseye"), ((2, 28), "buster"))
_MAX_SYMBOLS = 5
# DLLs every Windows system has (system32, the API sets, the C runtime of Windows 10 and later):
# any other import must ship beside the .exe.
_SYSTEM_DLLS = frozenset(
    (
        "kernel32.dll",
        "advapi32.dll",
        "user32.dll",
        "gdi32.dll",
        "shell32.dll",
        "ole32.dll",
        "oleaut32.dll",
        "ws2_32.dll",
        "winmm.dll",
        "ntdll.dll",
        "crypt32.dll",
        "secur32.dll",
        "iphlpapi.dll",
        "dnsapi.dll",
        "userenv.dll",
        "netapi32.dll",
        "psapi.dll",
        "comctl32.dll",
        "comdlg32.dll",
        "opengl32.dll",
        "glu32.dll",
        "dwmapi.dll",
        "imm32.dll",
        "setupapi.dll",
        "version.dll",
        "winspool.drv",
        "shlwapi.dll",
        "uxtheme.dll",
        "wininet.dll",
        "winhttp.dll",
        "bcrypt.dll",
        "ncrypt.dll",
        "powrprof.dll",
        "rpcrt4.dll",
        "wtsapi32.dll",
        "mswsock.dll",
        "msvcrt.dll",
        "ucrtbase.dll",
        "dbghelp.dll",
        "hid.dll",
        "wlanapi.dll",
        "pdh.dll",
        "dxgi.dll",
        "d3d11.dll",
        "d3d9.dll",
        "ddraw.dll",
        "dsound.dll",
        "xinput1_4.dll",
        "wbemuuid.dll",
        "mpr.dll",
        "credui.dll",
        "",
    )
)


def judge(
    info: BinaryInfo,
    *,
    expect: Target | None,
    deploy: Sequence[DeploySystem],
    glibc_max: str | None,
    require_static: bool,
    target: str | None = None,
) -> list[Finding]:
    """Findings for one binary; none when it fits its expectations. A file of a known format whose
    tables are corrupt, truncated or hostile is ``artifact.malformed``; an unreadable file gets no
    finding (its ``error`` says why)."""
    # A finding about a binary is labelled with what the binary is; the expectation is named in
    # the finding itself (``expected linux/arm64``).
    label = target or info.target or (str(expect) if expect else None)
    if info.malformed:
        return [_malformed(info, label)]
    if info.error is not None:
        return []
    findings: list[Finding] = []
    findings += _wrong_target(info, expect, label)
    findings += _cgo_modules_without_cgo(info, label)
    if info.format == "pe":
        findings += _private_dlls(info, label)
    if info.format == "elf" and info.goos in ("linux", "android", None):
        findings += _libc_family(info, deploy, label)
        findings += _glibc_floor(info, deploy, glibc_max, label)
        findings += _static(info, deploy, require_static, label)
    return findings


def _malformed(info: BinaryInfo, label: str | None) -> Finding:
    kind = info.format.upper() if info.format != "macho" else "Mach-O"
    return Finding(
        rule="artifact.malformed",
        category="exec-format-error",
        severity=Severity.ERROR,
        target=label,
        title=f"malformed {kind} file: it cannot be what the build produced",
        root_cause=(
            f"{info.path} starts like an {kind} file but its tables are corrupt, truncated or lie about "
            "their size, so no system can load it (exec format error, or a crash at start). A copy, "
            "download or upload that was cut short, or a file that is not the build's output."
        ),
        evidence=_evidence(info, info.error or "malformed"),
        fix=Fix(summary="Rebuild the binary and check that it is copied and uploaded whole (compare sizes)"),
    )


def _evidence(info: BinaryInfo, *facts: str) -> tuple[Evidence, ...]:
    return tuple(Evidence(source="artifact", text=f"{info.path}: {fact}") for fact in facts)


def _built_for(info: BinaryInfo) -> str:
    how = f" ({info.goos_source})" if info.goos_source and info.goos_source != "build info" else ""
    kind = info.format.upper() if info.format != "macho" else "Mach-O"
    if info.slices:
        return f"{kind} universal binary for {', '.join(info.targets)}{how}"
    return f"{kind} binary for {info.target}{how}"


def _wrong_target(whole: BinaryInfo, expect: Target | None, label: str | None) -> list[Finding]:
    """The binary (or, for a universal file, any of its slices) must be built for ``expect``."""
    if expect is None or not whole.goos or not whole.goarch:
        return []
    slices = whole.slices or (whole,)
    info = next((s for s in slices if (s.goos, s.goarch) == (expect.goos, expect.goarch)), whole)
    if (info.goos, info.goarch) != (expect.goos, expect.goarch):
        built = " + ".join(whole.targets)
        env = expect.env()
        exports = " ".join(f"{k}={v}" for k, v in env.items())
        return [
            Finding(
                rule="artifact.wrong-target",
                category="exec-format-error",
                severity=Severity.ERROR,
                target=label,
                title=f"built for {built}, expected {expect.pair}",
                root_cause=(
                    f"{info.path} is built for {built}, expected {expect.pair}: running it "
                    "there fails with exec format error. The build most likely did not get GOOS/GOARCH "
                    "(set on a different step, or overridden), or this is a stale or cached artifact."
                ),
                evidence=_evidence(info, _built_for(whole)),
                fix=Fix(
                    summary=f"Pass the target to the build ({exports}) and rebuild the artifact",
                    snippets=(Snippet(language="bash", code=f"{exports} go build -o app ."),),
                    changes=Changes(env=env),
                ),
            )
        ]
    if expect.variant and info.variant and _variant(expect.variant) != _variant(info.variant):
        var = expect.variant_var or "the variant"
        return [
            Finding(
                rule="artifact.variant-mismatch",
                category="unsupported-target",
                severity=Severity.ERROR,
                target=label,
                title=f"built with {var}={info.variant}, expected {expect.variant}",
                root_cause=(
                    f"{info.path} is built with {var}={info.variant}, expected {var}={expect.variant}: a CPU "
                    "at the expected level may lack instructions it uses (Illegal instruction)."
                ),
                evidence=_evidence(info, f"build setting {var}={info.variant}"),
                fix=Fix(
                    summary=f"Set {var}={expect.variant} for this target",
                    changes=Changes(env=expect.env()),
                ),
            )
        ]
    return []


def _variant(value: str) -> str:
    return value.split(",", 1)[0]


def _libc_family(info: BinaryInfo, deploy: Sequence[DeploySystem], label: str | None) -> list[Finding]:
    if info.linkage != "dynamic" or info.libc not in ("glibc", "musl"):
        return []
    other = "musl" if info.libc == "glibc" else "glibc"
    systems = [s for s in deploy if s.libc == other]
    if not systems:
        return []
    names = ", ".join(s.title for s in systems)
    interp = info.interpreter or "its C library"
    if info.libc == "glibc":
        fix = Fix(
            summary="Build without cgo, or build the binary for musl (in an Alpine image or with musl-gcc)",
            snippets=(
                Snippet(language="bash", code="CGO_ENABLED=0 go build -o app ."),
                Snippet(
                    language="dockerfile",
                    code="FROM golang:alpine AS build\nRUN apk add --no-cache gcc musl-dev",
                ),
            ),
            changes=Changes(env={"CGO_ENABLED": "0"}) if _cgo_optional(info) else None,
        )
    else:
        fix = Fix(
            summary="Build without cgo, link statically, or build in an image of the deploy system",
            snippets=(
                Snippet(language="bash", code="CGO_ENABLED=0 go build -o app ."),
                Snippet(
                    language="bash",
                    code="CC=musl-gcc go build -ldflags "
                    "'-linkmode external -extldflags \"-static\"' -o app .",
                ),
            ),
            changes=Changes(env={"CGO_ENABLED": "0"}) if _cgo_optional(info) else None,
        )
    return [
        Finding(
            rule=f"artifact.{info.libc}-on-{other}",
            category="libc-musl-glibc-mismatch",
            severity=Severity.ERROR,
            target=label,
            title=f"{info.libc}-linked binary deployed to {other} system {systems[0].name}",
            root_cause=(
                f"{info.path} is dynamically linked against {info.libc} and asks for {interp}, which does "
                f"not exist on {names} ({other}): it fails to start there ('not found' or missing symbols)."
            ),
            evidence=_evidence(
                info,
                f"interpreter {info.interpreter}" if info.interpreter else f"needs {', '.join(info.needed)}",
                *(f"deploy system {s.name}: libc {s.libc}" for s in systems),
            ),
            fix=fix,
        )
    ]


def _cgo_optional(info: BinaryInfo) -> bool:
    """Whether nothing in the build info says cgo is required (std net and os/user have pure-Go
    fallbacks; known cgo-only modules do not)."""
    if info.go is None:
        return False
    return not any(_needs_cgo(dep.path, info.goos) for dep in info.go.deps)


def _needs_cgo(path: str, goos: str | None) -> bool:
    from .. import cdeps  # the table of cgo modules: only for a binary with dependencies

    row = cdeps.module_for(path)
    return row is not None and row.needs_cgo_for(goos)


def _cgo_modules_without_cgo(info: BinaryInfo, label: str | None) -> list[Finding]:
    """A binary built with CGO_ENABLED=0 that links a module known to need cgo: its cgo code was
    left out (go-sqlite3 builds a stub that fails at run time). Modules that need cgo in only some
    of their packages are left to the build, which fails when one of those is imported."""
    if info.go is None or info.go.settings.get("CGO_ENABLED") != "0" or not info.go.deps:
        return []
    from .. import cdeps

    rows = [
        row
        for dep in info.go.deps
        if (row := cdeps.module_for(dep.path)) is not None
        and row.needs_cgo_for(info.goos)
        and not row.packages
    ]
    if not rows:
        return []
    row = rows[0]
    stub = row.stub is not None
    what = f"its cgo code is left out: {row.stub}" if row.stub else "its cgo code is left out"
    alternative = f"; or use {row.alternative}" if row.alternative else ""
    return [
        Finding(
            rule="artifact.cgo-module-without-cgo",
            category="cgo-required-but-disabled",
            severity=Severity.ERROR if stub else Severity.WARNING,
            target=label,
            title=f"built with CGO_ENABLED=0, but {row.module} needs cgo",
            root_cause=(
                f"{info.path} was built with CGO_ENABLED=0 (the default when cross-compiling) and links "
                f"{row.module}, which needs cgo: {what}."
            ),
            evidence=_evidence(
                info, "build setting CGO_ENABLED=0", *(f"links {r.module} (needs cgo)" for r in rows)
            ),
            fix=Fix(summary=f"Build with CGO_ENABLED=1 and a C compiler for the target{alternative}"),
            priority=80,
        )
    ]


def _private_dlls(info: BinaryInfo, label: str | None) -> list[Finding]:
    """A Windows binary importing DLLs that are not part of Windows (libgcc_s_seh-1.dll,
    libssp-0.dll, libwinpthread-1.dll from mingw...): they must be shipped beside it."""
    private = [dll for dll in info.needed if dll.lower() not in _SYSTEM_DLLS and not _api_set(dll)]
    if not private:
        return []
    names = ", ".join(private)
    ssp = any(dll.lower() == "libssp-0.dll" for dll in private)
    summary = (
        "Link the C runtime pieces statically (-extldflags '-static'; for libssp, -l:libssp.a instead "
        "of -lssp), or ship the DLLs beside the .exe"
    )
    return [
        Finding(
            rule="artifact.private-dlls",
            category="windows-toolchain",
            severity=Severity.WARNING,
            target=label,
            title=f"needs {names} beside the .exe at run time",
            root_cause=(
                f"{info.path} imports {names}, which Windows does not provide: it fails to start ('the code "
                "execution cannot proceed because ... was not found') unless the DLLs are shipped with it."
            ),
            evidence=_evidence(info, f"imports {names}"),
            fix=Fix(
                summary=summary,
                snippets=(
                    Snippet(
                        language="bash",
                        code=("CGO_LDFLAGS=-l:libssp.a " if ssp else "")
                        + "go build -ldflags \"-extldflags '-static'\" -o app.exe .",
                    ),
                ),
                changes=Changes(env={"CGO_LDFLAGS": "-l:libssp.a"}) if ssp else None,
            ),
        )
    ]


def _api_set(dll: str) -> bool:
    return dll.lower().startswith(("api-ms-win-", "ext-ms-win-"))


def _floor_text(info: BinaryInfo) -> str:
    symbols = list(info.floor_symbols[:_MAX_SYMBOLS])
    more = len(info.floor_symbols) - len(symbols)
    listed = ", ".join(symbols) + (f" and {more} more" if more > 0 else "")
    return f"needs GLIBC_{info.glibc_required}" + (f" ({listed})" if listed else "")


def _glibc_floor(
    info: BinaryInfo, deploy: Sequence[DeploySystem], glibc_max: str | None, label: str | None
) -> list[Finding]:
    if info.libc != "glibc" or info.linkage != "dynamic" or info.glibc_required is None:
        return []
    floor = version_key(info.glibc_required)
    limits: list[tuple[str, str]] = []
    if glibc_max:
        limits.append((f"--glibc-max {glibc_max}", glibc_max))
    limits += [(f"{s.title} ({s.name})", s.glibc) for s in deploy if s.libc == "glibc" and s.glibc]
    declared = bool(glibc_max) or any(s.libc == "glibc" for s in deploy)
    too_old = [(name, version) for name, version in limits if version_key(version) < floor]
    if too_old:
        lowest_name, lowest = min(too_old, key=lambda item: version_key(item[1]))
        return [
            Finding(
                rule="artifact.glibc-too-new",
                category="glibc-version-mismatch",
                severity=Severity.ERROR,
                target=label,
                title=f"needs GLIBC_{info.glibc_required}, {lowest_name.split(' (')[0]} has {lowest}",
                root_cause=(
                    f"{info.path} needs glibc {info.glibc_required} but {lowest_name} has {lowest}: it fails "
                    f"there with \"version 'GLIBC_{info.glibc_required}' not found\". The floor comes "
                    "from the glibc of the system it was linked on."
                ),
                evidence=_evidence(info, _floor_text(info), *(f"{n} has glibc {v}" for n, v in too_old)),
                fix=_glibc_fix(info, lowest),
            )
        ]
    if declared or deploy:
        return []
    cannot = [s for s in common_systems() if s.glibc_key is not None and s.glibc_key < floor]
    if not cannot:
        return []
    names = ", ".join(f"{s.title} ({s.glibc})" for s in cannot)
    return [
        Finding(
            rule="artifact.glibc-floor-undeclared",
            category="glibc-version-mismatch",
            severity=Severity.WARNING,
            target=label,
            title=f"dynamic glibc binary needs GLIBC_{info.glibc_required}; no deploy system declared",
            root_cause=(
                f"{info.path} is linked against glibc and needs {info.glibc_required}, so it cannot run on "
                f"{names}; no deploy system or glibc-max is declared to check it against."
            ),
            evidence=_evidence(info, _floor_text(info)),
            fix=Fix(
                summary="Declare where the binary runs (deploy: or --glibc-max), or build without cgo",
                snippets=(Snippet(language="yaml", code=_declare_snippet(floor, cannot)),),
            ),
        )
    ]


def _declare_snippet(floor: tuple[int, ...], cannot: Sequence[DeploySystem]) -> str:
    """Config lines declaring where the binaries run: a common system this one fits, and the
    ``glibc-max`` alternative set to the newest common glibc it does not reach."""
    fits = [s for s in common_systems() if s.glibc_key is not None and s.glibc_key >= floor]
    lines = ["# gocross.yml: where the binaries run, checked against the glibc each one needs"]
    if fits:
        lines += ["deploy:", f"  - {fits[0].name}"]
    lines.append(f'# or the oldest glibc you support (fails this binary): glibc-max: "{cannot[-1].glibc}"')
    return "\n".join(lines) + "\n"


def _glibc_fix(info: BinaryInfo, limit: str) -> Fix:
    key = version_key(limit)
    snippets = [Snippet(language="bash", code="CGO_ENABLED=0 go build -o app .")]
    image = next((name for glibc, name in _BUILD_IMAGES if glibc <= key), None)
    version = (info.go.version.removeprefix("go") if info.go else "") or "1"
    minor = ".".join(version.split(".")[:2]) if version[:1].isdigit() else "1"
    if image:
        snippets.append(Snippet(language="dockerfile", code=f"FROM golang:{minor}-{image} AS build"))
    arch = arch_info(info.goarch or "") or {}
    zig = str(arch.get("zig") or "x86_64-linux-gnu")
    snippets.append(
        Snippet(language="bash", code=f'CC="zig cc -target {zig}.{limit}" CGO_ENABLED=1 go build -o app .')
    )
    places = f"in an older base image (golang:{minor}-{image}), " if image else ""
    return Fix(
        summary=(
            "Build with CGO_ENABLED=0 if nothing needs cgo; otherwise link against an older glibc: "
            f"{places}or with zig cc targeting glibc {limit}"
        ),
        snippets=tuple(snippets),
        changes=Changes(env={"CGO_ENABLED": "0"}) if _cgo_optional(info) else None,
    )


def _static(
    info: BinaryInfo, deploy: Sequence[DeploySystem], require_static: bool, label: str | None
) -> list[Finding]:
    static_only = [s for s in deploy if s.libc == "none"]
    if info.linkage == "dynamic" and (require_static or static_only):
        why = "--require-static is set" if require_static else f"{static_only[0].title} has no C library"
        what = f"interpreter {info.interpreter}" if info.interpreter else f"needs {', '.join(info.needed)}"
        return [
            Finding(
                rule="artifact.not-static",
                category="static-linking",
                severity=Severity.ERROR,
                target=label,
                title="dynamically linked binary where a static one is required",
                root_cause=(
                    f"{info.path} is dynamically linked ({what}) but {why}: it fails to start "
                    "('no such file or directory' for the binary itself)."
                ),
                evidence=_evidence(info, what, *(f"deploy system {s.name}: no libc" for s in static_only)),
                fix=Fix(
                    summary="Build without cgo (a static binary), or link statically",
                    snippets=(
                        Snippet(language="bash", code="CGO_ENABLED=0 go build -o app ."),
                        Snippet(
                            language="bash",
                            code="go build -ldflags '-linkmode external -extldflags \"-static\"' -o app .",
                        ),
                    ),
                    changes=Changes(env={"CGO_ENABLED": "0"}) if _cgo_optional(info) else None,
                ),
            )
        ]
    if info.linkage == "static" and info.libc == "glibc" and info.nss_symbols:
        symbols = ", ".join(info.nss_symbols[:_MAX_SYMBOLS])
        return [
            Finding(
                rule="artifact.static-glibc-nss",
                category="static-linking",
                severity=Severity.WARNING,
                target=label,
                title="static glibc binary uses NSS functions",
                root_cause=(
                    f"{info.path} links glibc statically and calls {symbols}: at run time glibc still loads "
                    "NSS modules of the same glibc version, so name and user lookups fail or crash where "
                    "they differ (and always in scratch or distroless/static)."
                ),
                evidence=_evidence(info, f"statically linked glibc, NSS functions: {symbols}"),
                fix=Fix(
                    summary="Use Go's pure resolvers (-tags netgo,osusergo) or build with CGO_ENABLED=0",
                    snippets=(
                        Snippet(
                            language="bash",
                            code="go build -tags netgo,osusergo "
                            "-ldflags '-linkmode external -extldflags \"-static\"' -o app .",
                        ),
                    ),
                    changes=Changes(flags=("-tags=netgo,osusergo",)),
                ),
            )
        ]
    return []
