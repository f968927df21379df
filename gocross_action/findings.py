"""The one shared type: a ``Finding`` flows from every source (log rule, probe, binary check)
to every report (JSON, Markdown, SARIF, annotations, workflow commands).

Readers describe, checks judge, renderers render: only checks create findings, and nothing
downstream of the report changes them except ``with_fix_verified`` after a rebuild.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from functools import cache
from typing import Any

from .data_files import load_json


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    NOTICE = "notice"

    @property
    def rank(self) -> int:
        """Lower is more important: error 0, warning 1, notice 2."""
        return _SEVERITY_RANK[self]

    @property
    def sarif_level(self) -> str:
        """SARIF ``result.level``: error, warning, note."""
        return _SARIF_LEVEL[self]

    @property
    def annotation_level(self) -> str:
        """Check-run annotation level: failure, warning, notice."""
        return _ANNOTATION_LEVEL[self]

    @property
    def command(self) -> str:
        """Workflow command name: error, warning, notice."""
        return self.value

    def reaches(self, threshold: str) -> bool:
        """Whether this severity reaches a ``fail-on`` threshold (error|warning|never)."""
        if threshold == "never":
            return False
        return self.rank <= Severity(threshold).rank


# The one place severities map onto each output's vocabulary.
_SEVERITY_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.NOTICE: 2}
_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTICE: "note"}
_ANNOTATION_LEVEL = {Severity.ERROR: "failure", Severity.WARNING: "warning", Severity.NOTICE: "notice"}

EVIDENCE_SOURCES = ("log", "probe", "artifact", "config")


@cache
def categories() -> tuple[str, ...]:
    """The taxonomy's category ids, in the taxonomy's order (``data/taxonomy.json``)."""
    return tuple(c["id"] for c in load_json("data", "taxonomy.json")["categories"])


@dataclass(frozen=True, kw_only=True)
class Location:
    """A position in the user's source: ``path`` relative to the repository root when inside it."""

    path: str
    line: int | None = None
    column: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line, "column": self.column}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Location:
        return cls(path=data["path"], line=data.get("line"), column=data.get("column"))


@dataclass(frozen=True, kw_only=True)
class Evidence:
    """What a finding rests on: a log line (with its original line number), a probe fact,
    a property of a binary, or a config value."""

    source: str
    text: str
    line: int | None = None
    location: Location | None = None

    def __post_init__(self) -> None:
        if self.source not in EVIDENCE_SOURCES:
            raise ValueError(f"evidence source must be one of {EVIDENCE_SOURCES}, not {self.source!r}")

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "text": self.text,
            "line": self.line,
            "location": self.location.to_json() if self.location else None,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Evidence:
        loc = data.get("location")
        return cls(
            source=data["source"],
            text=data["text"],
            line=data.get("line"),
            location=Location.from_json(loc) if loc else None,
        )


@dataclass(frozen=True, kw_only=True)
class Snippet:
    """A piece of a fix to paste: ``language`` is yaml, bash, dockerfile, go, text..."""

    language: str
    code: str

    def to_json(self) -> dict[str, Any]:
        return {"language": self.language, "code": self.code}


@dataclass(frozen=True, kw_only=True)
class Changes:
    """The machine-applicable part of a fix: environment overrides, extra ``go build`` flags and
    ``go mod edit`` flags for the module's go.mod (``go_mod``: a change to the repository's files,
    reported as ``go_mod_edit``, only when there is one)."""

    env: Mapping[str, str] = field(default_factory=dict)
    flags: tuple[str, ...] = ()
    go_mod: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.env) or bool(self.flags) or bool(self.go_mod)

    def words(self) -> list[str]:
        """The changes as a reader applies them: ``NAME=value``, flags, ``go mod edit ...``."""
        edit = [f"go mod edit {' '.join(self.go_mod)}"] if self.go_mod else []
        return [*(f"{k}={v}" for k, v in self.env.items()), *self.flags, *edit]

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"env": dict(self.env), "flags": list(self.flags)}
        if self.go_mod:
            out["go_mod_edit"] = list(self.go_mod)
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Changes:
        return cls(
            env=dict(data.get("env") or {}),
            flags=tuple(data.get("flags") or ()),
            go_mod=tuple(data.get("go_mod_edit") or ()),
        )


