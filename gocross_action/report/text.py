"""The terminal report: targets, binaries, environment problems, then findings most important
first. Colour only when asked (``output.emit`` asks on a TTY without NO_COLOR); control
characters from logs are never echoed to the terminal."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..findings import Finding, Severity
from .model import Report

_COLORS: dict[str, str] = {
    Severity.ERROR.value: "1;31",
    Severity.WARNING.value: "1;33",
    Severity.NOTICE.value: "1;36",
    "passed": "32",
    "failed": "31",
    "skipped": "2",
    "ok": "32",
    "dim": "2",
}
_CONTROL = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|[\x00-\x08\x0b-\x1f\x7f]")
_EVIDENCE_SHOWN = 3
_VERIFIED = {True: " (verified: a rebuild with it passed)", False: " (a rebuild with it still failed)"}


def _paint(text: str, key: str | None, color: bool) -> str:
    code = _COLORS.get(key) if key else None
    return f"\x1b[{code}m{text}\x1b[0m" if color and code else text


def clean(text: str) -> str:
    """Untrusted text without escape sequences or control characters."""
    return _CONTROL.sub("", text)


def _finding(f: Finding, color: bool) -> list[str]:
    label = _paint(f.severity.value.upper(), f.severity.value, color)
    where = f" [{f.target}]" if f.target else ""
    tag = _paint(f"({f.category}, {f.rule})", "dim", color)
    lines = [f"{label}{where} {clean(f.title)}  {tag}", f"  cause: {clean(f.root_cause)}"]
    for loc in f.locations[:1]:
        at = ":".join(str(p) for p in (loc.path, loc.line, loc.column) if p is not None)
        lines.append(f"  at: {clean(at)}")
    for ev in f.evidence[:_EVIDENCE_SHOWN]:
        at = f"line {ev.line}: " if ev.line is not None else ""
        lines.append(f"  evidence ({ev.source}): {at}{clean(ev.text)}")
    if len(f.evidence) > _EVIDENCE_SHOWN:
        lines.append(f"  ... {len(f.evidence) - _EVIDENCE_SHOWN} more evidence line(s) in the JSON report")
    if f.fix:
        verified = _VERIFIED.get(f.fix.verified, "") if f.fix.verified is not None else ""
        lines.append(f"  fix: {clean(f.fix.summary)}{verified}")
        if f.fix.changes:
            changes = [f"{k}={v}" for k, v in f.fix.changes.env.items()] + list(f.fix.changes.flags)
            lines.append(f"    changes: {clean(' '.join(changes))}")
        if f.fix.cost:
            lines.append(f"    cost: {clean(f.fix.cost.line())}")
        for snippet in f.fix.snippets:
            lines.extend(f"    {clean(line)}" for line in snippet.code.rstrip("\n").splitlines())
    return lines


def _binary(b: Mapping[str, Any]) -> str:
    path = clean(str(b.get("path")))
    if b.get("error"):
        return f"  {path}: unreadable: {clean(str(b['error']))}"
    target = "/".join(str(b[k]) for k in ("goos", "goarch", "variant") if b.get(k))
    facts = [str(b.get("format")), target or "?", str(b.get("linkage") or "")]
    if b.get("glibc_required"):
        facts.append(f"needs GLIBC_{b['glibc_required']}")
    go = b.get("go") or {}
    if isinstance(go, Mapping) and go.get("version"):
        facts.append(str(go["version"]))
    return f"  {path}: {clean(' '.join(x for x in facts if x))}"


def render(report: Report, *, color: bool = False) -> str:
    lines: list[str] = []
    if report.targets:
        lines.append("Targets:")
        width = max(len(t.target) for t in report.targets) + 2
        for t in report.targets:
            status = _paint(f"{t.status:<7}", t.status, color)
            took = f" {t.duration_s:6.1f}s" if t.duration_s is not None else " " * 8
            binary = f"  {clean(t.binary)}" if t.binary else ""
            lines.append(f"  {t.target:<{width}}{status}{took}{binary}")
        lines.append("")
    if report.binaries:
        lines.append("Binaries:")
        lines.extend(_binary(b) for b in report.binaries)
        lines.append("")
    problems = [
        f"{name} ({facts.get('status')})"
        for name, facts in report.environment.items()
        if facts.get("status") in ("warning", "error")
    ]
    if problems:
        lines.append(f"Environment: {', '.join(problems)}")
        lines.append("")
    for f in report.findings:
        lines.extend(_finding(f, color))
        lines.append("")
    if report.findings:
        counts = [
            _paint(f"{n} {s.value}(s)", s.value, color)
            for s, n in (
                (Severity.ERROR, report.errors),
                (Severity.WARNING, report.warnings),
                (Severity.NOTICE, report.notices),
            )
        ]
        lines.append(", ".join(counts))
    else:
        lines.append(_paint("No problems found.", "ok", color))
    return "\n".join(line.rstrip() for line in lines) + "\n"
