"""The one report every renderer consumes. Built once per run; findings are ordered once here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .. import __version__
from ..findings import Finding, Severity, count, order, reaches

TARGET_STATUSES = ("passed", "failed", "skipped")
SCHEMA_VERSION = 1


@dataclass(frozen=True, kw_only=True)
class TargetResult:
    """The outcome of one target of ``gocross check``."""

    target: str
    status: str
    duration_s: float | None = None
    binary: str | None = None
    log: str | None = None

    def __post_init__(self) -> None:
        if self.status not in TARGET_STATUSES:
            raise ValueError(f"target status must be one of {TARGET_STATUSES}, not {self.status!r}")

    def to_json(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "status": self.status,
            "duration_s": None if self.duration_s is None else round(self.duration_s, 3),
            "binary": self.binary,
            "log": self.log,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TargetResult:
        return cls(
            target=data["target"],
            status=data["status"],
            duration_s=data.get("duration_s"),
            binary=data.get("binary"),
            log=data.get("log"),
        )


@dataclass(frozen=True, kw_only=True)
class Context:
    """Where the run happened, for renderers that need an anchor in the repository.

    ``config`` and ``go_mod`` are paths relative to the repository root when inside it: SARIF
    points findings without a source position at one of them.
    """

    command: str
    config: str | None = None
    go_mod: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"command": self.command, "config": self.config, "go_mod": self.go_mod}

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Context:
        data = data or {}
        return cls(
            command=data.get("command", "unknown"), config=data.get("config"), go_mod=data.get("go_mod")
        )


@dataclass(frozen=True, kw_only=True)
class Report:
    """Everything a command found: the one input of every renderer."""

    context: Context
    targets: tuple[TargetResult, ...] = ()
    binaries: tuple[Mapping[str, Any], ...] = ()
    environment: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    findings: tuple[Finding, ...] = ()
    tool_version: str = __version__

    @classmethod
    def build(
        cls,
        *,
        context: Context,
        findings: Iterable[Finding] = (),
        targets: Iterable[TargetResult] = (),
        binaries: Iterable[Mapping[str, Any]] = (),
        environment: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> Report:
        """The one place findings are ordered and deduplicated."""
        return cls(
            context=context,
            targets=tuple(targets),
            binaries=tuple(binaries),
            environment=dict(environment or {}),
            findings=tuple(order(findings)),
        )

    @property
    def errors(self) -> int:
        return count(self.findings, Severity.ERROR)

    @property
    def warnings(self) -> int:
        return count(self.findings, Severity.WARNING)

    @property
    def notices(self) -> int:
        return count(self.findings, Severity.NOTICE)

    def failed(self, fail_on: str) -> bool:
        return reaches(self.findings, fail_on)

    def status(self, fail_on: str) -> str:
        return "failed" if self.failed(fail_on) else "passed"

    def findings_for(self, target: str | None) -> list[Finding]:
        return [f for f in self.findings if f.target == target]

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "tool": {"name": "gocross", "version": self.tool_version},
            "context": self.context.to_json(),
            "targets": [t.to_json() for t in self.targets],
            "binaries": [dict(b) for b in self.binaries],
            "environment": {k: dict(v) for k, v in self.environment.items()},
            "findings": [f.to_json() for f in self.findings],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Report:
        """Read a report written by this tool (aggregate mode merges several)."""
        findings = data.get("findings") or []
        # Keep the written order: priority is not serialised, so rank by position.
        return cls(
            context=Context.from_json(data.get("context")),
            targets=tuple(TargetResult.from_json(t) for t in data.get("targets") or ()),
            binaries=tuple(data.get("binaries") or ()),
            environment=dict(data.get("environment") or {}),
            findings=tuple(Finding.from_json(f, priority=len(findings) - i) for i, f in enumerate(findings)),
            tool_version=(data.get("tool") or {}).get("version", __version__),
        )


# gocross check's records keyed by target (``build`` under its ``targets``): a matrix job records
# only its own targets, so merged reports keep every job's.
_PER_TARGET = ("smoke", "verify-fixes", "cgo-usage")


def merge(reports: Sequence[Report], *, context: Context) -> Report:
    """One report out of several (matrix jobs): targets, binaries and findings concatenated,
    environments keyed by probe name (the first report's value wins), except the per-target
    records of each job's builds, smoke runs and fix verifications, which are combined."""
    environment: dict[str, Mapping[str, Any]] = {}
    for report in reports:
        for name, facts in report.environment.items():
            if name in _PER_TARGET and name in environment:
                environment[name] = {**facts, **environment[name]}
            elif name == "build" and name in environment:
                earlier = environment[name]
                targets = {**(facts.get("targets") or {}), **(earlier.get("targets") or {})}
                environment[name] = {**earlier, "targets": targets}
            else:
                environment.setdefault(name, facts)
    return Report.build(
        context=context,
        targets=[t for r in reports for t in r.targets],
        binaries=[b for r in reports for b in r.binaries],
        environment=environment,
        findings=[f for r in reports for f in r.findings],
    )
