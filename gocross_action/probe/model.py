"""What every probe takes and gives: ``ProbeContext`` in, ``ProbeResult`` out.

Probes read the machine through the context only: files under ``root`` (so tests point /proc,
/sys and /etc at a prepared tree), tools through ``env``'s PATH, and ``go env`` once, cached.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import TargetConfig
from ..findings import Finding, Severity

STATUSES = ("ok", "warning", "error", "skipped")


@dataclass(frozen=True)
class ProbeContext:
    """The machine and module to probe.

    ``go_env`` replaces running ``go env -json`` (unit tests must not run the toolchain);
    ``uid`` is the user the build runs as (default: this process's effective uid); ``nice``
    lowers the tools' CPU priority (``gocross check`` probes while it builds).
    """

    module_dir: Path
    targets: Sequence[TargetConfig]
    env: Mapping[str, str]
    go: str = "go"
    root: Path = Path("/")
    go_env: Mapping[str, str] | None = None
    uid: int | None = None
    nice: int = 0
    _cache: dict[str, Any] = field(default_factory=dict, init=False, compare=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, compare=False, repr=False)

    def path(self, absolute: str | Path) -> Path:
        """``absolute`` (a path on the probed machine, like /proc/self/status) under ``root``."""
        return self.root / str(absolute).lstrip("/")

    @property
    def live(self) -> bool:
        """Whether ``root`` is this machine's own root: only then do syscall probes mean anything."""
        return self.root.resolve() == Path("/")

    @property
    def euid(self) -> int:
        return os.geteuid() if self.uid is None else self.uid

    def cached(self, key: str, compute: Any) -> Any:
        """``compute()`` once per context, shared by the probes (thread-safe)."""
        with self._lock:
            if key not in self._cache:
                self._cache[key] = compute()
            return self._cache[key]


@dataclass(frozen=True, kw_only=True)
class ProbeResult:
    name: str
    status: str
    facts: dict[str, Any] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"probe status must be one of {STATUSES}, not {self.status!r}")


@dataclass(frozen=True, kw_only=True)
class ProbeOutcome:
    """Every probe's status and facts (``environment``), their findings, and per-target facts
    (keys named like ``diagnose.facts.Facts`` fields: cgo, cc, host_goos, host_goarch,
    in_container, probes) for the diagnosis of a failed build."""

    environment: dict[str, dict[str, Any]]
    findings: list[Finding]
    facts_by_target: dict[str, dict[str, Any]]


def status_of(findings: Sequence[Finding]) -> str:
    """A probe's status is the worst severity it found; notices leave it ok."""
    if any(f.severity is Severity.ERROR for f in findings):
        return "error"
    if any(f.severity is Severity.WARNING for f in findings):
        return "warning"
    return "ok"


def result(name: str, facts: dict[str, Any], findings: list[Finding]) -> ProbeResult:
    return ProbeResult(name=name, status=status_of(findings), facts=facts, findings=findings)


def skipped(name: str, reason: str, facts: Mapping[str, Any] | None = None) -> ProbeResult:
    return ProbeResult(name=name, status="skipped", facts={"skipped": reason, **(facts or {})})
