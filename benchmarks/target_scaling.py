"""How `gocross check` scales with the number of targets: up to all 47 ports `go tool dist list`
prints (pure Go, a small module), against a sequential loop of the same bare `go build`s.

Warm build cache (one untimed run first), the main package changed before every timed run. At
each size (the first N ports, spread over the list) prints the time per target of both and
gocross's own overhead per target (its wall time minus the builds' own time, from the report's
``environment.timings``). Linear means the per-target figures stay flat as N grows. Ports a
pure-Go build cannot produce here (e.g. ios needs cgo for external linking) are left out after
the warm-up run, and named.

    python3 benchmarks/target_scaling.py [--sizes 6,16,47] [--rounds 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from _check_run import check_env, timed_check

MAIN = """package main

import "os"

const stamp = "{stamp}"

func main() {{ os.Stdout.WriteString("hello " + stamp + "\\n") }}
"""


def ports(env: dict[str, str]) -> list[str]:
    out = subprocess.run(["go", "tool", "dist", "list"], env=env, capture_output=True, text=True, check=True)
    return out.stdout.split()


def spread(items: list[str], n: int) -> list[str]:
    """``n`` items taken evenly over the list (all of them when n >= len)."""
    if n >= len(items):
        return list(items)
    step = len(items) / n
    return [items[int(i * step)] for i in range(n)]


def change_main(directory: Path) -> None:
    (directory / "main.go").write_text(MAIN.format(stamp=time.monotonic_ns()))


def loop(directory: Path, targets: list[str], env: dict[str, str]) -> float:
    started = time.monotonic()
    for target in targets:
        goos, goarch = target.split("/")
        out = directory / "bare" / f"t_{goos}_{goarch}"
        subprocess.run(
            ["go", "build", "-o", str(out), "."],
            cwd=directory,
            env={**env, "GOOS": goos, "GOARCH": goarch},
            check=True,
            capture_output=True,
        )
    return time.monotonic() - started


def gocross(directory: Path, targets: list[str], env: dict[str, str]) -> tuple[float, dict[str, Any]]:
    return timed_check(directory, targets, env)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="6,16,47", help="numbers of targets (default 6,16,47)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="also print one JSON line of the results")
    args = parser.parse_args()
    env = check_env({"CGO_ENABLED": "0"})
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = []
    with tempfile.TemporaryDirectory(prefix="gocross-targets-") as tmp:
        module = Path(tmp)
        (module / "go.mod").write_text("module example.com/targets\n\ngo 1.22\n")
        change_main(module)
        every = ports(env)
        _, warm = gocross(module, every, env)  # warms the cache; tells which ports build here
        buildable = [t["target"] for t in warm["targets"] if t["status"] == "passed"]
        left_out = [t for t in every if t not in buildable]
        print(f"cpus: {os.cpu_count()}  ports: {len(every)}  pure-Go buildable here: {len(buildable)}")
        if left_out:
            print(f"left out (a pure-Go build fails here): {', '.join(left_out)}")
        for size in sizes:
            targets = spread(buildable, size)
            loop(module, targets, env)
            loops, ours, overheads = [], [], []
            for _ in range(args.rounds):
                change_main(module)
                loops.append(loop(module, targets, env))
                change_main(module)
                took, report = gocross(module, targets, env)
                ours.append(took)
                stages = report["environment"]["timings"]["stages"]
                overheads.append(took - stages["builds-wall"]["seconds"])
            n = len(targets)
            row = {
                "targets": n,
                "loop_s": statistics.median(loops),
                "gocross_s": statistics.median(ours),
                "overhead_s": statistics.median(overheads),
            }
            rows.append(row)
            print(
                f"{n:3d} targets: loop {row['loop_s']:6.2f}s ({row['loop_s'] / n * 1000:5.0f} ms/target)  "
                f"gocross {row['gocross_s']:6.2f}s ({row['gocross_s'] / n * 1000:5.0f} ms/target, "
                f"ratio {row['gocross_s'] / row['loop_s']:.2f})  "
                f"outside the builds {row['overhead_s']:5.2f}s "
                f"({row['overhead_s'] / n * 1000:4.0f} ms/target)"
            )
    first, last = rows[0], rows[-1]
    growth = (last["gocross_s"] / last["targets"]) / (first["gocross_s"] / first["targets"])
    print(
        f"scaling: gocross time per target at {last['targets']} targets is {growth:.2f}x "
        f"that at {first['targets']} (1.0 = linear); ratio to the loop at {last['targets']}: "
        f"{last['gocross_s'] / last['loop_s']:.2f}"
    )
    if args.json:
        print("JSON " + json.dumps({"rows": rows, "per_target_growth": growth}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
