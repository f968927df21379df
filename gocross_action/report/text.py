"""The terminal report: targets with a compact line per stage, binaries, the environment, then
findings most important first. ``verbose`` shows the full set (every fact, every evidence line,
build commands); the quiet default stays short. Colour only when asked (``output.emit`` asks on a
TTY without NO_COLOR, and under GitHub Actions, whose log renders it); control characters from
logs are never echoed, and under Actions no line can pass for a workflow command."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from ..findings import Finding, Severity
from . import facts
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
    "head": "1",
}
_CONTROL = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|[\x00-\x08\x0b-\x1f\x7f]")
_EVIDENCE_SHOWN = 3
# Stands for a fold marker until the end of ``render``: cleaned untrusted text cannot hold NUL.
_GROUP, _ENDGROUP = "\x00group\x00", "\x00endgroup\x00"
_VERIFIED = {True: " (verified: a rebuild with it passed)", False: " (a rebuild with it still failed)"}


def _paint(text: str, key: str | None, color: bool) -> str:
    code = _COLORS.get(key) if key else None
    return f"\x1b[{code}m{text}\x1b[0m" if color and code else text


def clean(text: str) -> str:
    """Untrusted text without escape sequences or control characters."""
    return _CONTROL.sub("", text)


def _finding(f: Finding, report: Report, color: bool, verbose: bool) -> list[str]:
    label = _paint(f.severity.value.upper(), f.severity.value, color)
    where = f" [{f.target}]" if f.target else ""
    tag = _paint(f"({f.category}, {f.rule})", "dim", color)
    lines = [f"{label}{where} {clean(f.title)}  {tag}", f"  cause: {clean(f.root_cause)}"]
    settings = facts.settings_for(f, report)
    if settings:
        lines.append(f"  settings: {clean('; '.join(settings))}")
    for loc in f.locations[:1]:
        at = ":".join(str(p) for p in (loc.path, loc.line, loc.column) if p is not None)
        lines.append(f"  at: {clean(at)}")
    shown = len(f.evidence) if verbose else _EVIDENCE_SHOWN
    for ev in f.evidence[:shown]:
        at = f"line {ev.line}: " if ev.line is not None else ""
        lines.append(f"  evidence ({ev.source}): {at}{clean(ev.text)}")
    if len(f.evidence) > shown:
        lines.append(f"  ... {len(f.evidence) - shown} more evidence line(s) (--verbose shows them)")
    if f.fix:
        verified = _VERIFIED.get(f.fix.verified, "") if f.fix.verified is not None else ""
        lines.append(f"  fix: {clean(f.fix.summary)}{verified}")
        if f.fix.changes:
            lines.append(f"    changes: {clean(' '.join(f.fix.changes.words()))}")
        if f.fix.cost:
            lines.append(f"    cost: {clean(f.fix.cost.line())}")
        for snippet in f.fix.snippets:
            lines.extend(f"    {clean(line)}" for line in snippet.code.rstrip("\n").splitlines())
    if verbose and f.confidence < 1:
        lines.append(f"  confidence: {round(f.confidence * 100)}%")
    return lines


def _binary(b: Mapping[str, Any], verbose: bool) -> str:
    path = clean(str(b.get("path")))
    if b.get("error"):
        return f"  {path}: not inspected: {clean(str(b['error']))}"
    details = facts.binary_details(b) if verbose else []
    return "\n".join([f"  {path}: {clean(facts.binary_summary(b))}", *(f"      {clean(d)}" for d in details)])


def _table(rows: Sequence[Sequence[str]], indent: str = "  ") -> list[str]:
    cells = [[" ".join(clean(c).split()) for c in row] for row in rows]  # one line per row
    widths = [max(len(r[i]) for r in cells) for i in range(len(cells[0]))]
    return [
        indent + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]


def _targets(report: Report, color: bool, verbose: bool) -> list[str]:
    lines = ["Targets:"]
    width = max(len(t.target) for t in report.targets) + 2
    for t in report.targets:
        status = _paint(f"{t.status:<7}", t.status, color)
        took = f" {t.duration_s:6.1f}s" if t.duration_s is not None else " " * 8
        binary = f"  {clean(t.binary)}" if t.binary else ""
        lines.append(f"  {t.target:<{width}}{status}{took}{binary}")
        for stage, text in facts.stages(report, t, verbose=verbose):
            lines.append(f"      {_paint(f'{stage:<8}', 'dim', color)} {clean(text)}")
    return [*lines, ""]


def _environment(report: Report, color: bool, verbose: bool, actions: bool) -> list[str]:
    """The facts table (``probe``, or any command with ``verbose``), else the problems only."""
    if not (verbose or report.context.command == "probe"):
        problems = [
            f"{name} ({data.get('status')})"
            for name, data in report.environment.items()
            if data.get("status") in ("warning", "error")
        ]
        return [f"Environment: {', '.join(problems)}", ""] if problems else []
    rows = facts.summary_rows(report)
    statuses = facts.probe_statuses(report)
    if statuses:
        rows.append(("probes", ", ".join(statuses)))
    lines: list[str] = []
    if rows:
        lines += [_paint("Environment:", "head", color), *_table(rows), ""]
    per_target = facts.target_rows(report)
    if per_target:
        table = [("target", "cgo", "C compiler", "emulation"), *per_target]
        kept = [i for i in range(4) if any(row[i] for row in per_target)]  # no empty column
        lines += _table([[row[i] for i in kept] for row in table])
        lines.append("")
    timed = facts.time_rows(report) if verbose else []
    if timed:
        lines += [_paint("Time:", "head", color), *_table(timed), ""]
    if verbose:
        everything = facts.flat(report)
        if everything:
            lines.append(_GROUP if actions else _paint("All environment facts:", "head", color))
            lines += _table(everything)
            if actions:
                lines.append(_ENDGROUP)
            lines.append("")
    return lines


def _closing(report: Report, color: bool) -> str:
    unread = sum(1 for b in report.binaries if b.get("error"))
    not_read = f"{unread} of {len(report.binaries)} file(s) could not be inspected" if unread else ""
    if report.findings:
        counts = [
            _paint(f"{n} {s.value}(s)", s.value, color)
            for s, n in (
                (Severity.ERROR, report.errors),
                (Severity.WARNING, report.warnings),
                (Severity.NOTICE, report.notices),
            )
        ]
        return ", ".join(counts + ([_paint(not_read, "error", color)] if not_read else []))
    if not_read:
        return _paint(f"No problems found in the files read; {not_read}.", "error", color)
    return _paint("No problems found.", "ok", color)


def _for_actions(line: str) -> str:
    """A line that starts with ``::`` (after blanks) would be a workflow command under Actions:
    only the report's own folds may."""
    if line == _GROUP:
        return "::group::All environment facts"
    if line == _ENDGROUP:
        return "::endgroup::"
    if line.lstrip().startswith("::"):
        return line.replace("::", "\u200b::", 1)
    return line


def render(report: Report, *, color: bool = False, verbose: bool = False, actions: bool = False) -> str:
    """The report for a terminal; ``actions``: for a GitHub Actions log (folded verbose facts,
    no line acting as a workflow command)."""
    lines: list[str] = []
    if report.targets:
        lines += _targets(report, color, verbose)
    shown = {t.binary for t in report.targets if t.binary}
    loose = [b for b in report.binaries if b.get("path") not in shown]
    if loose:
        lines.append("Binaries:")
        lines.extend(_binary(b, verbose) for b in loose)
        lines.append("")
    lines += _environment(report, color, verbose, actions)
    for f in report.findings:
        lines.extend(_finding(f, report, color, verbose))
        lines.append("")
    lines.append(_closing(report, color))
    # Untrusted text may hold newlines: every physical line is judged on its own.
    out = [line.rstrip() for line in "\n".join(lines).split("\n")]
    if actions:
        out = [_for_actions(line) for line in out]
    return "\n".join(out) + "\n"
