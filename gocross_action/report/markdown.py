"""The Markdown report: the job summary and the sticky PR comment come from this one function.

A table of targets and their status (and of binaries, when there are any), then each finding with
its root cause, an evidence excerpt and the fix snippets in fenced blocks. With ``limit`` the text
is at most ``limit`` characters, cut at a finding boundary, with a line saying what was left out
and pointing at ``more`` (e.g. the name of the artifact with the full report).

Text that comes from logs, binaries or the environment is untrusted: @mentions cannot notify
anyone, HTML renders as text, and no excerpt can close its code fence early.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..findings import Finding, Severity
from . import facts
from .model import Report, TargetResult

_NONE = "–"  # noqa: RUF001
_ICON = {Severity.ERROR: "❌", Severity.WARNING: "⚠️", Severity.NOTICE: "ℹ️"}  # noqa: RUF001
_STATUS = {"passed": "✅ passed", "failed": "❌ failed", "skipped": "⏭️ skipped"}
_PROBE = {"ok": "✅", "warning": "⚠️", "error": "❌", "skipped": "⏭️"}
_EVIDENCE_SHOWN = 5
_EVIDENCE_CHARS = 400
_MENTION = re.compile(r"(?<![A-Za-z0-9_])@(?=[A-Za-z0-9])")
_ZWSP = "\u200b"
_VERIFIED = {True: " _(verified: a rebuild with it passed)_", False: " _(a rebuild with it still failed)_"}


# --------------------------------------------------------------------------- neutralising


def neutralise_code(text: str) -> str:
    """Untrusted text shown inside a code fence: @mentions cannot notify, and no HTML comment
    can pass for a hidden marker (the sticky comment is found again by one)."""
    text = _MENTION.sub("@" + _ZWSP, text)
    return text.replace("<!--", "<!" + _ZWSP + "--").replace("-->", "--" + _ZWSP + ">")


def inline(text: str) -> str:
    """Untrusted text in running Markdown: one line, HTML as text, @mentions that cannot notify."""
    text = " ".join(text.split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MENTION.sub("@" + _ZWSP, text)


def cell(text: str) -> str:
    """``inline`` for a table cell: a ``|`` would start the next cell."""
    return inline(text).replace("|", "\\|")


def code_span(text: str) -> str:
    """Inline code that survives backticks in ``text``."""
    text = neutralise_code(" ".join(text.split()))
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def fence(body: str, language: str = "") -> str:
    """A fenced code block longer than any backtick run in ``body``, so it cannot be closed early."""
    longest = max((len(run) for run in re.findall(r"`{3,}", body)), default=0)
    ticks = "`" * max(3, longest + 1)
    lang = re.sub(r"[^A-Za-z0-9_+-]", "", language)
    return f"{ticks}{lang}\n{body.rstrip(chr(10))}\n{ticks}\n"


# --------------------------------------------------------------------------- parts


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _counts(findings: Sequence[Finding]) -> str:
    parts = []
    for severity in Severity:
        n = sum(1 for f in findings if f.severity is severity)
        if n:
            parts.append(_plural(n, severity.value))
    return ", ".join(parts)


def _header(report: Report) -> str:
    failed_targets = sum(1 for t in report.targets if t.status == "failed")
    if report.errors or failed_targets:
        icon = "❌"
    elif report.warnings:
        icon = "⚠️"
    else:
        icon = "✅"
    summary = _counts(report.findings) or "no problems found"
    title = f"## {icon} gocross {inline(report.context.command)}: {summary}\n"
    if report.targets:
        passed = sum(1 for t in report.targets if t.status == "passed")
        title += f"\n{passed} of {_plural(len(report.targets), 'target')} built.\n"
    return title


def _target_rows(report: Report, verbose: bool) -> list[str]:
    rows = []
    for t in report.targets:
        stages = "<br>".join(
            f"{stage}: {cell(text)}" if stage else cell(text)
            for stage, text in facts.stages(report, t, verbose=verbose)
        )
        rows.append(
            f"| {code_span(t.target)} | {_STATUS[t.status]} | {_duration(t)} | "
            f"{_counts(report.findings_for(t.target)) or '–'} | {stages or '–'} |\n"  # noqa: RUF001
        )
    return rows


def _duration(t: TargetResult) -> str:
    return "–" if t.duration_s is None else f"{t.duration_s:.1f} s"  # noqa: RUF001


_TARGET_TABLE = "\n| Target | Status | Time | Findings | Stages |\n|---|---|---|---|---|\n"
_BINARY_TABLE = "\n| Binary | Format | Target | Linkage | Needs glibc |\n|---|---|---|---|---|\n"


def _binary_rows(binaries: Iterable[Mapping[str, Any]]) -> list[str]:
    rows = []
    for b in binaries:
        path = code_span(str(b.get("path", "?")))
        if b.get("error"):
            rows.append(
                f"| {path} | {cell(str(b.get('format') or 'unknown'))} | unreadable: "
                f"{cell(str(b['error']))} | | |\n"
            )
            continue
        target = facts.slices_name(b)
        linkage = b.get("linkage") or "–"  # noqa: RUF001
        glibc = b.get("glibc_required") or "–"  # noqa: RUF001
        rows.append(
            f"| {path} | {cell(str(b.get('format')))} | {cell(target or '?')} | {cell(str(linkage))} "
            f"| {cell(str(glibc))} |\n"
        )
    return rows


def _facts_tables(report: Report, verbose: bool) -> str:
    """The facts the probes gathered: a short table, per-target compilers, and (verbose) all."""
    out = ""
    rows = facts.summary_rows(report)
    if rows:
        out += "\n| Fact | Value |\n|---|---|\n" + "".join(f"| {cell(k)} | {cell(v)} |\n" for k, v in rows)
    per_target = facts.target_rows(report)
    if per_target:
        out += "\n| Target | cgo | C compiler | Emulation |\n|---|---|---|---|\n"
        out += "".join(
            f"| {code_span(t)} | {cell(c)} | {cell(cc)} | {cell(e) or _NONE} |\n"
            for t, c, cc, e in per_target
        )
    if verbose:
        everything = facts.flat(report)
        if everything:
            out += "\n<details><summary>All environment facts</summary>\n\n| Fact | Value |\n|---|---|\n"
            out += "".join(f"| {code_span(k)} | {cell(v)} |\n" for k, v in everything)
            out += "\n</details>\n"
    return out


def _environment(report: Report, verbose: bool = False) -> str:
    if not report.environment:
        return ""
    by_status: dict[str, list[str]] = {}
    for name, data in report.environment.items():
        if "status" not in data:  # build, smoke...: records, not probes
            continue
        by_status.setdefault(str(data.get("status", "ok")), []).append(name)
    ok = len(by_status.pop("ok", []))
    parts = [f"{_plural(ok, 'check')} ok"] if ok else []
    for status in ("error", "warning", "skipped"):
        names = by_status.get(status)
        if names:
            parts.append(f"{_PROBE[status]} {status}: {', '.join(code_span(n) for n in names)}")
    out = f"\n**Environment:** {'; '.join(parts)}\n"
    if verbose or report.context.command == "probe":
        out += _facts_tables(report, verbose)
    return out


def _evidence(finding: Finding, verbose: bool) -> str:
    if not finding.evidence:
        return ""
    shown = finding.evidence if verbose else finding.evidence[:_EVIDENCE_SHOWN]
    labels = []
    for ev in shown:
        label = ev.source
        if ev.line is not None:
            label += f" line {ev.line}"
        labels.append(label)
    lines = []
    for ev in shown:
        text = ev.text if len(ev.text) <= _EVIDENCE_CHARS else ev.text[:_EVIDENCE_CHARS] + " …"
        lines.append(neutralise_code(text))
    more = len(finding.evidence) - len(shown)
    if more:
        lines.append(f"… {_plural(more, 'more line')}")
    unique_labels = ", ".join(dict.fromkeys(labels))
    return f"\nEvidence ({unique_labels}):\n\n" + fence("\n".join(lines), "text")


def _fix(finding: Finding) -> str:
    fix = finding.fix
    if fix is None:
        return ""
    verified = "" if fix.verified is None else _VERIFIED[fix.verified]
    out = f"\n**Fix:** {inline(fix.summary)}{verified}\n"
    if fix.changes:
        changes = [code_span(word) for word in fix.changes.words()]
        out += f"\nChanges: {', '.join(changes)}\n"
    if fix.cost:
        out += f"\nCost: {inline(fix.cost.line())}\n"
    for snippet in fix.snippets:
        out += "\n" + fence(snippet.code, snippet.language)
    return out


def _finding(finding: Finding, report: Report, verbose: bool) -> str:
    target = f"{code_span(finding.target)}: " if finding.target else ""
    out = f"\n### {_ICON[finding.severity]} {target}{inline(finding.title)}\n\n{inline(finding.root_cause)}\n"
    locations = [
        code_span(":".join(str(p) for p in (loc.path, loc.line, loc.column) if p is not None))
        for loc in finding.locations
    ]
    if locations:
        out += f"\nAt {', '.join(dict.fromkeys(locations))}.\n"
    settings = facts.settings_for(finding, report)
    if settings:
        shown = []
        for text in settings:
            value, _, source = text.partition(" (")
            shown.append(f"{code_span(value)} ({inline(source)}" if source else code_span(value))
        out += f"\nSettings: {'; '.join(shown)}.\n"
    out += _evidence(finding, verbose)
    out += _fix(finding)
    confidence = f" · confidence {round(finding.confidence * 100)}%" if finding.confidence < 1 else ""
    tags = f"{finding.severity.value} · {code_span(finding.category)} · {code_span(finding.rule)}{confidence}"
    out += f"\n<sub>{tags}</sub>\n"
    return out


# --------------------------------------------------------------------------- render


def render(
    report: Report, *, limit: int | None = None, more: str | None = None, verbose: bool = False
) -> str:
    """The report as GitHub-flavoured Markdown, at most ``limit`` characters when given;
    ``verbose`` adds every fact gathered and every evidence line."""
    head = _header(report)
    target_rows = _target_rows(report, verbose)
    binary_rows = _binary_rows(report.binaries)
    environment = _environment(report, verbose)
    findings = [_finding(f, report, verbose) for f in report.findings]
    full = (
        head
        + (_TARGET_TABLE + "".join(target_rows) if target_rows else "")
        + (_BINARY_TABLE + "".join(binary_rows) if binary_rows else "")
        + environment
        + "".join(findings)
    )
    if limit is None or len(full) <= limit:
        return full
    return _truncated(report, limit, more, head, target_rows, binary_rows, environment, findings)


def _left_out(report: Report, shown: int, rows_left: int, binaries_left: int, more: str | None) -> str:
    parts = []
    left = report.findings[shown:]
    if left:
        parts.append(f"{_plural(len(left), 'finding')} ({_counts(left)})")
    if rows_left:
        parts.append(_plural(rows_left, "target row"))
    if binaries_left:
        parts.append(_plural(binaries_left, "binary row"))
    where = more or "the full report (report.md)"
    what = " and ".join(parts) or "The environment summary"
    return f"\n---\n_{what} left out to fit this space; see {where}._\n"


def _truncated(
    report: Report,
    limit: int,
    more: str | None,
    head: str,
    target_rows: list[str],
    binary_rows: list[str],
    environment: str,
    findings: list[str],
) -> str:
    # Room kept for the closing line, computed for the worst case (everything left out).
    reserve = len(_left_out(report, 0, len(target_rows), len(binary_rows), more))
    budget = limit - reserve
    out = head

    def take_rows(table_head: str, rows: list[str]) -> int:
        nonlocal out
        if not rows or len(out) + len(table_head) + len(rows[0]) > budget:
            return len(rows)
        out += table_head
        taken = 0
        for row in rows:
            if len(out) + len(row) > budget:
                break
            out += row
            taken += 1
        return len(rows) - taken

    rows_left = take_rows(_TARGET_TABLE, target_rows)
    binaries_left = take_rows(_BINARY_TABLE, binary_rows)
    if environment and len(out) + len(environment) <= budget:
        out += environment
    shown = 0
    for section in findings:
        if len(out) + len(section) > budget:
            break
        out += section
        shown += 1
    out += _left_out(report, shown, rows_left, binaries_left, more)
    return out[:limit]
