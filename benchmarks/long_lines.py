"""CPU time of diagnosing one hostile long log line, across the whole built-in rule base.

Each line holds every literal of the rule base (so every rule's regex runs on it) and a filler
repeated to the line's length, in three shapes: literals then filler, filler then literals, and
both woven over the whole line. The fillers are the ones that made backtracking regexes
quadratic (runs of word characters, separators, unterminated quotes and escape sequences,
repeated fact literals). Prints the worst and the median per line, and the total; then the
CPU per byte at that length against shorter lines of the same shapes (1.0 = linear).

    python3 benchmarks/long_lines.py [--size-kb 1024] [--scaling-kb 64,256]
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gocross_action.diagnose.engine import decide, scan
from gocross_action.diagnose.facts import Facts
from gocross_action.diagnose.rules import RuleSet, load_rules

FILLERS = (
    *("a", " ", "a ", "/", "a:", ":", "-", "1", ".", "a/b ", "x=", "\t", "'", '"', "é"),
    *("\x1b]", "\x1b[1", "CC='", 'GOOS="', "-extldflags ", "a.go:1:1: ", "/home/runner/work/"),
    *("Z #1 [", "go version go1 ", 'C compiler "'),
)


def measure(rules: RuleSet, literals: str, size: int) -> list[tuple[float, str, str]]:
    """CPU seconds of each of the 75 lines of ``size`` bytes, with its shape and filler."""
    timings = []
    for filler in FILLERS:
        fill = filler * (size // len(filler))
        woven = (literals + filler) * (size // (len(literals) + len(filler)) + 1)
        shapes = {
            "literals+filler": (literals + " " + fill)[:size],
            "filler+literals": (fill + " " + literals)[-size:],
            "woven": woven[:size],
        }
        for shape, line in shapes.items():
            data = line.encode() + b"\n"
            started = time.process_time()
            decide(scan(io.BytesIO(data), rules), facts=Facts(), rules=rules)
            timings.append((time.process_time() - started, shape, filler))
    timings.sort()
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-kb", type=int, default=1024, help="the line length reported in detail")
    parser.add_argument(
        "--scaling-kb",
        default="64,256",
        help="smaller line lengths whose CPU per byte the detailed size is compared with ('' for none)",
    )
    args = parser.parse_args()
    rules = load_rules()
    literals = " ".join(sorted(set(rules.literals)))
    scan(io.BytesIO(literals.encode() + b"\n"), rules)  # compile every pattern once
    timings = measure(rules, literals, args.size_kb * 1024)
    worst = timings[-1]
    total = sum(t for t, _, _ in timings)
    print(f"{len(timings)} lines of {args.size_kb} KB, {len(rules)} rules")
    print(
        f"median {timings[len(timings) // 2][0] * 1000:.0f} ms, "
        f"worst {worst[0] * 1000:.0f} ms ({worst[1]} of {worst[2]!r})"
    )
    print(f"total {total:.2f} s of CPU")
    for kb in (int(k) for k in args.scaling_kb.split(",") if k.strip()):
        smaller = sum(t for t, _, _ in measure(rules, literals, kb * 1024))
        per_byte = (total / args.size_kb) / (smaller / kb)
        print(
            f"scaling: {kb} KB lines {smaller:.2f} s in all; CPU per byte at {args.size_kb} KB = "
            f"{per_byte:.2f}x that at {kb} KB (1.0 = linear)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
