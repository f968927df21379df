"""What gocross learned, as rows for the text and Markdown renderers: per target one compact line
per stage (build, inspect, smoke, fix verification), the environment facts the probes gathered,
and where each setting a finding depends on came from.

Pure functions of the report: every value here comes from ``report.environment``,
``report.targets`` and ``report.binaries``. The renderers neutralise the text themselves.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ..findings import Finding
from .model import Report, TargetResult

# The settings a finding of each category depends on (what a user edits to change it).
_CGO = ("CGO_ENABLED", "CC")
SETTINGS_BY_CATEGORY: Mapping[str, tuple[str, ...]] = {
    "cgo-no-c-compiler": _CGO,
    "cgo-wrong-compiler": _CGO,
    "cgo-required-but-disabled": _CGO,
    "cgo-headers-libs": _CGO,
    "darwin-ios-android-toolchain": _CGO,
    "windows-toolchain": _CGO,
    "glibc-version-mismatch": ("CGO_ENABLED",),
    "libc-musl-glibc-mismatch": _CGO,
    "static-linking": ("CGO_ENABLED",),
    "go-version-toolchain": ("GOTOOLCHAIN",),
    "module-proxy-sum": ("GOFLAGS", "GOPROXY"),
    "vcs-stamping": ("GOFLAGS",),
    "gocache-home": ("GOCACHE", "GOMODCACHE"),
}


def _get(mapping: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(mapping, Mapping):
            return None
        mapping = mapping.get(key)
    return mapping


def target_name(goos: Any, goarch: Any, variant: Any) -> str | None:
    """A binary's target, named by the one rule (``targets.display_name``)."""
    from ..targets import display_name

    return display_name(
        str(goos) if goos else None, str(goarch) if goarch else None, str(variant) if variant else None
    )


def slices_name(b: Mapping[str, Any]) -> str:
    """A binary's target, or every architecture of a universal Mach-O file (its ``slices``)."""
    parts = [s for s in b.get("slices") or [b] if isinstance(s, Mapping)]
    names = (target_name(s.get("goos"), s.get("goarch"), s.get("variant")) for s in parts)
    return ", ".join(n for n in names if n)


# --------------------------------------------------------------------------- provenance


def _home(report: Report) -> str | None:
    home = _get(report.environment, "cache", "home")
    return str(home).rstrip("/") if home and str(home) != "/" else None


def _tilde(path: str, home: str | None) -> str:
    if home and (path == home or path.startswith(home + "/")):
        return "~" + path[len(home) :]
    return path


def describe_source(raw: str, report: Report) -> str:
    """A probe's source label as a user reads it: which file to edit, or that it is a default."""
    home = _home(report)
    config = report.context.config or "the config file"
    if raw == "environment":
        return "from the environment"
    if raw.startswith("go env file "):
        return f"from go env -w in {_tilde(raw[len('go env file ') :], home)}"
    if raw.endswith("/go.env"):
        return "from $GOROOT/go.env"
    if raw == "config cc":
        return f"from cc: in {config}"
    if raw == "config cgo":
        return f"from cgo: in {config}"
    if raw == "config target env":
        return f"from the target's env: in {config}"
    if raw in ("go default", "default"):
        return "go's default"
    if raw.startswith("default: "):
        return f"go's default: {raw[len('default: ') :]}"
    return raw


def _cgo_source(raw: str) -> str:
    # "CGO_ENABLED=1 (go env file ...)" -> "go env file ..."
    if raw.startswith("CGO_ENABLED=") and raw.endswith(")") and " (" in raw:
        return raw.split(" (", 1)[1][:-1]
    return raw


def setting(report: Report, key: str, target: str | None) -> str | None:
    """``KEY=value (from where)`` for one effective setting, when the probes recorded it."""
    env = report.environment
    per = _get(env, "cgo", "targets", target) if target else None
    if key == "CGO_ENABLED" and isinstance(per, Mapping) and "cgo" in per:
        value = "1" if per.get("cgo") else "0"
        return f"CGO_ENABLED={value} ({describe_source(_cgo_source(str(per.get('cgo_source'))), report)})"
    if key == "CC" and isinstance(per, Mapping) and per.get("cc"):
        return f"CC={per['cc']} ({describe_source(str(per.get('cc_source')), report)})"
    if key == "GOTOOLCHAIN":
        value = _get(env, "toolchain", "gotoolchain")
        source = _get(env, "toolchain", "gotoolchain_source")
        if value:
            return f"GOTOOLCHAIN={value} ({describe_source(str(source or 'default'), report)})"
        return None
    for probe in ("modules", "cache"):
        value = _get(env, probe, key.lower())
        source = _get(env, probe, "sources", key)
        if value:
            return f"{key}={value} ({describe_source(str(source or 'default'), report)})"
    return None


