"""Run every benchmark in `benchmarks/` in one go and print the README's performance table.

Each script runs alone (one after the other: they time things, and the machine has few cores),
with its own defaults. Its figure is read from what it prints: the scripts this file knows have a
row below (what is measured, and how to phrase the figure); any other script gets a row from its
docstring's first line and the lines of its output that name a ratio, an accuracy or a scaling.
A script that fails without printing a figure gets "failed" and its last line.

    python3 benchmarks/run_all.py                  # print the Markdown table
    python3 benchmarks/run_all.py --only check_speed,target_scaling
    python3 benchmarks/run_all.py --write-readme   # and put it in README.md (### Measured)

The README's table sits between ``<!-- measured -->`` and ``<!-- /measured -->``;
``scripts/measured_table.py`` rewrites it from this output.
"""

from __future__ import annotations

import argparse
import ast
import re
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
HEADER = "| What | Script | Measured here |\n|---|---|---|\n"


@dataclass(frozen=True, kw_only=True)
class Row:
    what: str
    figure: Callable[[str], str | None]


def _search(pattern: str, text: str) -> re.Match[str] | None:
    matches = list(re.finditer(pattern, text, re.MULTILINE))
    return matches[-1] if matches else None


def _accuracy(out: str) -> str | None:
    m = _search(r"^accuracy: (.+)$", out)
    return m.group(1).strip() if m else None


def _diagnose(out: str) -> str | None:
    m = _search(r"^ratio: ([\d.]+)x", out)
    return f"{m.group(1)}x grep's time" if m else None


def _inspect(out: str) -> str | None:
    cpu = _search(r"^ratio gocross/readelf\+go, CPU: ([\d.]+)", out)
    wall = _search(r"^ratio gocross/readelf\+go, wall: ([\d.]+)", out)
    if not cpu or not wall:
        return None
    ours = _search(r"^gocross inspect \(one process\): [\d.]+ s wall, ([\d.]+) s CPU", out)
    tools = _search(r"^readelf -lVdW \+ go version -m per file: [\d.]+ s wall, ([\d.]+) s CPU", out)
    figure = f"{cpu.group(1)} of the tools' CPU time"
    if ours and tools:
        figure += f" ({ours.group(1)} s vs {tools.group(1)} s)"
    figure += f", {wall.group(1)} of their wall time"
    lief = _search(r"^ratio gocross/LIEF, CPU: ([\d.]+)", out)
    if lief:
        figure += f"; {lief.group(1)} of LIEF's CPU time"
    start = _search(
        r"^gocross beyond the interpreter's start-up: (\d+) ms CPU \(the start-up itself: (\d+) ms", out
    )
    if start:
        figure += (
            f"; {start.group(2)} ms of it is the interpreter's own start-up, {start.group(1)} ms gocross's"
        )
    peak = _search(r"peak RSS[^:]*: (\d+) MB", out)
    return figure + (f"; {peak.group(1)} MB peak memory" if peak else "")


def _check(out: str) -> str | None:
    m = _search(r"^ratio gocross/loop: ([\d.]+)", out)
    if not m:
        return None
    figure = f"{m.group(1)} of the loop's time"
    releaser = _search(r"^ratio gocross/goreleaser: ([\d.]+)(?:  \(per round: ([\d.]+) to ([\d.]+)\b)?", out)
    if releaser:
        figure += f"; {releaser.group(1)} of GoReleaser's"
        if releaser.group(2):
            figure += f" (per round {releaser.group(2)}-{releaser.group(3)})"
    else:
        figure += "; GoReleaser not measured (not on PATH)"
    return figure


def _targets(out: str) -> str | None:
    m = _search(
        r"^scaling: gocross time per target at (\d+) targets is ([\d.]+)x that at (\d+).*?: ([\d.]+)$", out
    )
    if not m:
        return None
    big, growth, small, ratio = m.groups()
    return (
        f"time per target at {big} targets = {growth}x that at {small} (1.0 = linear); "
        f"{ratio} of the loop's time"
    )


def _packages(out: str) -> str | None:
    m = _search(
        r"^scaling: gocross's own time outside go build is ([\d.]+) s at (\d+) packages vs ([\d.]+) s "
        r"at (\d+) \(([-\d.]+) ms per added package\); ratio to go build at \d+: ([\d.]+)$",
        out,
    )
    if not m:
        return None
    big_s, big, small_s, small, slope, ratio = m.groups()
    return (
        f"own time outside go build {small_s} s at {small} packages, {big_s} s at {big} "
        f"({slope} ms per added package); {ratio}x a bare go build at {big}"
    )


