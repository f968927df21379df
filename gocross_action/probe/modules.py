"""Module fetching and verification before any build: GOFLAGS and -mod, the vendor directory
against go.mod, go.sum entries, GOPROXY=off against the module cache, GOPRIVATE and GOSUMDB."""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import gomod
from ..findings import Evidence, Finding, Fix, Location, Severity
from . import system
from .fixes import env_fix, shell
from .model import ProbeContext, ProbeResult, result

NAME = "modules"
CATEGORY = "module-proxy-sum"
MODULES_TXT_LIMIT = 16 * 1024 * 1024  # bytes of vendor/modules.txt read (repository content)
KEYS = ("GOFLAGS", "GOPROXY", "GOSUMDB", "GOPRIVATE", "GONOPROXY", "GONOSUMDB", "GOINSECURE", "GOWORK")


@dataclass(frozen=True, kw_only=True)
class Settings:
    values: Mapping[str, str]
    target: str | None

    def get(self, key: str) -> str:
        return self.values.get(key, "")

    @property
    def goflags(self) -> list[str]:
        return self.get("GOFLAGS").split()

    @property
    def mod(self) -> str | None:
        """The -mod=… value in GOFLAGS (the last one wins, as flags do)."""
        found = None
        for flag in self.goflags:
            if flag.startswith(("-mod=", "--mod=")):
                found = flag.split("=", 1)[1]
        return found

    def goflags_with_mod(self, mode: str) -> str:
        kept = [f for f in self.goflags if not f.startswith(("-mod=", "--mod="))]
        return " ".join([*kept, f"-mod={mode}"])


def escape(path: str) -> str:
    """Module cache escaping (golang.org/x/mod/module.EscapePath): ``A`` -> ``!a``."""
    return "".join(f"!{c.lower()}" if c.isupper() else c for c in path)


def matches_patterns(path: str, patterns: str) -> bool:
    """GOPRIVATE-style matching: a glob pattern matches a path prefix of as many elements."""
    elements = path.split("/")
    for pattern in filter(None, (p.strip() for p in patterns.split(","))):
        parts = pattern.rstrip("/").split("/")
        if len(parts) <= len(elements) and all(
            fnmatch.fnmatchcase(e, p) for e, p in zip(elements, parts, strict=False)
        ):
            return True
    return False


def vendor_problems(mod: gomod.GoMod) -> list[str]:
    """How vendor/modules.txt disagrees with go.mod's requirements (cmd/go's consistency check,
    without replace directives)."""
    from ..boundary.read import read_head
    from ..errors import InputError

    # Repository content: a regular file only, and only its first MODULES_TXT_LIMIT bytes.
    try:
        raw = read_head(
            mod.path.parent / "vendor" / "modules.txt", limit=MODULES_TXT_LIMIT, what="modules.txt"
        )
    except InputError:
        return []  # not a regular file (swapped since the probe looked): nothing to compare
    text = raw.decode("utf-8", errors="replace")
    listed: dict[str, str] = {}
    explicit: set[str] = set()
    current: str | None = None
    for line in text.splitlines():
        if line.startswith("# "):
            fields = line[2:].split()
            current = fields[0] if fields else None
            if current and len(fields) >= 2:
                listed[current] = fields[1]
        elif line.startswith("## ") and current and "explicit" in line[3:].split(";")[0].split():
            explicit.add(current)
    problems = []
    required = {r.path: r.version for r in mod.requires}
    for path, version in required.items():
        if listed.get(path) != version:
            problems.append(
                f"{path}@{version}: is explicitly required in go.mod, but vendor/modules.txt "
                + (f"lists {listed[path]}" if path in listed else "does not list it")
            )
        elif path not in explicit:
            problems.append(
                f"{path}@{version}: is explicitly required in go.mod, but not marked as explicit "
                "in vendor/modules.txt"
            )
    problems.extend(
        f"{path}@{listed[path]}: is marked as explicit in vendor/modules.txt, "
        "but not explicitly required in go.mod"
        for path in sorted(explicit - required.keys())
    )
    return problems


