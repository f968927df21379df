"""Findings of the audit: a rule id ``audit.<area>.<check>``, the file and line as location (so
they become annotations), and a fix snippet in the file's own language."""

from __future__ import annotations

from collections.abc import Sequence

from ..findings import Evidence, Finding, Fix, Location, Severity, Snippet


def at(path: str, line: int | None, text: str) -> Evidence:
    """Evidence pointing at ``path:line`` (``source`` config: the user's own files)."""
    return Evidence(source="config", text=text, line=line, location=Location(path=path, line=line or None))


def finding(
    *,
    rule: str,
    category: str,
    severity: Severity,
    title: str,
    cause: str,
    evidence: Sequence[Evidence],
    fix: str,
    snippet: str | None = None,
    language: str = "dockerfile",
    target: str | None = None,
) -> Finding:
    snippets = (Snippet(language=language, code=snippet.strip("\n")),) if snippet else ()
    return Finding(
        rule=rule,
        category=category,
        severity=severity,
        title=title,
        root_cause=cause,
        target=target,
        evidence=tuple(evidence),
        fix=Fix(summary=fix, snippets=snippets),
    )
