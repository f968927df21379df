"""CPU time of diagnosing one hostile long log line, across the whole built-in rule base.

Each line holds every literal of the rule base (so every rule's regex runs on it) and a filler
repeated to the line's length, in three shapes: literals then filler, filler then literals, and
both woven over the whole line. The fillers are the ones that made backtracking regexes
quadratic (runs of word characters, separators, unterminated quotes and escape sequences,
repeated fact literals). Prints the worst and the median per line, and the total.

    python3 benchmarks/long_lines.py [--size-kb 1024]
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
from gocross_action.diagnose.rules import load_rules

FILLERS = (
    *("a", " ", "a ", "/", "a:", ":", "-", "1", ".", "a/b ", "x=", "\t", "'", '"', "é"),
    *("\x1b]", "\x1b[1", "CC='", 'GOOS="', "-extldflags ", "a.go:1:1: ", "/home/runner/work/"),
    *("Z #1 [", "go version go1 ", 'C compiler "'),
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-kb", type=int, default=1024)
    args = parser.parse_args()
    size = args.size_kb * 1024
    rules = load_rules()
    literals = " ".join(sorted(set(rules.literals)))
    scan(io.BytesIO(literals.encode() + b"\n"), rules)  # compile every pattern once
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
    worst = timings[-1]
    print(f"{len(timings)} lines of {args.size_kb} KB, {len(rules)} rules")
    print(
        f"median {timings[len(timings) // 2][0] * 1000:.0f} ms, "
        f"worst {worst[0] * 1000:.0f} ms ({worst[1]} of {worst[2]!r})"
    )
    print(f"total {sum(t for t, _, _ in timings):.2f} s of CPU")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