@dataclass(frozen=True, kw_only=True)
class Cost:
    """What applying a fix costs: root rights (and with which package manager), the targets it
    affects, whether it changes files in the repository, and how to undo it."""

    needs_root: bool
    package_manager: str | None = None
    targets: tuple[str, ...] = ()
    changes_repo: bool = False
    undo: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "needs_root": self.needs_root,
            "package_manager": self.package_manager,
            "targets": list(self.targets),
            "changes_repo": self.changes_repo,
            "undo": self.undo,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Cost:
        return cls(
            needs_root=bool(data["needs_root"]),
            package_manager=data.get("package_manager"),
            targets=tuple(data.get("targets") or ()),
            changes_repo=bool(data.get("changes_repo")),
            undo=data.get("undo"),
        )

    def line(self) -> str:
        """One line for the text and Markdown reports."""
        root = f"needs root ({self.package_manager})" if self.needs_root else "no root"
        if not self.needs_root and self.package_manager:
            root += f" ({self.package_manager})"
        parts = [root]
        if self.targets:
            parts.append("affects " + ", ".join(self.targets))
        parts.append("changes repository files" if self.changes_repo else "no repository change")
        if self.undo:
            parts.append(f"undo: {self.undo}")
        return "; ".join(parts)


@dataclass(frozen=True, kw_only=True)
class Fix:
    """What to do about a finding: a summary, snippets to paste, the changes to apply, whether a
    rebuild with them verified the fix, and what the fix costs."""

    summary: str
    snippets: tuple[Snippet, ...] = ()
    changes: Changes | None = None
    verified: bool | None = None
    cost: Cost | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "summary": self.summary,
            "snippets": [s.to_json() for s in self.snippets],
            "changes": self.changes.to_json() if self.changes else None,
            "verified": self.verified,
        }
        if self.cost is not None:
            out["cost"] = self.cost.to_json()
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Fix:
        changes = data.get("changes")
        cost = data.get("cost")
        return cls(
            summary=data["summary"],
            snippets=tuple(Snippet(**s) for s in data.get("snippets") or ()),
            changes=Changes.from_json(changes) if changes else None,
            verified=data.get("verified"),
            cost=Cost.from_json(cost) if cost else None,
        )


@dataclass(frozen=True, kw_only=True)
class Finding:
    """One root cause, with the evidence for it and the fix that fits where it happened.

    ``rule`` is namespaced by source (``log.…``, ``probe.…``, ``artifact.…``, ``config.…``);
    ``category`` is a taxonomy id; ``priority`` (not serialised: it is the rule's, not the
    finding's) puts the decisive cause before its symptoms among findings of one severity.
    """

    rule: str
    category: str
    severity: Severity
    title: str
    root_cause: str
    target: str | None = None
    fix: Fix | None = None
    evidence: tuple[Evidence, ...] = ()
    confidence: float = 1.0
    priority: int = 50

    def __post_init__(self) -> None:
        if self.category not in categories():
            raise ValueError(f"unknown category {self.category!r} in finding {self.rule!r}")
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"confidence must be within 0..1, not {self.confidence}")
        if "\n" in self.title:
            raise ValueError("a finding's title is one line")
        if not isinstance(self.severity, Severity):
            object.__setattr__(self, "severity", Severity(self.severity))

    @property
    def locations(self) -> list[Location]:
        """Source positions named by the evidence, in evidence order."""
        return [e.location for e in self.evidence if e.location is not None]

    def with_fix_verified(self, verified: bool | None) -> Finding:
        if self.fix is None:
            return self
        return dataclasses.replace(self, fix=dataclasses.replace(self.fix, verified=verified))

    def corroborated_by(self, other: Finding) -> Finding:
        """This finding with another source's evidence for the same cause added (its fix is used
        only when this one has none)."""
        evidence = self.evidence + tuple(e for e in other.evidence if e not in self.evidence)
        return dataclasses.replace(
            self,
            evidence=evidence,
            fix=self.fix or other.fix,
            confidence=max(self.confidence, other.confidence),
        )

    def sort_key(self) -> tuple[int, int, float, str, str]:
        return (self.severity.rank, -self.priority, -self.confidence, self.target or "", self.rule)

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "category": self.category,
            "severity": self.severity.value,
            "target": self.target,
            "title": self.title,
            "root_cause": self.root_cause,
            "fix": self.fix.to_json() if self.fix else None,
            "evidence": [e.to_json() for e in self.evidence],
            "confidence": self.confidence,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any], *, priority: int = 50) -> Finding:
        fix = data.get("fix")
        return cls(
            rule=data["rule"],
            category=data["category"],
            severity=Severity(data["severity"]),
            target=data.get("target"),
            title=data["title"],
            root_cause=data["root_cause"],
            fix=Fix.from_json(fix) if fix else None,
            evidence=tuple(Evidence.from_json(e) for e in data.get("evidence") or ()),
            confidence=float(data.get("confidence", 1.0)),
            priority=priority,
        )