def probe(ctx: ProbeContext) -> ProbeResult:
    genv = system.go_env(ctx)
    base = {k: genv.get(k, "") or (ctx.env.get(k) or "") for k in KEYS}
    mod_path = gomod.find(ctx.module_dir)
    mod = gomod.parse(mod_path) if mod_path else None
    vendor = mod_path.parent / "vendor" if mod_path else None
    facts: dict[str, Any] = {
        **{k.lower(): v for k, v in base.items()},
        # Where each explicitly set value comes from (environment, go env file, $GOROOT/go.env).
        "sources": {k: system.setting(ctx, k)[1] for k in ("GOFLAGS", "GOPROXY") if base.get(k)},
        "requires": len(mod.requires) if mod else 0,
        "vendor_dir": bool(vendor and vendor.is_dir()),
    }
    if mod is None:
        return result(NAME, facts, [])
    settings = [Settings(values=base, target=None)]
    for tc in ctx.targets:
        overrides = {k: v for k, v in tc.env.items() if k in KEYS}
        if overrides and any(base.get(k) != v for k, v in overrides.items()):
            settings.append(Settings(values={**base, **overrides}, target=str(tc.target)))
    findings: list[Finding] = []
    for s in settings:
        findings.extend(_check(ctx, mod, s, genv, facts if s.target is None else {}))
    return result(NAME, facts, findings)


def _check(
    ctx: ProbeContext, mod: gomod.GoMod, s: Settings, genv: Mapping[str, str], facts: dict[str, Any]
) -> list[Finding]:
    bad = [f for f in s.goflags if not f.startswith("-")]
    if bad:
        return [_goflags_invalid(s, bad)]
    vendor_dir = mod.path.parent / "vendor"
    vendoring = s.mod == "vendor" or (s.mod is None and vendor_dir.is_dir())
    facts["vendoring"] = vendoring
    where = Location(path=system.display_path(ctx, mod.path))
    if not mod.requires:
        return []
    if vendoring:
        if not (vendor_dir / "modules.txt").is_file():
            return [
                _vendor(
                    s,
                    where,
                    ["vendor/modules.txt does not exist"],
                    "-mod=vendor is set but there is no vendor directory"
                    if not vendor_dir.is_dir()
                    else "the vendor directory has no modules.txt",
                )
            ]
        problems = vendor_problems(mod)
        return [_vendor(s, where, problems, "vendor/modules.txt does not match go.mod")] if problems else []
    findings: list[Finding] = []
    sums = gomod.sum_lines(mod.path)
    unsummed = [r for r in mod.requires if f"{r.path} {r.version}" not in sums]
    if unsummed and s.mod != "mod":
        findings.append(_go_sum(s, where, unsummed))
    cache = genv.get("GOMODCACHE") or ""
    uncached = [r for r in mod.requires if not _cached(cache, r)]
    facts["uncached_requires"] = len(uncached)
    proxy = s.get("GOPROXY")
    if uncached and proxy.split(",")[0].split("|")[0] == "off":
        findings.append(_offline(s, where, uncached, proxy))
    private = [r for r in uncached if matches_patterns(r.path, s.get("GONOPROXY") or s.get("GOPRIVATE"))]
    facts["private_uncached"] = [r.path for r in private]
    if private and system.which(ctx, "git") is None:
        findings.append(_private_without_git(s, private))
    if s.get("GOSUMDB") == "off":
        findings.append(
            Finding(
                rule="probe.modules.sumdb-off",
                category=CATEGORY,
                severity=Severity.NOTICE,
                target=s.target,
                title="GOSUMDB=off: downloaded modules are not checked against the checksum database",
                root_cause="With GOSUMDB=off, modules missing from go.sum are trusted on first download.",
                evidence=(Evidence(source="probe", text="GOSUMDB=off"),),
                priority=5,
            )
        )
    return findings


def _cached(cache: str, r: gomod.Require) -> bool:
    if not cache:
        return False
    return (Path(cache) / "cache" / "download" / escape(r.path) / "@v" / f"{escape(r.version)}.mod").is_file()


def _names(requires: list[gomod.Require], limit: int = 3) -> str:
    shown = ", ".join(f"{r.path}@{r.version}" for r in requires[:limit])
    return shown + (f" and {len(requires) - limit} more" if len(requires) > limit else "")


