"""The Go in use against go.mod's ``go``/``toolchain`` lines and GOTOOLCHAIN.

Works out what cmd/go's toolchain selection (cmd/go/internal/toolchain/select.go) will do,
without running it: running ``go`` inside the module could start a toolchain download.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .. import gomod
from ..findings import Evidence, Finding, Fix, Location, Severity, Snippet
from . import system
from .fixes import env_snippets
from .model import ProbeContext, ProbeResult, result

NAME = "toolchain"
CATEGORY = "go-version-toolchain"
_VERSION = re.compile(r"^1(?:\.(\d+))?(?:\.(\d+)|(rc|beta)(\d+))?$")
_KIND = {None: 0, "beta": 1, "rc": 2}


def version_key(text: str | None) -> tuple[int, int, int, int] | None:
    """A sortable key for a Go version (``1.21`` < ``1.21rc1`` < ``1.21.0`` < ``1.21.1``), as
    golang.org/x/mod and cmd/go/internal/gover order them; None when it is not one."""
    if not text:
        return None
    match = _VERSION.match(text.removeprefix("go").split("-")[0].split(" ")[0])
    if not match:
        return None
    minor = int(match[1] or 0)
    if match[2] is not None:
        return (1, minor, 3, int(match[2]))
    if match[3]:
        return (1, minor, _KIND[match[3]], int(match[4]))
    return (1, minor, 0, 0)


def newer(a: str | None, b: str | None) -> bool:
    """Whether Go version ``a`` is newer than ``b`` (False when either is unknown)."""
    ka, kb = version_key(a), version_key(b)
    return ka is not None and kb is not None and ka > kb


@dataclass(frozen=True, kw_only=True)
class Selection:
    """GOTOOLCHAIN split as cmd/go does: ``<min>[+auto|+path]``, with ``auto``/``path``
    meaning ``local+auto``/``local+path``."""

    raw: str
    minimum: str  # "local" or a toolchain name such as go1.22.0
    mode: str  # "" (use minimum), "auto" or "path"

    @classmethod
    def parse(cls, raw: str) -> Selection | None:
        if raw in ("auto", "path"):
            return cls(raw=raw, minimum="local", mode=raw)
        minimum, plus, mode = raw.partition("+")
        if minimum != "local" and version_key(minimum) is None:
            return None
        if plus and mode not in ("auto", "path"):
            return None
        return cls(raw=raw, minimum=minimum, mode=mode)


def _setup_go_fix(need: str) -> Fix:
    yaml = (
        "- uses: actions/setup-go@v5\n"
        "  with:\n"
        "    go-version-file: go.mod   # installs the Go that go.mod asks for\n"
    )
    return Fix(
        summary=f"Install Go {need} or newer for the build (setup-go reads the version from go.mod), "
        "or let go fetch it with GOTOOLCHAIN=auto.",
        snippets=(Snippet(language="yaml", code=yaml), *env_snippets({"GOTOOLCHAIN": "auto"})),
        changes=None,
    )


def probe(ctx: ProbeContext) -> ProbeResult:
    genv = system.go_env(ctx)
    local = genv.get("GOVERSION") or None
    mod_path = gomod.find(ctx.module_dir)
    mod = gomod.parse(mod_path) if mod_path else None
    raw, source = system.setting(ctx, "GOTOOLCHAIN")
    facts: dict[str, object] = {
        "go_version": local,
        "goroot": genv.get("GOROOT") or None,
        "go_mod": str(mod_path) if mod_path else None,
        "go_mod_go": mod.go if mod else None,
        "go_mod_toolchain": mod.toolchain if mod else None,
        "gotoolchain": raw,
        "gotoolchain_source": source,
    }
    if local is None:
        stderr = system.go_env_stderr(ctx).strip()
        if stderr and system.which(ctx, ctx.go):
            return result(NAME, facts, [go_refuses(ctx, stderr)])
        why = system.go_env_error(ctx) or "go env reported no GOVERSION"
        return result(NAME, facts, [_go_missing(ctx, why)])
    findings: list[Finding] = []
    selection = Selection.parse(raw or "local")
    if selection is None:
        findings.append(_bad_gotoolchain(raw or "", source))
        return result(NAME, facts, findings)
    base = local if selection.minimum == "local" else selection.minimum
    where = _location(ctx, mod) if mod else None
    need = mod.go if mod else None
    if mod and selection.mode and mod.toolchain and mod.toolchain != "default" and newer(mod.toolchain, need):
        need = mod.toolchain
    chosen = base
    if selection.mode and need and newer(need, base):
        chosen = need if need.startswith("go") else f"go{need}"
    facts["selected"] = chosen
    evidence = Evidence(
        source="probe",
        text=f"go.mod: go {mod.go if mod else '?'}; running {local}; GOTOOLCHAIN={selection.raw} ({source})",
        location=where,
    )
    if mod and mod.go and newer(mod.go, chosen):
        findings.append(
            Finding(
                rule="probe.toolchain.go-too-old",
                category=CATEGORY,
                severity=Severity.ERROR,
                title=f"go.mod requires go >= {mod.go}, but the build would run {chosen}",
                root_cause=f"go.mod's go line asks for Go {mod.go} and GOTOOLCHAIN={selection.raw} "
                f"keeps the build on {chosen}, so every go command stops before compiling.",
                fix=_setup_go_fix(mod.go),
                evidence=(evidence,),
                priority=80,
            )
        )
    elif chosen != local:
        findings.append(_switch_finding(ctx, selection, chosen, evidence))
    if mod and mod.toolchain and not selection.mode and newer(mod.toolchain, chosen):
        findings.append(
            Finding(
                rule="probe.toolchain.toolchain-line-ignored",
                category=CATEGORY,
                severity=Severity.NOTICE,
                title=f"go.mod suggests {mod.toolchain}; GOTOOLCHAIN={selection.raw} builds with {chosen}",
                root_cause="The toolchain line is a preference that GOTOOLCHAIN without +auto/+path ignores; "
                "binaries are built by an older Go than the module's authors use.",
                evidence=(evidence,),
                priority=10,
            )
        )
    return result(NAME, facts, findings)


def _switch_finding(ctx: ProbeContext, selection: Selection, chosen: str, evidence: Evidence) -> Finding:
    if system.which(ctx, chosen):
        return Finding(
            rule="probe.toolchain.switch",
            category=CATEGORY,
            severity=Severity.NOTICE,
            title=f"go will hand the build to {chosen} found on PATH",
            root_cause=f"GOTOOLCHAIN={selection.raw} selects {chosen}, which is installed.",
            evidence=(evidence,),
            priority=10,
        )
    if selection.mode == "path":
        return Finding(
            rule="probe.toolchain.path-missing",
            category=CATEGORY,
            severity=Severity.ERROR,
            title=f"GOTOOLCHAIN={selection.raw} needs {chosen} on PATH and it is not there",
            root_cause=f"With +path go never downloads toolchains, so every go command fails with "
            f'cannot find "{chosen}" in PATH.',
            fix=_setup_go_fix(chosen.removeprefix("go")),
            evidence=(evidence,),
            priority=80,
        )
    goproxy = system.go_env(ctx).get("GOPROXY", "")
    blocked = goproxy in ("off", "") or goproxy.startswith("off")
    return Finding(
        rule="probe.toolchain.download-blocked" if blocked else "probe.toolchain.download",
        category=CATEGORY if not blocked else "module-proxy-sum",
        severity=Severity.ERROR if blocked else Severity.WARNING,
        title=f"go will download {chosen} before building"
        + (", but GOPROXY=off forbids it" if blocked else ""),
        root_cause=f"GOTOOLCHAIN={selection.raw} selects {chosen}, which is not installed; go fetches it "
        "from the module proxy on every fresh runner"
        + (", and GOPROXY=off makes that fail." if blocked else ", which costs time and needs the network."),
        fix=_setup_go_fix(chosen.removeprefix("go")),
        evidence=(evidence,),
        priority=70 if blocked else 30,
    )


def go_refuses(ctx: ProbeContext, stderr: str) -> Finding:
    """Go is installed but ``go env`` fails: what it printed, classified by the diagnosis rules
    (an invalid GOMIPS or GOARM, a bad GOTOOLCHAIN or GOFLAGS, an unwritable cache...)."""
    import dataclasses

    from ..diagnose.engine import diagnose_lines
    from ..diagnose.facts import ENV_VARS, Facts
    from ..diagnose.rules import load_rules

    lines = stderr.splitlines()[:50]
    first = next((line.strip() for line in lines if line.strip()), stderr[:200])
    env = {k: ctx.env[k] for k in ENV_VARS if ctx.env.get(k)}
    found = [
        f
        for f in diagnose_lines(lines, facts=Facts(env=env), rules=load_rules(None))
        if f.severity is Severity.ERROR and f.category != "other"
    ]
    evidence = Evidence(source="probe", text=f"{ctx.go} env -json: {first}"[:400])
    if found:
        top = found[0]
        return dataclasses.replace(
            top,
            rule="probe.toolchain.go-refuses",
            title=f"go refuses to start: {first}"[:200],
            root_cause=f"Go is installed, but every go command stops at once ({first}): {top.root_cause}",
            evidence=(evidence,),
            priority=90,
        )
    return Finding(
        rule="probe.toolchain.go-refuses",
        category="other",
        severity=Severity.ERROR,
        title=f"go refuses to start: {first}"[:200],
        root_cause=f"Go is installed, but 'go env' fails with: {first}. Installing Go again will not help; "
        "the environment or the go env file holds a value go rejects.",
        fix=Fix(summary="Run 'go env' in the build environment and fix the setting it names."),
        evidence=(evidence,),
        priority=90,
    )


def _go_missing(ctx: ProbeContext, why: str) -> Finding:
    return Finding(
        rule="probe.toolchain.go-missing",
        category=CATEGORY,
        severity=Severity.ERROR,
        title="the Go toolchain cannot be run",
        root_cause=f"No Go toolchain is usable here: {why}.",
        fix=Fix(
            summary="Install Go before running gocross (actions/setup-go on GitHub).",
            snippets=(
                Snippet(
                    language="yaml",
                    code="- uses: actions/setup-go@v5\n  with:\n    go-version-file: go.mod\n",
                ),
            ),
        ),
        evidence=(Evidence(source="probe", text=f"PATH={system.search_path(ctx)}"),),
        priority=90,
    )


def _bad_gotoolchain(raw: str, source: str) -> Finding:
    return Finding(
        rule="probe.toolchain.invalid-gotoolchain",
        category=CATEGORY,
        severity=Severity.ERROR,
        title=f"GOTOOLCHAIN={raw!r} is not a valid setting",
        root_cause="GOTOOLCHAIN must be local, auto, path, or a toolchain name like go1.22.3 "
        "optionally followed by +auto or +path; go refuses to run with anything else.",
        fix=Fix(summary="Set GOTOOLCHAIN to a valid value.", snippets=env_snippets({"GOTOOLCHAIN": "auto"})),
        evidence=(Evidence(source="probe", text=f"GOTOOLCHAIN={raw} ({source})"),),
        priority=80,
    )


def _location(ctx: ProbeContext, mod: gomod.GoMod) -> Location:
    return Location(path=system.display_path(ctx, mod.path), line=mod.go_line)
