"""Per cgo target: the C compiler CC resolves to, whether it exists and whether it builds for
the target (``-dumpmachine``), zig, and cgo flags or pkg-config that point at the host's files.

CC resolves as cmd/go resolves it: the config's ``cc``, the target's ``env``, then CC from the
environment or go env file, then the default (clang for darwin/ios/freebsd/openbsd, else gcc).
``CC_FOR_<goos>_<goarch>`` is read by make.bash only; go build ignores it, which this probe says.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..config import TargetConfig
from ..findings import Evidence, Finding, Fix, Severity, Snippet
from ..targets import Target, arch_info, cross_toolchain
from . import system
from .fixes import apt, env_fix, env_snippets
from .model import ProbeContext, ProbeResult, result

NAME = "cgo"
FLAG_VARS = ("CGO_CFLAGS", "CGO_CPPFLAGS", "CGO_CXXFLAGS", "CGO_LDFLAGS")
PKG_CONFIG_VARS = ("PKG_CONFIG_PATH", "PKG_CONFIG_LIBDIR")


def target_setting(ctx: ProbeContext, tc: TargetConfig, key: str) -> tuple[str | None, str]:
    """A go setting for one target: the config's per-target env first, then the environment."""
    value = tc.env.get(key)
    if value:
        return value, "config target env"
    return system.setting(ctx, key)


def is_native(ctx: ProbeContext, target: Target) -> bool:
    return system.host(ctx) == (target.goos, target.goarch)


def resolve_cc(ctx: ProbeContext, tc: TargetConfig) -> tuple[str, str]:
    """The CC command line (may carry arguments, e.g. ``zig cc -target ...``) and its source."""
    if tc.cc:
        return tc.cc, "config cc"
    value, source = target_setting(ctx, tc, "CC")
    if value:
        return value, source
    return default_cc(tc.target.goos), "go default"


def default_cc(goos: str) -> str:
    rule = system.data()["default_cc"]
    return "clang" if goos in rule["clang"] else str(rule["otherwise"])


def cgo_enabled(ctx: ProbeContext, tc: TargetConfig) -> tuple[bool, str]:
    """Whether go build will use cgo for the target, and why (cmd/go/internal/cfg's rule)."""
    if tc.cgo is not None:
        return tc.cgo, "config cgo"
    value, source = target_setting(ctx, tc, "CGO_ENABLED")
    if value in ("0", "1"):
        return value == "1", f"CGO_ENABLED={value} ({source})"
    if not is_native(ctx, tc.target):
        return False, "default: off when cross-compiling"
    cc_set, _ = target_setting(ctx, tc, "CC")
    if cc_set or tc.cc:
        return True, "default: on for native builds"
    found = system.which(ctx, default_cc(tc.target.goos)) is not None
    return found, "default: on for native builds" if found else "default: off, no C compiler on PATH"


def must_link_external(target: Target) -> bool:
    rule = system.data()["must_link_external"].get(target.goos)
    if rule is None:
        return False
    if "only_goarch" in rule:
        return target.goarch in rule["only_goarch"]
    return target.goarch not in rule.get("except_goarch", [])


# --- what a compiler builds for ---------------------------------------------------------


def triplet_goarch(triplet: str) -> str | None:
    cpu = triplet.split("-", 1)[0]
    mapping: Mapping[str, str] = system.data()["triplet_arch"]
    if cpu in mapping:
        return mapping[cpu]
    return "arm" if cpu.startswith("arm") and not cpu.startswith("arm64") else None


def triplet_fits_os(triplet: str, goos: str) -> bool | None:
    """Whether the system part of a triplet is ``goos`` (None when the table has no rule)."""
    rule = system.data()["triplet_os"].get(goos)
    if rule is None:
        return None
    words = triplet.split("-")[1:]
    has = any(w.startswith(tuple(rule["any"])) for w in words)
    excluded = any(w.startswith(tuple(rule["none"])) for w in words) if rule["none"] else False
    return has and not excluded


@dataclass(frozen=True, kw_only=True)
class Machine:
    triplet: str | None
    error: str | None = None


def dumpmachine(ctx: ProbeContext, cc: str) -> Machine:
    """``<cc> -dumpmachine``, once per distinct CC command line."""

    def compute() -> Machine:
        ran = system.run(ctx, [*words(cc), "-dumpmachine"])
        if not ran.ok:
            last = (ran.err.strip().splitlines() or ["no output"])[-1]
            return Machine(triplet=None, error=f"exit {ran.code}: {last}")
        lines = ran.out.strip().splitlines()
        return Machine(triplet=lines[-1].strip() if lines else None, error=None if lines else "no output")

    machine: Machine = ctx.cached(f"dumpmachine:{cc}", compute)
    return machine


