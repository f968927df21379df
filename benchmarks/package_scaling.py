"""How `gocross check` scales with the number of packages in the module: a generated module of
up to 10,000 packages (a main package importing groups of 100 leaf packages), built for the
host (so the cgo analysis lists every package with ``go list -deps``), against a bare
`go build` of the same.

Warm build cache (one untimed run per size first), the main package changed before every timed
run. At each size prints the time of both, and gocross's own time outside ``go build`` (its wall
time minus the build's, from the report's ``environment.timings``). Linear means that time
grows at most in proportion to the packages added (the printed slope stays small and constant).

    python3 benchmarks/package_scaling.py [--sizes 1000,5000,10000] [--rounds 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from _check_run import check_env, timed_check

GROUP = 100


def make_module(directory: Path, packages: int) -> None:
    """``packages`` leaf packages in groups of 100, one group package per group, and main."""
    (directory / "go.mod").write_text("module example.com/many\n\ngo 1.22\n")
    groups = (packages + GROUP - 1) // GROUP
    for g in range(groups):
        leaves = range(g * GROUP, min(packages, (g + 1) * GROUP))
        for leaf in leaves:
            pkg = directory / "leaf" / f"l{leaf:05d}"
            pkg.mkdir(parents=True)
            (pkg / "leaf.go").write_text(f"package l{leaf:05d}\n\nfunc N() int {{ return {leaf} }}\n")
        group = directory / "group" / f"g{g:03d}"
        group.mkdir(parents=True)
        imports = "\n".join(f'\t"example.com/many/leaf/l{leaf:05d}"' for leaf in leaves)
        total = " + ".join(f"l{leaf:05d}.N()" for leaf in leaves)
        (group / "group.go").write_text(
            f"package g{g:03d}\n\nimport (\n{imports}\n)\n\nfunc Sum() int {{ return {total} }}\n"
        )
    (directory / "groups.go").write_text(
        "package main\n\nimport (\n"
        + "\n".join(f'\t"example.com/many/group/g{g:03d}"' for g in range(groups))
        + "\n)\n\nfunc sum() int { return "
        + " + ".join(f"g{g:03d}.Sum()" for g in range(groups))
        + " }\n"
    )
    change_main(directory)


def change_main(directory: Path) -> None:
    (directory / "main.go").write_text(
        f'package main\n\nimport "fmt"\n\nconst stamp = "{time.monotonic_ns()}"\n\n'
        "func main() { fmt.Println(sum(), stamp) }\n"
    )


def bare(directory: Path, env: dict[str, str]) -> float:
    started = time.monotonic()
    subprocess.run(["go", "build", "-o", "bare/many", "."], cwd=directory, env=env, check=True)
    return time.monotonic() - started


def gocross(directory: Path, env: dict[str, str]) -> tuple[float, dict[str, Any]]:
    took, data = timed_check(directory, ["linux/amd64"], env)
    if data["targets"][0]["status"] != "passed":
        raise SystemExit(f"the build failed: {data['findings'][:1]}")
    return took, data


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,5000,10000", help="numbers of packages")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="also print one JSON line of the results")
    args = parser.parse_args()
    env = check_env()
    rows = []
    print(f"cpus: {os.cpu_count()}  target: linux/amd64 (the host: cgo analysis runs)")
    for size in (int(s) for s in args.sizes.split(",")):
        # The same folder every time: the compiled packages stay in Go's cache for the next run.
        module = Path(tempfile.gettempdir()) / f"gocross-packages-{size}"
        shutil.rmtree(module, ignore_errors=True)
        module.mkdir()
        try:
            make_module(module, size)
            gocross(module, env)  # compiles the packages once (warm cache from here on)
            bares, ours, outside = [], [], []
            for _ in range(args.rounds):
                change_main(module)
                bares.append(bare(module, env))
                change_main(module)
                took, report = gocross(module, env)
                ours.append(took)
                stages = report["environment"]["timings"]["stages"]
                outside.append(took - stages["go-build"]["seconds"])
        finally:
            shutil.rmtree(module, ignore_errors=True)
        row = {
            "packages": size,
            "go_build_s": statistics.median(bares),
            "gocross_s": statistics.median(ours),
            "outside_s": statistics.median(outside),
        }
        rows.append(row)
        print(
            f"{size:6d} packages: go build {row['go_build_s']:6.2f}s  gocross {row['gocross_s']:6.2f}s  "
            f"outside go build {row['outside_s']:5.2f}s "
            f"({row['outside_s'] / size * 1000:6.3f} s per 1,000 packages)"
        )
    first, last = rows[0], rows[-1]
    # Start-up and probes are a fixed cost; what grows with the module is the slope.
    slope = (last["outside_s"] - first["outside_s"]) / (last["packages"] - first["packages"])
    print(
        f"scaling: gocross's own time outside go build is {last['outside_s']:.2f} s at "
        f"{last['packages']} packages vs {first['outside_s']:.2f} s at {first['packages']} "
        f"({slope * 1000:.3f} ms per added package); ratio to go build at {last['packages']}: "
        f"{last['gocross_s'] / last['go_build_s']:.2f}"
    )
    if args.json:
        print("JSON " + json.dumps({"rows": rows, "ms_per_added_package": slope * 1000}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