def settings_for(finding: Finding, report: Report) -> list[str]:
    """The settings a finding depends on, each with its source (empty when nothing recorded)."""
    keys = SETTINGS_BY_CATEGORY.get(finding.category, ())
    return [s for s in (setting(report, key, finding.target) for key in keys) if s]


# --------------------------------------------------------------------------- stages


def binary_for(report: Report, result: TargetResult) -> Mapping[str, Any] | None:
    if not result.binary:
        return None
    for b in report.binaries:
        if b.get("path") == result.binary:
            return b
    return None


def binary_summary(b: Mapping[str, Any]) -> str:
    """``ELF linux/amd64, static, needs GLIBC_2.34, go1.26.0``."""
    if b.get("error"):
        return f"unreadable: {b['error']}"
    fmt = {"macho": "Mach-O", "xcoff": "XCOFF", "plan9": "Plan 9 a.out"}.get(
        str(b.get("format")), str(b.get("format")).upper()
    )
    parts = [f"{fmt} {slices_name(b) or 'unknown target'}"]
    if b.get("linkage"):
        parts.append(str(b["linkage"]))
    if b.get("glibc_required"):
        parts.append(f"needs GLIBC_{b['glibc_required']}")
    go = b.get("go")
    if isinstance(go, Mapping) and go.get("version"):
        parts.append(str(go["version"]))
    return ", ".join(parts)


# Build settings too long or too constant to help (the full set is in the JSON report).
_QUIET_SETTINGS = frozenset({"DefaultGODEBUG", "-compiler"})


def binary_details(b: Mapping[str, Any]) -> list[str]:
    """The rest of what a binary is (``--verbose``): loader, libraries, PIE, stripped, and the
    build settings it records."""
    if b.get("error"):
        return []
    out = []
    if b.get("interpreter"):
        out.append(f"interpreter {b['interpreter']}")
    if b.get("needed"):
        out.append(f"libraries {' '.join(str(n) for n in b['needed'])}")
    flags = [(flag if b[flag] else f"not {flag}") for flag in ("pie", "stripped") if b.get(flag) is not None]
    if flags:
        out.append(", ".join(flags))
    settings = _get(b.get("go"), "settings")
    if isinstance(settings, Mapping):
        shown = [f"{k}={v}" for k, v in settings.items() if v not in ("", None) and k not in _QUIET_SETTINGS]
        if shown:
            out.append("built with " + " ".join(shown))
    return out


def _smoke(run: Mapping[str, Any], *, verbose: bool) -> str:
    how = run.get("how")
    output = " ".join(str(run.get("output") or "").split())
    if how == "none":
        return f"not run: {output}" if output else "not run"
    where = {"native": "natively", "qemu": "under qemu", "binfmt": "through binfmt_misc"}.get(
        str(how), str(how)
    )
    if run.get("problem"):
        text = f"failed {where}: {run['problem']}"
        if run.get("exit_code") is not None:
            text += f" (exit {run['exit_code']})"
    else:
        text = f"exit {run.get('exit_code')} {where}"
    if output:
        shown = output if verbose or len(output) <= 60 else output[:57] + "..."
        text += f": {shown}"
    if verbose and run.get("command"):
        text += f" [ran {' '.join(str(a) for a in run['command'])}]"
    return text


def _verify(attempt: Mapping[str, Any], *, verbose: bool) -> str:
    changes = attempt.get("changes") or {}
    applied = [f"{k}={v}" for k, v in (changes.get("env") or {}).items()] + list(changes.get("flags") or ())
    what = " ".join(applied) or "the fix"
    verdict = "passed: the fix is verified" if attempt.get("status") == "passed" else "still failed"
    text = f"rebuilt with {what}: {verdict}"
    if verbose:
        if attempt.get("command"):
            text += f" [ran {attempt['command']}]"
        if attempt.get("log"):
            text += f" (log {_module_relative(str(attempt['log']))})"
    return text


def _module_relative(path: str) -> str:
    """A file gocross wrote under the module's ``.gocross/``, named from there as binaries are."""
    head, sep, tail = path.rpartition("/.gocross/")
    return f".gocross/{tail}" if sep and head else path


