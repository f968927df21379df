"""Long log lines against every built-in rule: scanning a 1 MB line costs a bounded, small
amount of time whatever it holds (before, patterns like ``\\S+: x`` and facts regexes that
scan ahead and fail made one 64 KB line cost 17-25 s of CPU, quadratic in its length).

Each line is built to hurt: every literal of the rule base (so every rule's regex runs), then a
filler repeated to 1 MB, or the filler first, or literals and filler interleaved over the whole
line. The bound is generous (a shared 2-core machine); the quadratic cost is minutes."""

from __future__ import annotations

import io
import time

import pytest

from gocross_action.diagnose.engine import decide, scan
from gocross_action.diagnose.facts import Facts
from gocross_action.diagnose.rules import load_rules

LINE = 1 << 20
FILLERS = (
    "a",
    " ",
    "a ",
    "/",
    "a:",
    ":",
    "-",
    "1",
    ".",
    "a/b ",
    "x=",
    "\t",
    "'",
    '"',
    "\x1b]",
    "\x1b[1",
    "CC='",
    'GOOS="',
    "-extldflags ",
    "a.go:1:1: ",
    "/home/runner/work/",
    "Z #1 [",
    "go version go1 ",
    'C compiler "',
    "é",
)
RULES = load_rules()
LITERALS = " ".join(sorted(set(RULES.literals)))


def hostile_lines(filler: str) -> list[tuple[str, bytes]]:
    fill = filler * (LINE // len(filler))
    woven = (LITERALS + filler) * (LINE // (len(LITERALS) + len(filler)) + 1)
    return [
        ("literals-then-filler", (LITERALS + " " + fill)[:LINE].encode() + b"\n"),
        ("filler-then-literals", (fill + " " + LITERALS)[-LINE:].encode() + b"\n"),
        ("woven", woven[:LINE].encode() + b"\n"),
    ]


@pytest.mark.parametrize("filler", FILLERS, ids=[repr(f) for f in FILLERS])
def test_a_hostile_one_megabyte_line_is_diagnosed_in_bounded_time(filler: str) -> None:
    for shape, data in hostile_lines(filler):
        started = time.process_time()
        found = scan(io.BytesIO(data), RULES)
        decide(found, facts=Facts(), rules=RULES)
        took = time.process_time() - started
        assert found.lines == 1
        assert took < 3.0, f"{shape} of {filler!r}: {took:.2f}s of CPU"


def test_every_built_in_pattern_is_linear_on_a_long_line_of_its_own_literal() -> None:
    """Each pattern on its literal repeated over 1 MB, and on its literal followed by 1 MB of
    each filler, straight through the compiled pattern (no line cut)."""
    for rule in RULES.rules:
        for pattern in rule.patterns:
            for compiled in (pattern.compiled, pattern.next_compiled):
                if compiled is None:
                    continue
                literal = pattern.literals[0]
                texts = [literal * (LINE // len(literal))]
                texts += [literal + " " + f * (LINE // len(f)) for f in ("a", " ", "/", "a:", "-", "'")]
                started = time.process_time()
                for text in texts:
                    compiled.search(text)
                took = time.process_time() - started
                assert took < 3.0, f"{rule.id}: {compiled.pattern!r} took {took:.2f}s"
