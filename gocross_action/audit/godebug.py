"""Runtime settings baked into Go binaries: the ``DefaultGODEBUG`` a binary carries (from its
build info, or predicted from go.mod's ``go`` line, ``godebug`` directives and ``//go:debug``
lines of the main package), said in plain words; and the cgroup v2 CPU quota next to GOMAXPROCS.

Go keeps old behaviour for old modules: a main module whose ``go`` line is older than the
release that changed a default gets the old value (``data/godebug.json``, from Go's own table)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from ..data_files import load_json
from ..deploy import version_key
from ..errors import DataError
from ..findings import Evidence, Finding, Fix, Severity, Snippet
from .files import Repository
from .finding import at, finding

_GO_DEBUG = re.compile(r"^//go:debug[ \t]+([A-Za-z0-9_.-]+)=(\S*)", re.MULTILINE)
_VERSION = re.compile(r"^(?:go)?(\d+)\.(\d+)")
MAX_MAIN_FILES = 200
SHOWN = 6  # settings described in a finding; the report environment lists them all


@cache
def _table() -> dict[str, Any]:
    loaded: dict[str, Any] = load_json("data", "godebug.json")
    for row in loaded["changed"]:
        if minor(row["changed"]) is None or not row["meaning"] or not row["name"].isalnum():
            raise DataError(f"godebug.json: bad row {row.get('name')!r}")
    return loaded


def minor(version: str | None) -> tuple[int, int] | None:
    """``"1.22.3"`` or ``"go1.22"`` -> ``(1, 22)``."""
    match = _VERSION.match(version or "")
    return (int(match[1]), int(match[2])) if match else None


def parse(text: str) -> dict[str, str]:
    """A ``DefaultGODEBUG``/``GODEBUG`` value: ``a=1,b=0``."""
    out: dict[str, str] = {}
    for item in text.split(","):
        key, sep, value = item.strip().partition("=")
        if sep and key:
            out[key] = value
    return out


def defaults_for(go_line: str) -> dict[str, str]:
    """The settings a ``go`` line older than their change keeps at the old value."""
    line = minor(go_line)
    if line is None:
        return {}
    return {row["name"]: row["old"] for row in _table()["changed"] if line < version_key(row["changed"])}


def meaning(name: str, value: str) -> str:
    """What ``name=value`` does, in plain words."""
    for row in _table()["changed"]:
        if row["name"] == name and row["old"] == value:
            return f"{name}={value}: {row['meaning']} (the default before Go {row['changed']})"
    named: Mapping[str, str] = _table()["named"]
    text = named.get(f"{name}={value}") or named.get(name)
    return f"{name}={value}: {text}" if text else f"{name}={value}"


@dataclass(frozen=True, kw_only=True)
class Prediction:
    """The DefaultGODEBUG a module's binaries will carry and where each setting comes from."""

    settings: Mapping[str, str]
    origin: Mapping[str, tuple[str, int | None]]  # name -> (path, line)


def _godebug_lines(text: str) -> list[tuple[str, str, int]]:
    out = []
    block = False
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("//", 1)[0].strip()
        if block:
            if line.startswith(")"):
                block = False
                continue
            key, sep, value = line.partition("=")
            if sep:
                out.append((key.strip(), value.strip(), number))
            continue
        if line.startswith("godebug"):
            rest = line[len("godebug") :].strip()
            if rest.startswith("("):
                block = True
                continue
            key, sep, value = rest.partition("=")
            if sep:
                out.append((key.strip(), value.strip(), number))
    return out