_AS_VERSION = re.compile(r"^GNU assembler\b.*?\s(?P<version>\d+\.\d+(?:\.\d+)?)\S*\s*$")


def assembler(ctx: ProbeContext, cc: str) -> dict[str, str | None]:
    """The assembler behind a C compiler and its binutils version: ``<cc> -print-prog-name=as``,
    then ``<as> --version`` (once per distinct CC). Clang's integrated assembler has no version
    of its own here (None)."""

    def compute() -> dict[str, str | None]:
        ran = system.run(ctx, [*words(cc), "-print-prog-name=as"])
        name = ran.out.strip().splitlines()[-1].strip() if ran.ok and ran.out.strip() else None
        if not name:
            return {"path": None, "version": None}
        path = name if "/" in name else system.which(ctx, name)
        if path is None:
            return {"path": name, "version": None}
        version = system.run(ctx, [path, "--version"])
        first = version.out.strip().splitlines()[0] if version.ok and version.out.strip() else ""
        m = _AS_VERSION.match(first)
        return {"path": path, "version": m["version"] if m else None, "banner": first[:200] or None}

    found: dict[str, str | None] = ctx.cached(f"assembler:{cc}", compute)
    return found


def multilib_ok(ctx: ProbeContext, cc: str, flag: str) -> bool:
    """Whether ``cc flag`` can link: gcc prints a bare name for the C runtime's start file
    (crt1.o, from the multilib libc) when that multilib is not installed."""

    def compute() -> bool:
        ran = system.run(ctx, [*words(cc), flag, "-print-file-name=crt1.o"])
        return ran.ok and "/" in ran.out

    ok: bool = ctx.cached(f"multilib:{cc}:{flag}", compute)
    return ok


def words(cc: str) -> list[str]:
    try:
        return shlex.split(cc)
    except ValueError:
        return cc.split()


def fits(ctx: ProbeContext, cc: str, triplet: str, target: Target) -> tuple[bool, str | None]:
    """Whether a compiler printing ``triplet`` builds for ``target``; the reason when it does not."""
    arch = triplet_goarch(triplet)
    os_fits = triplet_fits_os(triplet, target.goos)
    if os_fits is False:
        return False, f"it builds for {triplet}, not for {target.goos}"
    if arch == target.goarch:
        return True, None
    multilib = system.data()["multilib"].get(target.goarch)
    if multilib and arch == multilib["from"]:
        if multilib_ok(ctx, cc, multilib["flag"]):
            return True, None
        return False, f"it builds for {triplet} and has no {multilib['flag']} libraries ({multilib['deb']})"
    if arch is None:
        return True, None  # an unknown CPU name: do not guess
    return False, f"it builds for {triplet} ({arch}), not for {target.goarch}"


# --- the compiler a target wants ---------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Wanted:
    cc: str | None
    deb: str | None
    zig: str | None


def wanted(target: Target) -> Wanted:
    """The cross compiler that fits the target on Debian/Ubuntu, and zig's target name."""
    if target.goos in ("windows", "linux"):
        row = cross_toolchain(target)
        return Wanted(cc=row.get("cc"), deb=row.get("deb"), zig=row.get("zig"))
    if target.goos == "android":
        clang = system.data()["android_clang"].get(target.goarch)
        return Wanted(cc=clang, deb=None, zig=None)
    return Wanted(cc=None, deb=None, zig=None)


def _category(target: Target, default: str) -> str:
    return "darwin-ios-android-toolchain" if target.goos in system.data()["sdk_goos"] else default


def _compiler_fix(ctx: ProbeContext, target: Target, zig: str | None) -> Fix:
    """Point CC at a fitting compiler: an installed one if any (machine-applicable), else zig,
    else say which package to install."""
    want = wanted(target)
    if target.goos in ("darwin", "ios"):
        return Fix(
            summary=f"Build {target} on a macOS runner (runs-on: macos-latest), or use an osxcross "
            "toolchain with an Apple SDK (CC=o64-clang); a Linux compiler cannot produce Apple binaries.",
            snippets=(Snippet(language="yaml", code="runs-on: macos-latest\n"),),
        )
    if target.goos == "android":
        ndk = f"$ANDROID_NDK_HOME/toolchains/llvm/prebuilt/linux-x86_64/bin/{want.cc}"
        return Fix(
            summary=f"Use the Android NDK's clang for {target} "
            "(the NDK is preinstalled on GitHub's Ubuntu runners).",
            snippets=(Snippet(language="bash", code=f'echo "CC={ndk}" >> "$GITHUB_ENV"\n'),),
        )
    if want.cc and system.which(ctx, want.cc):
        return env_fix(f"Set CC to the installed {want.cc} for {target}.", {"CC": want.cc})
    if zig and want.zig:
        return env_fix(f"Use zig as the C cross compiler for {target}.", {"CC": f"zig cc -target {want.zig}"})
    if want.cc and want.deb:
        return Fix(
            summary=f"Install {want.deb} and set CC={want.cc} for {target} "
            "(or set CGO_ENABLED=0 if no package needs cgo).",
            snippets=(apt([want.deb]), *env_snippets({"CC": want.cc})),
        )
    return Fix(
        summary=f"Install a C cross compiler for {target} and set CC to it, or set CGO_ENABLED=0 "
        "if no package needs cgo.",
        snippets=env_snippets({"CGO_ENABLED": "0"}),
    )


