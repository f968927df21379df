"""Log + facts + rules -> findings, one per root cause, the decisive cause first.

Scanning streams the log in whole-line blocks: the literal prefilter (``prefilter.py``:
Hyperscan, or Aho-Corasick) finds the few lines holding a rule's literal, and only those lines
are normalised and matched against regexes. Memory is bounded by the block size, the search
window and a cap on kept matches per rule.

Deciding: rules whose conditions fail are dropped; when several rules match one line, the one
with the highest priority keeps it; per category the highest-priority rule makes the finding
(other matches of that category become its evidence); symptom rules (``symptom: true``) only
speak when nothing else did, and a finding's ``explains`` removes the cascade it causes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from ..boundary import regex as linear
from ..findings import Evidence, Finding, Location
from . import fixes, templates
from .conditions import holds
from .facts import FACT_LITERALS, Facts, LogFacts
from .logs import BLOCK_SIZE, MAX_LINE, NewlineCounter, clean, group_title, is_endgroup, strip_ansi_bytes
from .rules import Rule, RuleSet

# Matches kept per rule (the rest are only counted): evidence never needs more.
KEEP_PER_RULE = 20
EVIDENCE_PER_FINDING = 5
MAX_EVIDENCE_TEXT = 400
MAX_PENDING = 200
# Bytes of log searched for literals at a time (bounds the memory of the hit list).
HIT_WINDOW = 256 << 10
ENV_HITS_KEPT = 16


@dataclass(frozen=True, kw_only=True)
class Hit:
    """A rule pattern matched: the line (or window) and the named groups it captured."""

    rule: int
    line: int
    text: str
    groups: Mapping[str, str]
    extra: tuple[tuple[int, str], ...] = ()
    group: str | None = None


@dataclass(kw_only=True)
class Scan:
    """What a pass over a log found: hits per rule (capped), counts, facts, line count."""

    hits: dict[int, list[Hit]] = field(default_factory=dict)
    counts: dict[int, int] = field(default_factory=dict)
    facts: LogFacts = field(default_factory=LogFacts)
    lines: int = 0

    def add(self, hit: Hit) -> None:
        self.counts[hit.rule] = self.counts.get(hit.rule, 0) + 1
        kept = self.hits.setdefault(hit.rule, [])
        if len(kept) < KEEP_PER_RULE:
            kept.append(hit)


@dataclass
class _Pending:
    rule: int
    pattern: int
    line: int
    text: str
    groups: dict[str, str]
    deadline: int


class _Scanner:
    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules
        self.scan = Scan()
        self.pending: list[_Pending] = []
        self.group: str | None = None
        self.newlines = NewlineCounter()

    def feed(self, buf: bytes, start: int, end: int, base: int) -> int:
        """Scan the whole lines in ``buf[start:end]``; ``base`` is the number of lines before
        them. Returns the number of newlines in the region."""
        if buf.find(b"\x1b", start, end) >= 0:
            buf = strip_ansi_bytes(buf[start:end])
            start, end = 0, len(buf)
        hits = self._hits(buf, start, end)
        rules, facts = self.rules, self.scan.facts
        line_no, counted_to, done_to = base, start, -1
        line_start = line_end = 0
        found: set[int] = set()
        # Lines that only show an environment fact: the last few per literal are read at the end
        # (the last value wins), so a log full of CGO_ENABLED=1 costs next to nothing. The
        # prefilter reports such a literal once per search window that holds it (at the window's
        # start); those windows are searched again from the last one back.
        env_seen: dict[int, list[int]] = {}
        # Per fact literal, where the line last read for it ends: a line holding the literal many
        # times is read once (reading it at every hit would cost hits x line length).
        fact_read_to: dict[int, int] = {}
        for literal, at in hits:
            if rules.fact_only[literal]:
                kinds = rules.fact_kinds[literal]
                if kinds[0][0] == "env":
                    env_seen.setdefault(literal, []).append(at)
                elif at >= fact_read_to.get(literal, -1) and not all(
                    what == "marker" and name in facts.markers for what, name in kinds
                ):
                    line_end = buf.find(b"\n", at, end)
                    fact_read_to[literal] = end if line_end < 0 else line_end
                    facts.read(self._raw_line(buf, at, start, end).decode("utf-8", "replace"), kinds)
                continue
            if at < done_to:
                found.add(literal)
                continue
            if found:
                self.line(line_no + 1, buf[line_start : min(line_end, line_start + MAX_LINE)], found)
            line_start = buf.rfind(b"\n", start, at) + 1 or start
            line_end = buf.find(b"\n", at, end)
            if line_end < 0:
                line_end = end
            line_no += self.newlines.count(buf, counted_to, line_start)
            counted_to = line_start
            done_to = line_end
            found = {literal}
        if found:
            self.line(line_no + 1, buf[line_start : min(line_end, line_start + MAX_LINE)], found)
        for literal, positions in self._last_occurrences(buf, env_seen, end).items():
            # One read per line: a line holding a literal many times is read once.
            starts = dict.fromkeys(buf.rfind(b"\n", start, at) + 1 or start for at in positions)
            for line_start in starts:
                text = self._raw_line(buf, line_start, start, end).decode("utf-8", "replace")
                facts.read(text, rules.fact_kinds[literal])
        return line_no - base + self.newlines.count(buf, counted_to, end)

    def _hits(self, buf: bytes, start: int, end: int) -> Iterator[tuple[int, int]]:
        """(literal, position) of every literal in ``buf[start:end]``, in order, searched in
        windows of ``HIT_WINDOW`` bytes: a region dense with literals ("CC=CC=CC=...") never
        holds more than one window's hits in memory. Windows overlap by the longest literal
        less one byte, and a hit is kept by the window it starts in, so none is lost or doubled.
        A sparse literal (``RuleSet.env_only``) comes once per window holding it, at the window's
        start."""
        prefilter, sparse = self.rules.prefilter, self.rules.env_only
        overlap = self.rules.longest_literal - 1
        view = memoryview(buf)
        for window in range(start, end, HIT_WINDOW):
            stop = min(window + HIT_WINDOW, end)
            # The window's bytes plus the overlap: every literal a line holds is reported, also
            # one that overlaps another or runs past the window's end.
            for at, literal in prefilter.find(view[window : min(stop + overlap, end)]):
                if sparse[literal]:
                    # Reported once per search: the position is the window's, which is searched
                    # again if the literal's last occurrences are needed.
                    yield literal, window
                elif window + at < stop:
                    yield literal, window + at

    def _last_occurrences(self, buf: bytes, seen: dict[int, list[int]], end: int) -> dict[int, list[int]]:
        """Per sparse literal, its last ``ENV_HITS_KEPT`` occurrences before ``end``. ``seen``
        holds the search windows each was reported in: those are searched again, the last
        first, each window once for every literal that still needs occurrences from it."""
        prefilter = self.rules.prefilter
        overlap = self.rules.longest_literal - 1
        view = memoryview(buf)
        windows = {literal: list(found) for literal, found in seen.items()}
        kept: dict[int, list[int]] = {literal: [] for literal in seen}
        while True:
            wanting = [w[-1] for literal, w in windows.items() if w and len(kept[literal]) < ENV_HITS_KEPT]
            if not wanting:
                return kept
            window = max(wanting)
            stop = min(window + HIT_WINDOW, end)
            more: dict[int, list[int]] = {}
            for literal, w in windows.items():
                if w and w[-1] == window:
                    w.pop()
                    if len(kept[literal]) < ENV_HITS_KEPT:
                        more[literal] = []
            for at, literal in prefilter.find_sparse(view[window : min(stop + overlap, end)]):
                if literal in more and window + at < stop:
                    more[literal].append(window + at)
            for literal, positions in more.items():
                kept[literal] = (positions + kept[literal])[-ENV_HITS_KEPT:]

    @staticmethod
    def _raw_line(buf: bytes, at: int, start: int, end: int) -> bytes:
        line_start = buf.rfind(b"\n", start, at) + 1 or start
        line_end = buf.find(b"\n", at, end)
        return buf[line_start : min(line_end if line_end >= 0 else end, line_start + MAX_LINE)]

    def line(self, number: int, raw: bytes, found: set[int]) -> None:
        rules = self.rules
        facts = self.scan.facts
        decoded = raw.decode("utf-8", "replace")
        has_rule = False
        for i in found:
            kinds = rules.fact_kinds[i]
            if kinds:
                facts.read(decoded, kinds)
            if rules.group_literal[i]:
                self._group(clean(raw))
            if rules.literal_targets[i]:
                has_rule = True
        if not has_rule:
            return
        text = clean(decoded)
        facts.read_paths(text)
        tried: set[tuple[int, int, str]] = set()
        matched: set[int] = set()
        for i in found:
            for look in rules.literal_targets[i]:
                key = (look.rule, look.pattern, look.role)
                if key in tried or (look.role == "anchor" and look.rule in matched):
                    continue
                tried.add(key)
                pattern = rules.rules[look.rule].patterns[look.pattern]
                if look.role == "anchor":
                    m = pattern.compiled.search(text)
                    if m is None:
                        continue
                    groups = {k: v for k, v in m.groupdict().items() if v}
                    matched.add(look.rule)
                    if pattern.next_compiled is None:
                        self.scan.add(
                            Hit(rule=look.rule, line=number, text=text, groups=groups, group=self.group)
                        )
                    elif len(self.pending) < MAX_PENDING:
                        self.pending.append(
                            _Pending(look.rule, look.pattern, number, text, groups, number + pattern.within)
                        )
                else:
                    self._complete(look.rule, look.pattern, number, text)

    def _group(self, text: str) -> None:
        title = group_title(text)
        if title is not None:
            self.group = title
            for literal, kinds in FACT_LITERALS.items():
                if literal in title:
                    self.scan.facts.read(title, kinds)
        elif is_endgroup(text):
            self.group = None

    def _complete(self, rule: int, pattern: int, number: int, text: str) -> None:
        nxt = self.rules.rules[rule].patterns[pattern].next_compiled
        assert nxt is not None
        self.pending = [p for p in self.pending if p.deadline >= number]
        for p in self.pending:
            if p.rule == rule and p.pattern == pattern and p.line < number:
                m = nxt.search(text)
                if m is None:
                    return
                groups = {**p.groups, **{k: v for k, v in m.groupdict().items() if v}}
                self.scan.add(
                    Hit(
                        rule=rule,
                        line=p.line,
                        text=p.text,
                        groups=groups,
                        extra=((number, text),),
                        group=self.group,
                    )
                )
                self.pending.remove(p)
                return


def scan(stream: BinaryIO, rules: RuleSet, *, block_size: int = BLOCK_SIZE) -> Scan:
    """One streaming pass over a log: whole-line regions of each block are scanned in place;
    the line cut by a block boundary is scanned on its own, at most ``MAX_LINE`` bytes of it."""
    scanner = _Scanner(rules)
    base = 0
    carry = b""
    skipping = False  # inside a line already cut at MAX_LINE: drop bytes up to its newline
    while True:
        chunk = stream.read(block_size)
        if not chunk:
            break
        first = chunk.find(b"\n")
        if first < 0:
            if not skipping:
                carry += chunk
                if len(carry) > MAX_LINE:
                    carry, skipping = carry[:MAX_LINE], True
            continue
        head = (carry if skipping else carry + chunk[:first]) + b"\n"
        skipping = False
        base += scanner.feed(head, 0, len(head), base)
        last = chunk.rfind(b"\n")
        if last > first:
            base += scanner.feed(chunk, first + 1, last + 1, base)
        carry = chunk[last + 1 :]
        if len(carry) > MAX_LINE:
            carry, skipping = carry[:MAX_LINE], True
    if carry:
        base += scanner.feed(carry + b"\n", 0, len(carry) + 1, base)
    scanner.scan.lines = base
    return scanner.scan


def scan_text(text: str, rules: RuleSet) -> Scan:
    import io

    return scan(io.BytesIO(text.encode("utf-8", "surrogateescape")), rules)


# ----------------------------------------------------------------------------- locations

# Every regex over log text runs in the linear-time engine: a log line is untrusted and long.
_SOURCE_POS = linear.compile(
    r"^(?P<path>(?:[A-Za-z]:)?[^\s:]*[\w.-]\.(?:go|c|h|cc|cpp|cxx|m|s|S|swig)):(?P<line>\d+)(?::(?P<col>\d+))?:"
)
# Repository roots of GitHub-hosted runners (Linux, container jobs, Windows).
_WORKSPACE_ROOTS = linear.compile(
    r"^(?:/home/runner/work/[^/]+/[^/]+/|/__w/[^/]+/[^/]+/|[A-Za-z]:[\\/]a[\\/][^\\/]+[\\/][^\\/]+[\\/])"
)
_NOT_USER_CODE = linear.compile(
    r"(?:^|/)pkg/mod/|(?:^|/)vendor/|\$GOROOT|/go/src/(?:runtime|os|net|syscall|crypto)/|^_cgo_|^gcc_"
)


def location(text: str, *, facts: Facts, prefix: str = "") -> Location | None:
    """A compiler error's position in the user's source, relative to the repository root
    (``prefix`` is the module directory's path inside it), or None when it is not the
    user's code (module cache, GOROOT, vendor) or cannot be placed."""
    m = _SOURCE_POS.match(text)
    if m is None:
        return None
    path = m.group("path").replace("\\", "/")
    workspace = facts.env.get("GITHUB_WORKSPACE", "").replace("\\", "/").rstrip("/")
    if workspace and path.startswith(workspace + "/"):
        path = path[len(workspace) + 1 :]
    else:
        root = _WORKSPACE_ROOTS.match(path)
        if root:
            path = path[root.end() :]
        elif path.startswith("/") or re.match(r"^[A-Za-z]:/", path):
            return None
        else:
            while path.startswith("./"):
                path = path[2:]
            if path.startswith("../"):
                return None
            if prefix:
                path = f"{prefix.strip('/')}/{path}"
    if _NOT_USER_CODE.search(path):
        return None
    col = m.group("col")
    return Location(path=path, line=int(m.group("line")), column=int(col) if col else None)


# ----------------------------------------------------------------------------- deciding


def _evidence(hit: Hit, facts: Facts, prefix: str) -> list[Evidence]:
    out = [
        Evidence(
            source="log",
            text=hit.text[:MAX_EVIDENCE_TEXT],
            line=hit.line,
            location=location(hit.text, facts=facts, prefix=prefix),
        )
    ]
    out.extend(Evidence(source="log", text=t[:MAX_EVIDENCE_TEXT], line=n) for n, t in hit.extra)
    return out


# What a title says for a fact the log does not show: what is known, never "?" or a guess.
_UNKNOWN = {"target": "the target", "goos": "the target's OS", "goarch": "the target's architecture"}


def _rank(rule: Rule) -> tuple[int, float]:
    return (rule.priority, rule.confidence)


# The rule for a failure line that names no cause (make, ninja, a failed step).
_UNKNOWN_FAILURE = "log.other.build-failed"


def decide(result: Scan, *, facts: Facts, rules: RuleSet, source_prefix: str = "") -> list[Finding]:
    """Findings from a scan: conditions, per-line arbitration, one finding per category."""
    facts = result.facts.merge_into(facts)
    live: dict[int, list[Hit]] = {}
    for index, hits in result.hits.items():
        rule = rules.rules[index]
        kept = [h for h in hits if holds(rule.when, facts, h.groups)]
        if kept:
            live[index] = kept
    # One line, one cause: the highest-priority rule that matched a line keeps it.
    best_on_line: dict[int, tuple[int, float]] = {}
    for index, hits in live.items():
        for h in hits:
            rank = _rank(rules.rules[index])
            if rank > best_on_line.get(h.line, (-1, -1.0)):
                best_on_line[h.line] = rank
    for index in list(live):
        rank = _rank(rules.rules[index])
        live[index] = [h for h in live[index] if best_on_line[h.line] == rank]
        if not live[index]:
            del live[index]
    # One finding per category: the highest-priority rule, then the earliest line.
    by_category: dict[str, list[int]] = {}
    for index in live:
        by_category.setdefault(rules.rules[index].category, []).append(index)
    winners: list[tuple[int, list[Hit]]] = []
    for indexes in by_category.values():
        indexes.sort(key=lambda i: (-rules.rules[i].priority, -rules.rules[i].confidence, live[i][0].line))
        hits = [h for i in indexes for h in live[i]]
        winners.append((indexes[0], hits))
    if any(not rules.rules[i].symptom for i, _ in winners):
        winners = [(i, h) for i, h in winners if not rules.rules[i].symptom]
    explained = {c for i, _ in winners for c in rules.rules[i].explains if c != rules.rules[i].category}
    winners = [(i, h) for i, h in winners if rules.rules[i].category not in explained]
    findings = []
    for index, hits in winners:
        rule = rules.rules[index]
        own = [h for h in hits if h.rule == index]
        if rule.id == _UNKNOWN_FAILURE and not any(h.rule != index for h in hits):
            # A failure no rule explains: the line that ended the build (the last one) is the
            # evidence, not the first of several failure lines above it. (A compile error keeps
            # its first line: later errors often follow from it.)
            own.reverse()
        first = own[0]
        values = fixes.situation(facts, first.groups)
        evidence: list[Evidence] = []
        seen: set[str] = set()
        shown: set[tuple[int | None, str]] = set()
        for h in own + [h for h in hits if h.rule != index]:
            if h.text in seen or len(evidence) >= EVIDENCE_PER_FINDING:
                continue
            seen.add(h.text)
            # A line is shown once, even when it is one hit's match and another's next line.
            for ev in _evidence(h, facts, source_prefix):
                if (ev.line, ev.text) not in shown:
                    shown.add((ev.line, ev.text))
                    evidence.append(ev)
        more = sum(result.counts.get(i, 0) for i in {h.rule for h in hits}) - len(seen)
        root_cause = templates.render_lenient(rule.root_cause, values, unknown="the target")
        if more > 0:
            root_cause += f" ({more} more matching line{'s' if more != 1 else ''} in the log.)"
        findings.append(
            Finding(
                rule=rule.id,
                category=rule.category,
                severity=rule.severity,
                title=templates.render_lenient(rule.title, {**_UNKNOWN, **values}, unknown="(unknown)"),
                root_cause=root_cause,
                target=str(target) if (target := facts.effective_target) else None,
                fix=fixes.build(rule.fixes, facts=facts, captured=first.groups, links=rule.links),
                evidence=tuple(evidence),
                confidence=rule.confidence,
                priority=rule.priority,
            )
        )
    findings.sort(key=Finding.sort_key)
    return findings


def diagnose_stream(
    stream: BinaryIO, *, facts: Facts, rules: RuleSet, source_prefix: str = ""
) -> list[Finding]:
    return decide(scan(stream, rules), facts=facts, rules=rules, source_prefix=source_prefix)


def diagnose_file(path: Path, *, facts: Facts, rules: RuleSet, source_prefix: str = "") -> list[Finding]:
    """Diagnose a log file (streamed: memory stays bounded for any size); a FIFO, a device or a
    directory is refused (``InputError``) before anything is read."""
    from ..boundary.read import open_regular

    with open_regular(path, what="log") as stream:
        return diagnose_stream(stream, facts=facts, rules=rules, source_prefix=source_prefix)


def diagnose_lines(
    lines: Iterable[str], *, facts: Facts, rules: RuleSet, source_prefix: str = ""
) -> list[Finding]:
    """Diagnose log lines already in memory (each one line, without its newline)."""
    import io

    data = "".join(f"{line.rstrip(chr(10))}\n" for line in lines).encode("utf-8", "surrogateescape")
    return diagnose_stream(io.BytesIO(data), facts=facts, rules=rules, source_prefix=source_prefix)