def predict(repo: Repository, go_mod: Path) -> Prediction | None:
    """What go build will put in DefaultGODEBUG for the main package beside ``go_mod``."""
    text = repo.read(go_mod)
    if text is None:
        return None
    shown = repo.relative(go_mod)
    settings: dict[str, str] = {}
    origin: dict[str, tuple[str, int | None]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        fields = line.split()
        if len(fields) >= 2 and fields[0] == "go":
            for key, value in defaults_for(fields[1]).items():
                settings[key], origin[key] = value, (shown, number)
            break
    for key, value, number in _godebug_lines(text):
        if value == "default":
            settings.pop(key, None)
            continue
        settings[key], origin[key] = value, (shown, number)
    count = 0
    for source in sorted(go_mod.parent.glob("*.go")):
        if source.name.endswith("_test.go") or count >= MAX_MAIN_FILES:
            continue
        count += 1
        code = repo.read(source)
        if code is None or not re.search(r"^package[ \t]+main\b", code, re.MULTILINE):
            continue
        for match in _GO_DEBUG.finditer(code):
            key, value = match[1], match[2]
            if value == "default":
                settings.pop(key, None)
                continue
            settings[key] = value
            origin[key] = (repo.relative(source), code.count("\n", 0, match.start()) + 1)
    return Prediction(settings=settings, origin=origin)


def prediction_finding(prediction: Prediction) -> Finding | None:
    """A notice naming the non-default settings the binaries will carry."""
    if not prediction.settings:
        return None
    described = [meaning(k, v) for k, v in sorted(prediction.settings.items())]
    shown = described[:SHOWN] + ([f"and {len(described) - SHOWN} more"] if len(described) > SHOWN else [])
    return finding(
        rule="audit.godebug.non-default",
        category="other",
        severity=Severity.NOTICE,
        title=f"the binaries will carry {len(described)} non-default GODEBUG setting(s)",
        cause="DefaultGODEBUG of the main package keeps older behaviour: " + "; ".join(shown) + ".",
        evidence=[
            at(p, n, f"{k}={prediction.settings[k]}")
            for k, (p, n) in sorted(prediction.origin.items(), key=lambda item: (item[1][0], item[1][1] or 0))
            if k in prediction.settings
        ][:10],
        fix="Raise the go line (or set godebug lines in go.mod) once the newer behaviour is tested",
        snippet="godebug (\n    default=go1.23\n)",
        language="go.mod",
    )


@dataclass(frozen=True, kw_only=True)
class BinaryDebug:
    """A Go binary's toolchain and the DefaultGODEBUG its build info records."""

    path: str
    go: str | None
    settings: Mapping[str, str]

    def to_json(self) -> dict[str, Any]:
        return {
            "go": self.go,
            "default_godebug": dict(self.settings),
            "meaning": [meaning(k, v) for k, v in sorted(self.settings.items())],
        }


def from_binary(path: Path) -> BinaryDebug | str:
    """The binary's DefaultGODEBUG, or why it cannot be read (not Go, not an executable...)."""
    from ..inspect import read

    info = read(path)
    if info.error:
        return info.error
    if info.go is None:
        return "not a Go binary (no build info)"
    return BinaryDebug(
        path=str(path), go=info.go.version, settings=parse(info.go.settings.get("DefaultGODEBUG", ""))
    )


def binary_finding(binary: BinaryDebug) -> Finding | None:
    """A notice naming the non-default settings a built binary carries."""
    if not binary.settings:
        return None
    described = [meaning(k, v) for k, v in sorted(binary.settings.items())]
    shown = described[:SHOWN] + ([f"and {len(described) - SHOWN} more"] if len(described) > SHOWN else [])
    return Finding(
        rule="audit.godebug.binary-non-default",
        category="other",
        severity=Severity.NOTICE,
        title=f"{Path(binary.path).name} carries {len(described)} non-default GODEBUG setting(s)",
        root_cause=f"The DefaultGODEBUG built into {binary.path} ({binary.go}): " + "; ".join(shown) + ".",
        evidence=(
            Evidence(
                source="artifact",
                text="DefaultGODEBUG=" + ",".join(f"{k}={v}" for k, v in sorted(binary.settings.items())),
            ),
        ),
        fix=Fix(
            summary="Raise go.mod's go line, or name the settings you keep with godebug lines",
            snippets=(Snippet(language="go.mod", code="godebug (\n    default=go1.23\n)"),),
        ),
    )


def cpu_quota(root: Path = Path("/sys/fs/cgroup")) -> float | None:
    """CPUs allowed by the cgroup v2 ``cpu.max`` (None when there is no quota or no cgroup v2)."""
    try:
        text = (root / "cpu.max").read_text(encoding="ascii", errors="replace")[:200]
    except OSError:
        return None
    fields = text.split()
    if len(fields) != 2 or fields[0] == "max":
        return None
    try:
        return int(fields[0]) / int(fields[1])
    except (ValueError, ZeroDivisionError):
        return None


def gomaxprocs_finding(
    *,
    quota: float | None,
    toolchain: str | None,
    settings: Mapping[str, str],
    cpus: int,
    gomaxprocs: str | None,
) -> Finding | None:
    """A warning when a binary will run under a CPU quota with GOMAXPROCS set from the host's CPUs:
    Go before 1.25 ignores cpu.max, and so does a newer Go with containermaxprocs=0."""
    if quota is None or gomaxprocs or quota >= cpus:
        return None
    release = minor(toolchain)
    old_toolchain = release is not None and release < (1, 25)
    if not old_toolchain and settings.get("containermaxprocs") != "0":
        return None
    why = (
        f"Go {toolchain} ignores it" if old_toolchain else "containermaxprocs=0 (an older go line) ignores it"
    )
    return Finding(
        rule="audit.runtime.gomaxprocs-quota",
        category="other",
        severity=Severity.WARNING,
        title=f"GOMAXPROCS will be {cpus} under a CPU quota of {quota:g}",
        root_cause=(
            f"This container's cgroup allows {quota:g} CPUs (cpu.max) but {why}: GOMAXPROCS is set to the "
            f"host's {cpus} CPUs, and the program is throttled (latency spikes) instead of running fewer "
            "threads."
        ),
        evidence=(Evidence(source="probe", text=f"cpu.max: {quota:g} CPUs; toolchain {toolchain}"),),
        fix=Fix(
            summary="Set GOMAXPROCS to the quota, or build with Go 1.25+ and a go line of 1.25 or later",
            snippets=(Snippet(language="bash", code=f"GOMAXPROCS={max(1, int(quota))} ./app"),),
        ),
    )