def order(findings: Iterable[Finding]) -> list[Finding]:
    """Most important first (severity, then rule priority, then confidence), one finding per cause.

    The same rule with the same target and evidence is reported once. A cause seen by two sources
    (a probe finds the cross compiler missing, the build log then says so) is one finding: among
    findings of one target, category and severity from different sources (``probe.``, ``log.``,
    ``artifact.``...), the first keeps its fix and takes the others' evidence.
    """
    seen: set[tuple[str, str | None, tuple[str, ...]]] = set()
    unique: list[Finding] = []
    for finding in findings:
        key = (finding.rule, finding.target, tuple(e.text for e in finding.evidence))
        if key in seen:
            continue
        seen.add(key)
        unique.append(finding)
    unique = superseded_by_facts(unique)
    merged: list[Finding] = []
    by_cause: dict[tuple[str, str, Severity], int] = {}
    for finding in sorted(unique, key=Finding.sort_key):
        if finding.target is None:
            merged.append(finding)
            continue
        cause = (finding.target, finding.category, finding.severity)
        index = by_cause.get(cause)
        if index is not None and _source(merged[index].rule) != _source(finding.rule):
            merged[index] = merged[index].corroborated_by(finding)
            continue
        by_cause.setdefault(cause, len(merged))
        merged.append(finding)
    return merged


def _log_lines(finding: Finding) -> frozenset[tuple[int, str]]:
    return frozenset(
        (e.line, e.text.strip()) for e in finding.evidence if e.source == "log" and e.line is not None
    )


def superseded_by_facts(findings: Sequence[Finding]) -> list[Finding]:
    """A log rule's guess gives way to a fact: when a finding from another source (a probe's
    ``go list`` file sets, a toolchain version) cites log lines as what it explains, a log
    finding of the same target resting only on those lines is dropped."""
    explained: dict[str | None, set[tuple[int, str]]] = {}
    for finding in findings:
        if _source(finding.rule) != "log":
            explained.setdefault(finding.target, set()).update(_log_lines(finding))
    kept = []
    for finding in findings:
        lines = _log_lines(finding)
        if _source(finding.rule) == "log" and lines and lines <= explained.get(finding.target, set()):
            continue
        kept.append(finding)
    return kept


def _source(rule: str) -> str:
    return rule.split(".", 1)[0]


def count(findings: Sequence[Finding], severity: Severity) -> int:
    return sum(1 for f in findings if f.severity is severity)


def reaches(findings: Iterable[Finding], fail_on: str) -> bool:
    """Whether any finding reaches the ``fail-on`` threshold."""
    return any(f.severity.reaches(fail_on) for f in findings)
