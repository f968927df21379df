"""How the cost of reading an ELF grows with its dynamic symbol table: `inspect` touches only the
symbols bound to the highest GLIBC version (the ones that set the floor), so a 10^6-symbol file
must cost about what a 10^3-symbol one does, and the cost must follow the number of those
referenced symbols instead. Prints the median in-process CPU time per file and two scaling
figures: time(10^6 symbols) / time(10^3 symbols) with 3 referenced symbols, and the time per
referenced symbol at 10^6 symbols.

    python3 benchmarks/inspect_scaling.py [--rounds 15]

The files are written here (an ELF with .dynsym, .gnu.version and .gnu.version_r, every symbol
bound to GLIBC_2.2.5 except the referenced ones, bound to GLIBC_2.34).
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gocross_action.inspect import read  # noqa: E402
from tests.security.elf_builder import versioned  # noqa: E402

SIZES = (1_000, 10_000, 100_000, 1_000_000)
REFERENCED = (3, 30, 300, 3000)


def _median_reads(files: dict[tuple[int, int], Path], rounds: int) -> dict[tuple[int, int], float]:
    """Median CPU time of reading each file (CPU, not wall: on a shared machine a longer read is
    preempted more often), the files interleaved in a new order every round."""
    times: dict[tuple[int, int], list[float]] = {key: [] for key in files}
    for _ in range(rounds):
        for key in random.sample(list(files), len(files)):
            started = time.process_time()
            info = read(files[key])
            times[key].append(time.process_time() - started)
            assert info.error is None and info.glibc_required == "2.34", info
    return {key: statistics.median(t) for key, t in times.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="gocross-scaling-"))
    try:
        files: dict[tuple[int, int], Path] = {}
        for size in SIZES:
            files[(size, 3)] = directory / f"sym{size}-ref3"
        for referenced in REFERENCED:
            files[(SIZES[-1], referenced)] = directory / f"sym{SIZES[-1]}-ref{referenced}"
        rng = random.Random(0)
        for (size, referenced), path in files.items():
            top = sorted(rng.sample(range(1, size), referenced))
            path.write_bytes(versioned(size, top))
        read(files[(SIZES[0], 3)])  # imports
        times = _median_reads(files, args.rounds)
        for size in SIZES:
            print(f"{size:>9} symbols, 3 referenced: {times[(size, 3)] * 1000:7.2f} ms")
        for referenced in REFERENCED:
            took = times[(SIZES[-1], referenced)]
            print(f"{SIZES[-1]:>9} symbols, {referenced:>4} referenced: {took * 1000:7.2f} ms")
        growth = times[(SIZES[-1], 3)] / times[(SIZES[0], 3)]
        per_symbol = (times[(SIZES[-1], REFERENCED[-1])] - times[(SIZES[-1], REFERENCED[0])]) / (
            REFERENCED[-1] - REFERENCED[0]
        )
        print(f"scaling: time(10^6 symbols) / time(10^3 symbols) = {growth:.2f} (1000x the symbols)")
        print(f"scaling: {per_symbol * 1e6:.1f} us per referenced symbol at 10^6 symbols")
        return 0 if growth < 10 else 1
    finally:
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