ROWS: dict[str, Row] = {
    "corpus_accuracy": Row(
        what=(
            "diagnosis accuracy on the 46 labelled logs in `../shared/corpus/logs` (a development set: the "
            "rules were written while reading it, so expect less on logs it has not seen)"
        ),
        figure=_accuracy,
    ),
    "diagnose_speed": Row(
        what="`gocross diagnose` on a 100 MB `go build -x` log vs `grep -E -c -f grep-patterns.txt`",
        figure=_diagnose,
    ),
    "inspect_speed": Row(
        what=(
            "`gocross inspect` of 38 binaries (23 Go platforms, Debian's cgo builds for 6 architectures, "
            "universal Mach-O, mingw PE, musl, static glibc, PIE, stripped; 3-32 MB, 554 MB in all) vs "
            "`readelf -lVdW` + `go version -m` per file, and vs a LIEF script (arch, linkage, needed, GLIBC "
            "floor); medians of 11 interleaved rounds"
        ),
        figure=_inspect,
    ),
    "check_speed": Row(
        what=(
            "`gocross check` of six targets (warm cache, changed main package, same `-ldflags`) vs a loop "
            "of six `go build`, and vs GoReleaser v2.17 `build --snapshot --clean`"
        ),
        figure=_check,
    ),
    "target_scaling": Row(
        what="`gocross check` of 6, 16 and every buildable one of the 47 `go tool dist list` ports, pure Go",
        figure=_targets,
    ),
    "package_scaling": Row(
        what="`gocross check` of a generated module of 1,000, 5,000 and 10,000 packages (host target)",
        figure=_packages,
    ),
}


def _docstring_line(script: Path) -> str:
    try:
        doc = ast.get_docstring(ast.parse(script.read_text(encoding="utf-8"))) or ""
    except (OSError, SyntaxError, ValueError):
        doc = ""
    return doc.splitlines()[0].strip() if doc else script.stem


def _generic(out: str) -> str | None:
    lines = [line.strip() for line in out.splitlines() if re.search(r"ratio|accuracy|scaling", line)]
    return "; ".join(lines[-2:]) or None


def scripts(only: set[str] | None = None) -> list[Path]:
    """Every benchmark script in this folder, the known ones first in table order."""
    found = {p.stem: p for p in HERE.glob("*.py") if p.stem != "run_all" and not p.stem.startswith("_")}
    names = [n for n in ROWS if n in found] + sorted(n for n in found if n not in ROWS)
    return [found[n] for n in names if only is None or n in only]


def cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def row_for(script: Path, out: str, code: int) -> str:
    """One Markdown table row for a script's output and exit code."""
    known = ROWS.get(script.stem)
    what = known.what if known else _docstring_line(script)
    figure = (known.figure if known else _generic)(out)
    if figure is None:
        last = next((line for line in reversed(out.splitlines()) if line.strip()), "no output")
        figure = f"failed (exit {code}): {last}"
    return f"| {cell(what)} | `python3 benchmarks/{script.name}` | {cell(figure)} |"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", metavar="NAMES", help="comma-separated script names (without .py)")
    parser.add_argument("--write-readme", action="store_true", help="rewrite the README's measured table")
    args = parser.parse_args()
    only = {n.strip().removesuffix(".py") for n in args.only.split(",")} if args.only else None
    rows = []
    for script in scripts(only):
        print(f"== {script.name}", file=sys.stderr, flush=True)
        started = time.monotonic()
        proc = subprocess.run(
            [sys.executable, str(script)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        sys.stderr.write(proc.stdout)
        print(
            f"== {script.name}: exit {proc.returncode} in {time.monotonic() - started:.0f} s", file=sys.stderr
        )
        rows.append(row_for(script, proc.stdout, proc.returncode))
    table = HEADER + "\n".join(rows) + "\n"
    sys.stdout.write(table)
    if args.write_readme:
        import runpy

        writer = runpy.run_path(str(ROOT / "scripts" / "measured_table.py"))
        writer["write_readme"](ROOT / "README.md", table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