# --- the probe ---------------------------------------------------------------------------


def _zig(ctx: ProbeContext) -> dict[str, Any]:
    path = system.which(ctx, "zig")
    if path is None:
        return {"path": None, "version": None}
    ran = system.run(ctx, [path, "version"])
    return {"path": path, "version": ran.out.strip() or None if ran.ok else None}


def probe(ctx: ProbeContext) -> ProbeResult:
    zig = _zig(ctx)
    per_target: dict[str, dict[str, Any]] = {}
    findings: list[Finding] = []
    for tc in ctx.targets:
        facts, found = _target(ctx, tc, zig["path"])
        per_target[str(tc.target)] = facts
        findings.extend(found)
    return result(NAME, {"zig": zig, "targets": per_target}, findings)


def _target(ctx: ProbeContext, tc: TargetConfig, zig: str | None) -> tuple[dict[str, Any], list[Finding]]:
    target = tc.target
    name = str(target)
    enabled, why = cgo_enabled(ctx, tc)
    facts: dict[str, Any] = {"cgo": enabled, "cgo_source": why}
    if not enabled:
        if must_link_external(target):
            return facts, [_external_linking(target, why)]
        return facts, []
    cc, cc_source = resolve_cc(ctx, tc)
    argv = words(cc)
    path = system.which(ctx, argv[0]) if argv else None
    facts.update({"cc": cc, "cc_source": cc_source, "cc_path": path, "cc_machine": None, "cc_fits": None})
    findings: list[Finding] = []
    ignored = _ignored_cc_for(ctx, tc, cc_source)
    if ignored:
        findings.append(ignored)
    findings.extend(_host_paths(ctx, tc))
    if path is None:
        findings.append(_missing(ctx, target, cc, cc_source, zig))
        return facts, findings
    machine = dumpmachine(ctx, cc)
    facts["cc_machine"] = machine.triplet
    facts["assembler"] = assembler(ctx, cc)
    if machine.triplet is None:
        findings.append(
            Finding(
                rule="probe.cgo.cc-unknown-target",
                category="cgo-wrong-compiler",
                severity=Severity.WARNING,
                target=name,
                title=f"could not ask CC={cc} which target it builds for",
                root_cause=f"'{cc} -dumpmachine' failed, so whether it can build for {target} is unknown.",
                evidence=(Evidence(source="probe", text=f"{cc} -dumpmachine: {machine.error}"),),
                confidence=0.5,
                priority=20,
            )
        )
        return facts, findings
    ok, reason = fits(ctx, cc, machine.triplet, target)
    facts["cc_fits"] = ok
    if not ok:
        findings.append(_wrong(ctx, target, cc, cc_source, machine.triplet, reason or "", zig))
    return facts, findings


def _evidence(cc: str, source: str, extra: str) -> tuple[Evidence, ...]:
    return (Evidence(source="probe", text=f"CC={cc} ({source}); {extra}"),)


def _missing(ctx: ProbeContext, target: Target, cc: str, source: str, zig: str | None) -> Finding:
    sdk = target.goos in system.data()["sdk_goos"]
    cause = f'cgo is on for {target} and its C compiler "{cc}" is not installed'
    if sdk:
        cause += (
            f"; {target} needs the {'Android NDK' if target.goos == 'android' else 'Apple SDK'} toolchain"
        )
    return Finding(
        rule="probe.cgo.cc-missing",
        category=_category(target, "cgo-no-c-compiler"),
        severity=Severity.ERROR,
        target=str(target),
        title=f'C compiler "{words(cc)[0] if words(cc) else cc}" for {target} is not installed',
        root_cause=cause + ".",
        fix=_compiler_fix(ctx, target, zig),
        evidence=_evidence(cc, source, "not found on PATH"),
        priority=80,
    )


