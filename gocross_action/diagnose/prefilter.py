"""The literal prefilter: where every rule literal occurs in a stretch of log bytes.

Two engines give the same answer. Hyperscan (vectorised multi-literal search) reads a 100 MB log
in well under a tenth of a second; the Aho-Corasick automaton is the fallback when Hyperscan is
not installed or refuses a set of literals. Both report every occurrence, overlapping ones too,
as ``(start, literal index)`` pairs sorted by position: the order the engine reads lines in.

A *sparse* literal is one the caller first only needs to know is present: ``find`` reports it
once per search (Hyperscan stops matching it after its first match), so a literal on every line
of a log (``CGO_ENABLED=1``) costs no call per line; ``find_sparse`` then finds all of its
occurrences in the few stretches where they are wanted.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any, Protocol


class Prefilter(Protocol):
    def find(self, data: memoryview) -> list[tuple[int, int]]:
        """``(start, literal)`` of every occurrence of every literal in ``data`` (of a sparse
        literal, one of its occurrences), sorted."""
        ...

    def find_sparse(self, data: memoryview) -> list[tuple[int, int]]:
        """``(start, literal)`` of every occurrence of the sparse literals in ``data``, sorted."""
        ...


def build(literals: Sequence[bytes], *, sparse: Collection[int] = (), engine: str | None = None) -> Prefilter:
    """The fastest prefilter available for ``literals``; ``sparse`` holds the indexes of the
    sparse ones (``engine`` "hyperscan" or "aho-corasick" forces one: tests compare the two)."""
    if engine in (None, "hyperscan"):
        try:
            return HyperscanPrefilter(literals, sparse=sparse)
        except (ImportError, ValueError):
            if engine is not None:
                raise
    return AhoCorasickPrefilter(literals, sparse=sparse)


def _collect(literal: int, _start: int, end: int, _flags: int, found: list[tuple[int, int]]) -> None:
    found.append((end, literal))


class HyperscanPrefilter:
    """Every literal compiled as one Hyperscan pattern (each byte escaped: a literal is never
    read as a regex); an occurrence starts at its reported end less the literal's length."""

    def __init__(self, literals: Sequence[bytes], *, sparse: Collection[int] = ()) -> None:
        import hyperscan

        if not literals:
            raise ValueError("Hyperscan needs at least one literal")
        self._lengths = [len(t) for t in literals]
        single = frozenset(sparse)
        self._all = _compile(hyperscan, literals, range(len(literals)), single)
        self._sparse = _compile(hyperscan, literals, sorted(single), frozenset()) if single else None

    def find(self, data: memoryview) -> list[tuple[int, int]]:
        return self._scan(self._all, data)

    def find_sparse(self, data: memoryview) -> list[tuple[int, int]]:
        return self._scan(self._sparse, data) if self._sparse is not None else []

    def _scan(self, database: Any, data: memoryview) -> list[tuple[int, int]]:
        found: list[tuple[int, int]] = []
        if len(data):
            database.scan(data, match_event_handler=_collect, context=found)
        lengths = self._lengths
        hits = [(end - lengths[literal], literal) for end, literal in found]
        hits.sort()
        return hits


def _compile(hyperscan: Any, literals: Sequence[bytes], ids: Sequence[int], single: Collection[int]) -> Any:
    """A block-mode database of ``literals[i]`` for each ``i`` in ``ids`` (reported as ``i``);
    those in ``single`` are reported once per scan."""
    database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    try:
        database.compile(
            # Every byte escaped: a regex of exactly the literal's bytes (the binding's pure-literal
            # mode ends a literal at its first NUL byte).
            expressions=[b"".join(b"\\x%02x" % c for c in literals[i]) for i in ids],
            ids=list(ids),
            elements=len(ids),
            flags=[hyperscan.HS_FLAG_SINGLEMATCH if i in single else 0 for i in ids],
        )
    except hyperscan.error as exc:
        raise ValueError(f"Hyperscan refused the literals: {exc}") from None
    return database


class AhoCorasickPrefilter:
    """One Aho-Corasick DFA over every literal, searched with overlapping matches."""

    def __init__(self, literals: Sequence[bytes], *, sparse: Collection[int] = ()) -> None:
        import ahocorasick_rs

        self._sparse = frozenset(sparse)
        self._automaton = ahocorasick_rs.BytesAhoCorasick(
            list(literals), implementation=ahocorasick_rs.Implementation.DFA
        )

    def find(self, data: memoryview) -> list[tuple[int, int]]:
        kept, seen = [], set()
        for start, literal in self._every(data):
            if literal in self._sparse:
                if literal in seen:
                    continue
                seen.add(literal)
            kept.append((start, literal))
        return kept

    def find_sparse(self, data: memoryview) -> list[tuple[int, int]]:
        return [(start, literal) for start, literal in self._every(data) if literal in self._sparse]

    def _every(self, data: memoryview) -> list[tuple[int, int]]:
        found = self._automaton.find_matches_as_indexes(data, overlapping=True)
        hits = [(start, literal) for literal, start, _end in found]
        hits.sort()
        return hits
