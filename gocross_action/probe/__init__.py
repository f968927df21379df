"""Environment probes: one module per area, each ``probe(ctx) -> ProbeResult``, run together by
``run_all``. Cheap by design (file reads, ``-dumpmachine``, one ``go env -json``): ``gocross check``
runs them in a thread alongside the builds.
"""

from __future__ import annotations

import importlib
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from .model import ProbeContext, ProbeOutcome, ProbeResult

__all__ = ["PROBES", "ProbeContext", "ProbeOutcome", "ProbeResult", "run_all", "run_one"]

# name -> module; the order is the report's order.
PROBES: dict[str, str] = {
    "toolchain": "gocross_action.probe.toolchain",
    "cgo": "gocross_action.probe.cgo",
    "libc": "gocross_action.probe.libc",
    "emulation": "gocross_action.probe.emulation",
    "modules": "gocross_action.probe.modules",
    "cache": "gocross_action.probe.cache",
    "vcs": "gocross_action.probe.vcs",
    "container": "gocross_action.probe.container",
}


def run_one(name: str, ctx: ProbeContext) -> ProbeResult:
    """One probe; a probe that crashes reports status error with the exception, not a traceback
    through the build (its findings would be missing, and the report says so)."""
    try:
        probed: ProbeResult = importlib.import_module(PROBES[name]).probe(ctx)
    except Exception as exc:  # a bug in a probe must not stop the builds
        return ProbeResult(name=name, status="error", facts={"probe_failed": f"{type(exc).__name__}: {exc}"})
    return probed


def run_all(ctx: ProbeContext, names: list[str] | None = None) -> ProbeOutcome:
    """Every probe (or ``names``), concurrently; ``go env -json`` runs once, first."""
    from . import system

    system.go_env(ctx)
    selected = list(PROBES) if names is None else names
    with ThreadPoolExecutor(max_workers=min(8, len(selected)) or 1, thread_name_prefix="probe") as pool:
        results = list(pool.map(lambda n: run_one(n, ctx), selected))
    environment = {r.name: {"status": r.status, **r.facts} for r in results}
    findings = [f for r in results for f in r.findings]
    return ProbeOutcome(
        environment=environment, findings=findings, facts_by_target=_facts_by_target(ctx, results)
    )


def _facts_by_target(ctx: ProbeContext, results: list[ProbeResult]) -> dict[str, dict[str, Any]]:
    """Per target, the facts the diagnosis engine takes (``diagnose.facts.Facts`` field names),
    plus the emulator that can run the target's binaries here."""
    from . import system

    by_name = {r.name: r for r in results}
    host_goos, host_goarch = system.host(ctx)
    statuses = {r.name: r.status for r in results}
    container = by_name["container"].facts if "container" in by_name else {}
    cgo_targets = (by_name["cgo"].facts.get("targets") or {}) if "cgo" in by_name else {}
    emulation = (by_name["emulation"].facts.get("targets") or {}) if "emulation" in by_name else {}
    out: dict[str, dict[str, Any]] = {}
    for tc in ctx.targets:
        name = str(tc.target)
        cgo = cgo_targets.get(name, {})
        out[name] = {
            "target": name,
            "cgo": cgo.get("cgo"),
            "cc": cgo.get("cc"),
            "cc_fits": cgo.get("cc_fits"),
            "host_goos": host_goos,
            "host_goarch": host_goarch,
            "in_container": container.get("in_container"),
            "probes": dict(statuses),
            "emulator": (emulation.get(name) or {}).get("qemu"),
        }
    return out