def _wrong(
    ctx: ProbeContext, target: Target, cc: str, source: str, triplet: str, reason: str, zig: str | None
) -> Finding:
    return Finding(
        rule="probe.cgo.cc-wrong-target",
        category=_category(target, "cgo-wrong-compiler"),
        severity=Severity.ERROR,
        target=str(target),
        title=f"CC={cc} cannot build C code for {target}",
        root_cause=f"cgo is on for {target}, but CC={cc} is the wrong compiler: {reason}.",
        fix=_compiler_fix(ctx, target, zig),
        evidence=_evidence(cc, source, f"-dumpmachine: {triplet}"),
        priority=80,
    )


def _external_linking(target: Target, why: str) -> Finding:
    return Finding(
        rule="probe.cgo.external-linking-required",
        category="darwin-ios-android-toolchain",
        severity=Severity.ERROR,
        target=str(target),
        title=f"{target} requires external (cgo) linking, but cgo is off",
        root_cause=f"Go can only link {target} binaries with the platform's C toolchain, "
        f"and cgo is off ({why}).",
        fix=Fix(
            summary=f"Enable cgo with the {'Android NDK' if target.goos == 'android' else 'Apple'} toolchain "
            f"for {target}, or drop the target.",
            snippets=env_snippets({"CGO_ENABLED": "1"}),
        ),
        evidence=(Evidence(source="probe", text=f"cgo: off ({why})"),),
        priority=80,
    )


def _ignored_cc_for(ctx: ProbeContext, tc: TargetConfig, cc_source: str) -> Finding | None:
    if cc_source != "go default":
        return None
    target = tc.target
    for key in (f"CC_FOR_{target.goos}_{target.goarch}", "CC_FOR_TARGET"):
        value = tc.env.get(key) or ctx.env.get(key)
        if value:
            return Finding(
                rule="probe.cgo.cc-for-ignored",
                category=_category(target, "cgo-wrong-compiler"),
                severity=Severity.WARNING,
                target=str(target),
                title=f"{key} is set but go build ignores it",
                root_cause=f"{key} only configures the C compiler baked into a Go toolchain built from "
                f"source (make.bash); go build uses CC, so {target} is built with {default_cc(target.goos)}.",
                fix=env_fix(f"Set CC={value} for {target}.", {"CC": value}),
                evidence=(Evidence(source="probe", text=f"{key}={value}; CC is not set"),),
                priority=60,
            )
    return None


def _host_paths(ctx: ProbeContext, tc: TargetConfig) -> list[Finding]:
    """CGO_*FLAGS or pkg-config search paths that name the build machine's own headers and
    libraries while cross-compiling."""
    if is_native(ctx, tc.target):
        return []
    info = arch_info(tc.target.goarch) or {}
    target_words = [w for w in (info.get("gnu"), tc.target.goarch) if w]
    host_dirs: list[str] = system.data()["host_dirs"]
    found: list[str] = []
    for key in (*FLAG_VARS, *PKG_CONFIG_VARS):
        value, _ = target_setting(ctx, tc, key)
        for item in _paths(value or "", pkg=key in PKG_CONFIG_VARS):
            if any(w in item for w in target_words) or "/share/" in item:
                continue
            if any(item == d or item.startswith(d + "/") for d in host_dirs):
                found.append(f"{key}: {item}")
    if not found:
        return []
    gnu = info.get("gnu") or "<triplet>"
    return [
        Finding(
            rule="probe.cgo.host-paths",
            category="cgo-headers-libs",
            severity=Severity.WARNING,
            target=str(tc.target),
            title=f"cgo flags for {tc.target} point at the build machine's own headers or libraries",
            root_cause=f"While cross-compiling {tc.target}, the C compiler is told to use the host's "
            "headers or libraries, which are for another architecture.",
            fix=Fix(
                summary=f"Point the flags at the target's files (Debian multiarch: /usr/lib/{gnu}, "
                f"/usr/{gnu}/include) and pkg-config at the target's .pc files.",
                snippets=env_snippets(
                    {"PKG_CONFIG_LIBDIR": f"/usr/lib/{gnu}/pkgconfig:/usr/share/pkgconfig"}
                ),
            ),
            evidence=tuple(Evidence(source="probe", text=t) for t in found[:5]),
            confidence=0.8,
            priority=40,
        )
    ]


def _paths(value: str, *, pkg: bool) -> list[str]:
    if pkg:
        return [p.rstrip("/") for p in value.split(":") if p.startswith("/")]
    paths: list[str] = []
    items = words(value)
    for i, word in enumerate(items):
        for flag in ("-isystem", "-I", "-L"):
            if word == flag and i + 1 < len(items):
                paths.append(items[i + 1].rstrip("/"))
            elif word.startswith(flag) and len(word) > len(flag) and word[len(flag)] == "/":
                paths.append(word[len(flag) :].rstrip("/"))
    return paths