def _goflags_invalid(s: Settings, bad: list[str]) -> Finding:
    return Finding(
        rule="probe.modules.goflags-invalid",
        category="other",
        severity=Severity.ERROR,
        target=s.target,
        title=f"GOFLAGS holds a non-flag: {bad[0]!r}",
        root_cause="GOFLAGS is a space-separated list of -flag=value items; go refuses to run with "
        f'"go: parsing $GOFLAGS: non-flag {bad[0]!r}".',
        fix=env_fix("Write each flag as -flag=value.", {"GOFLAGS": _joined(s.goflags)}),
        evidence=(Evidence(source="probe", text=f"GOFLAGS={s.get('GOFLAGS')}"),),
        priority=80,
    )


def _joined(flags: list[str]) -> str:
    out: list[str] = []
    for flag in flags:
        if not flag.startswith("-") and out and "=" not in out[-1]:
            out[-1] = f"{out[-1]}={flag}"
        elif flag.startswith("-"):
            out.append(flag)
    return " ".join(out)


def _vendor(s: Settings, where: Location, problems: list[str], summary: str) -> Finding:
    return Finding(
        rule="probe.modules.vendor-inconsistent",
        category=CATEGORY,
        severity=Severity.ERROR,
        target=s.target,
        title=f"inconsistent vendoring: {summary}",
        root_cause=f"go builds from the vendor directory (-mod={s.mod or 'vendor'}, the default when "
        "vendor/ exists), "
        "and it does not match go.mod, so every build stops with 'inconsistent vendoring'.",
        fix=env_fix(
            "Run 'go mod vendor' and commit vendor/, or build from the module cache with -mod=mod.",
            {"GOFLAGS": s.goflags_with_mod("mod")},
            before=(shell("go mod vendor"),),
        ),
        evidence=tuple(Evidence(source="probe", text=p, location=where) for p in problems[:5]),
        priority=70,
    )


def _go_sum(s: Settings, where: Location, unsummed: list[gomod.Require]) -> Finding:
    return Finding(
        rule="probe.modules.go-sum-missing",
        category=CATEGORY,
        severity=Severity.ERROR,
        target=s.target,
        title=f"go.sum has no entry for {len(unsummed)} required module(s)",
        root_cause=f"go.sum lacks {_names(unsummed)}; go refuses to build with 'missing go.sum entry' "
        "rather than trust an unverified module.",
        fix=env_fix(
            "Run 'go mod tidy' and commit go.sum (or let the build update it with -mod=mod).",
            {"GOFLAGS": s.goflags_with_mod("mod")},
            before=(shell("go mod tidy && git add go.sum"),),
        ),
        evidence=tuple(
            Evidence(source="probe", text=f"go.sum: no line for {r.path} {r.version}", location=where)
            for r in unsummed[:5]
        ),
        priority=70,
    )


def _offline(s: Settings, where: Location, uncached: list[gomod.Require], proxy: str) -> Finding:
    return Finding(
        rule="probe.modules.offline-missing",
        category=CATEGORY,
        severity=Severity.ERROR,
        target=s.target,
        title=f"GOPROXY={proxy} and {len(uncached)} required module(s) are not in the module cache",
        root_cause=f"Module downloads are disabled and {_names(uncached)} must be downloaded, so the build "
        "fails with 'module lookup disabled by GOPROXY=off'.",
        fix=env_fix(
            "Download modules before going offline ('go mod download'), vendor them, or allow the proxy.",
            {"GOPROXY": "https://proxy.golang.org,direct"},
            before=(shell("go mod download"),),
        ),
        evidence=(
            Evidence(
                source="probe", text=f"GOPROXY={proxy}; not cached: {_names(uncached, 5)}", location=where
            ),
        ),
        priority=70,
    )


def _private_without_git(s: Settings, private: list[gomod.Require]) -> Finding:
    return Finding(
        rule="probe.modules.private-without-git",
        category=CATEGORY,
        severity=Severity.ERROR,
        target=s.target,
        title="private modules must be fetched with git, and git is not installed",
        root_cause=f"GOPRIVATE/GONOPROXY send {_names(private)} around the proxy to its repository, "
        "which go fetches with git.",
        fix=Fix(
            summary="Install git (and give it credentials), or vendor the modules.",
            snippets=(shell("sudo apt-get install -y git"),),
        ),
        evidence=(Evidence(source="probe", text=f"GOPRIVATE={s.get('GOPRIVATE')}; git: not on PATH"),),
        priority=60,
    )