def stages(report: Report, result: TargetResult, *, verbose: bool = False) -> Iterator[tuple[str, str]]:
    """``(stage, compact text)`` for each stage the target went through, in order."""
    target = result.target
    env = report.environment
    build = _get(env, "build", "targets", target)
    if result.status == "failed":
        errors = [f for f in report.findings_for(target) if f.severity.value == "error"]
        text = "failed" + (f": {errors[0].title}" if errors else "")
        if result.log:
            text += f" (log {_module_relative(result.log)})"
        yield "build", text
    elif result.status == "skipped":
        reasons = report.findings_for(target)
        yield "build", "skipped" + (f": {reasons[0].title}" if reasons else "")
    if verbose and isinstance(build, Mapping):
        overrides = " ".join(f"{k}={v}" for k, v in (build.get("env") or {}).items())
        yield "command", f"{overrides} {build.get('command')}".strip()
        for key in ("CGO_ENABLED", "CC"):
            value = setting(report, key, target)
            if value:
                yield "setting", value
    b = binary_for(report, result)
    if b is not None:
        yield "inspect", binary_summary(b)
        if verbose:
            for detail in binary_details(b):
                yield "", detail
    run = _get(env, "smoke", target)
    if isinstance(run, Mapping):
        yield "smoke", _smoke(run, verbose=verbose)
    verifying = _get(env, "verify-fixes")
    if isinstance(verifying, Mapping) and result.status == "failed":
        attempt = verifying.get(target)
        if isinstance(attempt, Mapping):
            yield "fix", _verify(attempt, verbose=verbose)
        else:
            yield "fix", "not verified: no finding for it has a fix a rebuild can apply"


# --------------------------------------------------------------------------- environment facts


def _cc_text(per: Mapping[str, Any]) -> str:
    if not per.get("cgo"):
        return ""
    cc = per.get("cc")
    if not cc:
        return "cgo on"
    if not per.get("cc_path"):
        return f"{cc}: not installed"
    text = f"{cc} ({per['cc_path']})"
    machine = per.get("cc_machine")
    if machine:
        fits = per.get("cc_fits")
        text += f", builds for {machine}" + ("" if fits in (None, True) else " (does not fit)")
    return text


def _emulation(env: Mapping[str, Any]) -> str | None:
    emu = env.get("emulation")
    if not isinstance(emu, Mapping) or "binfmt_misc_mounted" not in emu:
        return None
    if not emu.get("binfmt_misc_mounted"):
        text = "binfmt_misc not mounted"
    elif emu.get("binfmt_misc_enabled") is False:
        text = "binfmt_misc disabled"
    else:
        count = len(emu.get("registered") or [])
        text = f"binfmt_misc: {count} entr{'y' if count == 1 else 'ies'}"
    configured = emu.get("configured") or []
    if configured:
        text += f"; {len(configured)} binfmt.d configs"
    return text


def summary_rows(report: Report) -> list[tuple[str, str]]:
    """The facts table: ``(fact, value)`` for the facts a user checks first."""
    env = report.environment
    rows: list[tuple[str, str]] = []
    tool = env.get("toolchain")
    if isinstance(tool, Mapping) and tool.get("go_version"):
        text = str(tool["go_version"])
        if tool.get("goroot"):
            text += f" ({tool['goroot']})"
        if tool.get("go_mod_go"):
            text += f"; go.mod: go {tool['go_mod_go']}"
        if tool.get("go_mod_toolchain"):
            text += f", toolchain {tool['go_mod_toolchain']}"
        rows.append(("Go", text))
        gotoolchain = setting(report, "GOTOOLCHAIN", None)
        if gotoolchain:
            rows.append(("GOTOOLCHAIN", gotoolchain.split("=", 1)[1]))
    libc = env.get("libc")
    if isinstance(libc, Mapping) and libc.get("family"):
        text = str(libc["family"])
        if libc.get("glibc_version"):
            text += f" {libc['glibc_version']}"
        if libc.get("distribution"):
            text += f" ({libc['distribution']} {libc.get('distribution_version') or ''}".rstrip() + ")"
        rows.append(("host libc", text))
    emulation = _emulation(env)
    if emulation:
        rows.append(("emulation", emulation))
    for key in ("GOFLAGS", "GOPROXY", "GOCACHE", "GOMODCACHE"):
        value = setting(report, key, None)
        if value:
            rows.append((key, value.split("=", 1)[1]))
    box = env.get("container")
    if isinstance(box, Mapping) and "in_container" in box:
        if box.get("in_container"):
            text = f"{box.get('runtime') or 'yes'}, seccomp {box.get('seccomp') or 'unknown'}"
        else:
            text = "none"
        rows.append(("container", text))
    return rows


