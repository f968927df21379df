"""The terminal report: targets, then findings most important first. Colour only when asked."""

from __future__ import annotations

from ..findings import Finding, Severity
from .model import Report

_COLORS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.NOTICE: "36", "passed": "32", "failed": "31"}


def _paint(text: str, code: str | None, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color and code else text


def _finding(f: Finding, color: bool) -> list[str]:
    label = _paint(f.severity.value.upper(), _COLORS[f.severity], color)
    where = f" [{f.target}]" if f.target else ""
    lines = [f"{label}{where} {f.title}  ({f.category}, {f.rule})", f"  cause: {f.root_cause}"]
    for ev in f.evidence[:3]:
        at = f"line {ev.line}: " if ev.line else ""
        lines.append(f"  evidence ({ev.source}): {at}{ev.text}")
    if f.fix:
        verified = {True: " (verified by a rebuild)", False: " (a rebuild with it still failed)"}.get(
            f.fix.verified, ""  # type: ignore[arg-type]
        )
        lines.append(f"  fix: {f.fix.summary}{verified}")
        for snippet in f.fix.snippets[:1]:
            lines.extend(f"    {line}" for line in snippet.code.rstrip("\n").splitlines())
    return lines


def render(report: Report, *, color: bool = False) -> str:
    lines: list[str] = []
    if report.targets:
        lines.append("Targets:")
        for t in report.targets:
            status = _paint(t.status, _COLORS.get(t.status), color)
            took = f" {t.duration_s:.1f}s" if t.duration_s is not None else ""
            lines.append(f"  {t.target:<22} {status}{took}" + (f"  {t.binary}" if t.binary else ""))
        lines.append("")
    for b in report.binaries:
        desc = b.get("error") or " ".join(
            str(x) for x in (b.get("format"), f"{b.get('goos')}/{b.get('goarch')}", b.get("linkage")) if x
        )
        lines.append(f"{b.get('path')}: {desc}")
    if report.binaries:
        lines.append("")
    for f in report.findings:
        lines.extend(_finding(f, color))
        lines.append("")
    summary = f"{report.errors} error(s), {report.warnings} warning(s), {report.notices} notice(s)"
    lines.append(summary if report.findings else "No problems found.")
    return "\n".join(lines) + "\n"
