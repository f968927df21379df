"""Probe facts that explain a failed build's log lines, and so outrank a log rule's guess.

A log rule sees one line; a probe knows the machine. When a probe's fact accounts for the lines
a log rule matched, the fact's finding cites those lines (``superseded_by_facts`` in
``findings.order`` then drops the guess that rests only on them):

- cgo flags that name the host's include or library directories (``probe.cgo.host-paths``),
  when the failing lines come from files in those directories;
- the assembler behind the target's C compiler and its binutils version, when it rejects an
  ``.arch``/``-march`` value that a newer binutils knows.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from ..data_files import load_json
from ..findings import Evidence, Finding, Fix, Severity, Snippet
from .logs import clean

MAX_LINES = 5
_ERRORISH = re.compile(r"(?:error|Error|cannot find|undefined reference|skipping incompatible)")
_UNKNOWN_ARCH = re.compile(
    r"Error: (?:unknown architecture|no such architecture|unknown architectural extension|"
    r"unknown cpu|invalid -march= option):? [`'\"]?(?P<arch>[\w.+-]+)"
)


@cache
def _since() -> Mapping[str, str]:
    table: Mapping[str, str] = load_json("data", "assembler.json")["arch"]
    return table


def _binutils_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


def _lines(log_text: str, test: Any) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    seen: set[str] = set()
    for number, raw in enumerate(log_text.splitlines(), 1):
        line = clean(raw).strip()
        if line in seen or not test(line):
            continue
        seen.add(line)
        found.append((number, line[:400]))
        if len(found) >= MAX_LINES:
            break
    return found


def host_paths(finding: Finding, log_text: str) -> Finding | None:
    """``probe.cgo.host-paths`` (a warning before the build) made the error when the failing
    lines come from the host directories it names."""
    dirs = [e.text.split(": ", 1)[1] for e in finding.evidence if e.source == "probe" and ": " in e.text]
    dirs = [d for d in dirs if d.startswith("/")]
    if not dirs:
        return None
    hits = _lines(log_text, lambda line: _ERRORISH.search(line) and any(d + "/" in line for d in dirs))
    if not hits:
        return None
    return dataclasses.replace(
        finding,
        severity=Severity.ERROR,
        title=finding.title.replace("point at", "make the build use"),
        root_cause=finding.root_cause
        + f" The build failed on those files: the errors come from {', '.join(dirs[:3])}, headers for "
        "the build machine, not for the target; the cross compiler itself is not the problem.",
        evidence=finding.evidence + tuple(Evidence(source="log", text=t, line=n) for n, t in hits),
        confidence=0.95,
        priority=86,
    )


def assembler_too_old(
    target: str, assembler: Mapping[str, Any], cc: str | None, log_text: str
) -> Finding | None:
    """The target's assembler rejects an architecture name: name its binutils version and the
    release that knows the name."""
    version = assembler.get("version")
    hits = _lines(log_text, lambda line: _UNKNOWN_ARCH.search(line))
    if not hits:
        return None
    m = _UNKNOWN_ARCH.search(hits[0][1])
    assert m is not None
    arch = m["arch"].rstrip("'`\"")
    since = _since().get(arch)
    if version and since and _binutils_key(version) >= _binutils_key(since):
        return None  # this assembler should know it: not a version gap
    have = f"GNU as {version}" if version else "the assembler"
    gap = f"; {arch} needs binutils {since} or newer" if since else "; a newer binutils knows it"
    return Finding(
        rule="probe.cgo.assembler-too-old",
        category="cgo-wrong-compiler",
        severity=Severity.ERROR,
        target=target,
        title=f"the assembler for {target} ({have}) does not know {arch}",
        root_cause=(
            f"CC={cc or '?'} is the right compiler for {target}, but its assembler "
            f"({assembler.get('path') or 'as'}, {have}) is too old for the code{gap}. "
            "Changing CC to the same toolchain will not help."
        ),
        fix=Fix(
            summary=f"Assemble with binutils {since or 'newer than ' + (version or 'the installed one')}: "
            "a newer distribution image (or its backports) for the cross binutils, or zig cc, whose "
            f"LLVM assembler knows newer architectures; or lower the code's .arch below {arch}.",
            snippets=(Snippet(language="bash", code=f"{assembler.get('path') or 'as'} --version\n"),),
        ),
        evidence=(
            *(Evidence(source="log", text=t, line=n) for n, t in hits),
            Evidence(
                source="probe",
                text=f"{cc or 'cc'} -print-prog-name=as: {assembler.get('path')}; "
                f"{assembler.get('banner') or 'version unknown'}",
            ),
        ),
        confidence=0.9,
        priority=86,
    )


def with_probe_facts(
    findings: Sequence[Finding],
    *,
    logs: Mapping[str, str],
    cgo_facts: Mapping[str, Mapping[str, Any]],
) -> list[Finding]:
    """The findings, with probe facts that explain a failed target's log promoted to that
    target's error (``logs``: target -> log text of failed targets)."""
    out: list[Finding] = []
    for finding in findings:
        log_text = logs.get(finding.target or "")
        promoted = None
        if log_text is not None and finding.rule == "probe.cgo.host-paths":
            promoted = host_paths(finding, log_text)
        out.append(promoted or finding)
    for target, log_text in logs.items():
        facts = cgo_facts.get(target) or {}
        assembler = facts.get("assembler")
        if isinstance(assembler, Mapping):
            found = assembler_too_old(target, assembler, facts.get("cc"), log_text)
            if found is not None:
                out.append(found)
    return out