def target_rows(report: Report) -> list[tuple[str, str, str, str]]:
    """Per target: ``(target, cgo and why, C compiler and what it builds for, emulation)``."""
    cgo = _get(report.environment, "cgo", "targets")
    emu = _get(report.environment, "emulation", "targets")
    if not isinstance(cgo, Mapping):
        return []
    rows = []
    for target, per in cgo.items():
        if not isinstance(per, Mapping):
            continue
        why = describe_source(_cgo_source(str(per.get("cgo_source"))), report)
        cgo_text = ("on" if per.get("cgo") else "off") + f" ({why})"
        run = _get(emu, target)
        if isinstance(run, Mapping):
            if run.get("binfmt_enabled"):
                emulation = f"binfmt_misc {run.get('binfmt')}"
            elif run.get("qemu"):
                emulation = f"{run['qemu']}"
            else:
                emulation = "no qemu"
        else:
            emulation = ""
        rows.append((str(target), cgo_text, _cc_text(per), emulation))
    return rows


def probe_statuses(report: Report) -> list[str]:
    """``name status`` for every probe that ran (``vcs skipped (-buildvcs=false)``)."""
    out = []
    for name, facts in report.environment.items():
        status = facts.get("status") if isinstance(facts, Mapping) else None
        if status is None:
            continue
        why = f" ({facts['skipped']})" if status == "skipped" and facts.get("skipped") else ""
        out.append(f"{name} {status}{why}")
    return out


def time_rows(report: Report) -> list[tuple[str, str]]:
    """Where a ``check`` run's time went (``environment.timings``): before the first build, the
    builds, gocross's work alongside them and after them; empty when the report has no timings."""
    timings = _get(report.environment, "timings")
    stages = timings.get("stages") if isinstance(timings, Mapping) else None
    if not isinstance(stages, Mapping) or "builds-wall" not in stages:
        return []

    def seconds(name: str) -> float | None:
        value = _get(stages, name, "seconds")
        return float(value) if isinstance(value, (int, float)) else None

    def listed(names: Sequence[tuple[str, str]]) -> str:
        shown = [(label, seconds(name)) for name, label in names]
        return ", ".join(f"{label} {value:.2f}s" for label, value in shown if value is not None)

    rows = [("in all", f"{float(timings.get('total_s') or 0):.2f}s")]
    first = seconds("first-build")
    if first is not None:
        rows.append(
            (
                "before the first build",
                f"{first:.2f}s: " + listed([("startup", "start-up and arguments"), ("plan", "plan")]),
            )
        )
    builds = _get(stages, "go-build")
    count = builds.get("count") if isinstance(builds, Mapping) else 0
    jobs = _get(report.environment, "build", "jobs")
    rows.append(
        (
            "builds",
            f"{seconds('builds-wall') or 0:.2f}s: {count} go build(s), "
            f"{seconds('go-build') or 0:.2f}s of build time" + (f" on {jobs} jobs" if jobs else ""),
        )
    )
    alongside = listed(
        [
            ("probes", "probes"),
            ("audit", "audit"),
            ("cgo-analysis", "cgo analysis"),
            ("inspection", "inspection"),
            ("smoke", "smoke runs"),
        ]
    )
    if alongside:
        rows.append(("alongside the builds", alongside))
    after = seconds("after-builds")
    if after is not None:
        steps = [("wait", "wait"), ("diagnose", "diagnose"), ("refine", "findings")]
        steps += [("prove", "fix rebuilds"), ("assemble", "report")]
        rows.append(("after the last build", f"{after:.2f}s: " + listed(steps)))
    return rows


def flat(report: Report) -> list[tuple[str, str]]:
    """Every recorded fact as ``(dotted.key, value)``: the full set ``--verbose`` shows."""
    rows: list[tuple[str, str]] = []

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, Mapping) and value:
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), inner)
        elif isinstance(value, list):
            rows.append((prefix, ", ".join(_scalar(v) for v in value) if value else "(none)"))
        else:
            rows.append((prefix, _scalar(value)))

    for name, facts in report.environment.items():
        walk(name, facts)
    return rows


def _scalar(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={_scalar(v)}" for k, v in value.items())
    return str(value)
