"""GOCACHE, GOMODCACHE and HOME: set, absolute and writable by the build's user.

Writable means the directory, or the nearest part of it that exists, is a directory this user
may write into (``access(2)``, which also reports a read-only filesystem, even to root).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .. import gomod
from ..findings import Evidence, Finding, Severity
from . import system
from .fixes import env_fix
from .model import ProbeContext, ProbeResult, result

NAME = "cache"
CATEGORY = "gocache-home"
FALLBACK_CACHE = "/tmp/gocross-gocache"


def writable(path: Path) -> tuple[bool, str]:
    """Whether ``path`` exists as a writable directory or could be created; the reason if not."""
    probe_at = path
    while not probe_at.exists():
        if probe_at.parent == probe_at:
            return False, "no part of the path exists"
        probe_at = probe_at.parent
    if not probe_at.is_dir():
        return False, f"{probe_at} is not a directory"
    if not os.access(probe_at, os.W_OK | os.X_OK):
        return False, f"{probe_at} is not writable"
    return True, "exists" if probe_at == path else f"can be created under {probe_at}"


def probe(ctx: ProbeContext) -> ProbeResult:
    genv = system.go_env(ctx)
    home = ctx.env.get("HOME") or ""
    gocache = genv.get("GOCACHE", "")
    modcache = genv.get("GOMODCACHE", "")
    facts: dict[str, Any] = {
        "home": home or None,
        "gocache": gocache or None,
        "gomodcache": modcache or None,
        # Where each value comes from: set explicitly, or go's default under HOME/GOPATH.
        "sources": {k: system.setting(ctx, k)[1] for k in ("GOCACHE", "GOMODCACHE")},
    }
    findings: list[Finding] = []
    if not genv:
        return result(NAME, {**facts, "skipped": "go env is not available"}, [])
    # GOCACHE: go env prints "off" when it cannot work one out.
    if gocache in ("", "off"):
        findings.append(
            _finding(
                "probe.cache.gocache-undefined",
                Severity.ERROR,
                "GOCACHE is not defined and neither $XDG_CACHE_HOME nor $HOME are defined",
                "go needs a build cache and cannot place one: GOCACHE, XDG_CACHE_HOME and HOME are all unset "
                "(common in containers started with a bare environment).",
                f"GOCACHE={gocache or '(empty)'}; HOME={home or '(unset)'}",
            )
        )
    elif not Path(gocache).is_absolute():
        findings.append(
            _finding(
                "probe.cache.gocache-relative",
                Severity.ERROR,
                "GOCACHE is not an absolute path",
                f"GOCACHE={gocache} is relative; go refuses to use it.",
                f"GOCACHE={gocache}",
            )
        )
    else:
        ok, why = writable(Path(gocache))
        facts["gocache_writable"] = ok
        if not ok:
            findings.append(
                _finding(
                    "probe.cache.gocache-unwritable",
                    Severity.ERROR,
                    f"the build cache {gocache} is not writable",
                    f"go writes every compiled package to GOCACHE, and {why}.",
                    f"GOCACHE={gocache}: {why}",
                )
            )
    findings.extend(_modcache(ctx, modcache, facts))
    if not home:
        findings.append(
            Finding(
                rule="probe.cache.home-unset",
                category=CATEGORY,
                severity=Severity.WARNING if gocache in ("", "off") else Severity.NOTICE,
                title="HOME is not set",
                root_cause="Without HOME, go cannot place its caches and git cannot read its global config "
                "(safe.directory); set GOCACHE and GOMODCACHE explicitly or set HOME.",
                fix=env_fix("Set HOME for the build.", {"HOME": "/tmp/home"}),
                evidence=(Evidence(source="probe", text="HOME: unset"),),
                priority=30,
            )
        )
    else:
        facts["home_writable"] = writable(Path(home))[0]
    return result(NAME, facts, findings)


def _modcache(ctx: ProbeContext, modcache: str, facts: dict[str, Any]) -> list[Finding]:
    mod_path = gomod.find(ctx.module_dir)
    mod = gomod.parse(mod_path) if mod_path else None
    needs_modules = bool(mod and mod.requires) and not (mod_path and (mod_path.parent / "vendor").is_dir())
    if not modcache:
        if not needs_modules:
            return []
        return [
            _finding(
                "probe.cache.gomodcache-undefined",
                Severity.ERROR,
                "module cache not found: neither GOMODCACHE nor GOPATH is set",
                "go.mod requires modules, and go has nowhere to download them: GOMODCACHE, GOPATH and HOME "
                "are unset.",
                "GOMODCACHE=(empty); GOPATH=(empty)",
                env={"GOMODCACHE": "/tmp/gocross-gomodcache"},
            )
        ]
    ok, why = writable(Path(modcache))
    facts["gomodcache_writable"] = ok
    if ok or not needs_modules:
        return []
    return [
        _finding(
            "probe.cache.gomodcache-unwritable",
            Severity.WARNING,
            f"the module cache {modcache} is not writable",
            f"go.mod requires modules and {why}; downloads that are not cached yet will fail.",
            f"GOMODCACHE={modcache}: {why}",
            env={"GOMODCACHE": "/tmp/gocross-gomodcache"},
        )
    ]


def _finding(
    rule: str, severity: Severity, title: str, cause: str, evidence: str, env: dict[str, str] | None = None
) -> Finding:
    env = env or {"GOCACHE": FALLBACK_CACHE}
    name = next(iter(env))
    return Finding(
        rule=rule,
        category=CATEGORY,
        severity=severity,
        title=title,
        root_cause=cause,
        fix=env_fix(
            f"Point {name} at a writable absolute directory "
            f"(on GitHub: ${{{{ runner.temp }}}}/{name.lower()}).",
            env,
        ),
        evidence=(Evidence(source="probe", text=evidence),),
        priority=80 if severity is Severity.ERROR else 40,
    )
