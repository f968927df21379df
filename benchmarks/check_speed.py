"""`gocross check` vs a sequential shell loop of bare `go build`, and vs GoReleaser, on a pure-Go module.

Six targets (linux/amd64, linux/arm64, linux/arm, windows/amd64, darwin/arm64, freebsd/amd64),
a warm build cache, and a changed main package before every timed run (so each run compiles the
main package and links six binaries). All three build with the same ``-ldflags`` (``-s -w``).
`gocross check` runs with everything included: port validation, probes, cgo analysis,
inspection of every binary. The GoReleaser column (``goreleaser build --snapshot --clean``,
parallel like gocross) is measured when a ``goreleaser`` binary is on PATH; install it with

    GOBIN=$PWD/.cache/tools/bin go install github.com/goreleaser/goreleaser/v2@v2.17.0

(v2.17 builds with Go 1.26) and put that folder on PATH (or pass ``--goreleaser PATH``).
The three are interleaved round by round, the rounds going through every order of the three in
turn (every six rounds each one has run before and after each other one as often), so that
none gains from running after a particular other one; the figures are medians,
the ratios those of the medians, and the spread of the per-round ratios is printed beside them.
gocross runs from a clean virtual environment (``_installed.python``: what ``pipx install``
gives, without this machine's own ``.pth`` hooks). Prints per-stage timings of gocross's own
work from the report (``environment.timings``) and, with ``--json``, one machine-readable line
for ``benchmarks/run_all.py``. Exits 1 when gocross is not below the loop (ratio >= 1).

    python3 benchmarks/check_speed.py [--rounds 12] [--goreleaser PATH] [--json]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from _check_run import check_env, timed_check
from _installed import python

TARGETS = ("linux/amd64", "linux/arm64", "linux/arm", "windows/amd64", "darwin/arm64", "freebsd/amd64")
ROOT = Path(__file__).resolve().parent.parent

MAIN = """package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"

	"example.com/bench/internal/greet"
)

const build = "{stamp}"

func main() {{
	name := flag.String("name", "world", "who to greet")
	serve := flag.Bool("serve", false, "serve the greeting over HTTP")
	flag.Parse()
	if *serve {{
		http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {{
			_ = json.NewEncoder(w).Encode(map[string]string{{"greeting": greet.Hello(*name)}})
		}})
		_ = http.ListenAndServe(":8080", nil)
		return
	}}
	fmt.Fprintln(os.Stdout, greet.Hello(*name), build)
}}
"""

GREET = """package greet

import "strings"

// Hello greets someone.
func Hello(name string) string { return "hello, " + strings.TrimSpace(name) }
"""


LDFLAGS = "-s -w"

GORELEASER = """version: 2
project_name: bench
builds:
  - id: bench
    main: .
    binary: bench
    ldflags: ["{ldflags}"]
    targets: [{targets}]
"""

# GoReleaser's names for the same ports, with the Go defaults spelled out (GOAMD64=v1,
# GOARM64=v8.0, GOARM=7 are what a bare go build uses, so the build cache entries are shared).
GORELEASER_TARGETS = {
    "linux/amd64": "linux_amd64_v1",
    "linux/arm64": "linux_arm64_v8.0",
    "linux/arm": "linux_arm_7",
    "windows/amd64": "windows_amd64_v1",
    "darwin/arm64": "darwin_arm64_v8.0",
    "freebsd/amd64": "freebsd_amd64_v1",
}


def make_module(directory: Path, with_git: bool = False) -> None:
    (directory / "internal" / "greet").mkdir(parents=True)
    (directory / "go.mod").write_text("module example.com/bench\n\ngo 1.22\n")
    (directory / "internal" / "greet" / "greet.go").write_text(GREET)
    (directory / "gocross.yml").write_text(f'build:\n  ldflags: "{LDFLAGS}"\n')
    targets = ", ".join(GORELEASER_TARGETS[t] for t in TARGETS)
    (directory / ".goreleaser.yaml").write_text(GORELEASER.format(ldflags=LDFLAGS, targets=targets))
    (directory / ".gitignore").write_text("dist/\nbare/\n.gocross/\n")
    change_main(directory)
    if with_git:  # GoReleaser reads the commit even for a snapshot
        git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com"]
        subprocess.run([*git, "init", "-q"], cwd=directory, check=True)
        subprocess.run([*git, "add", "-A"], cwd=directory, check=True)
        subprocess.run([*git, "commit", "-qm", "bench"], cwd=directory, check=True)


def change_main(directory: Path) -> None:
    (directory / "main.go").write_text(MAIN.format(stamp=time.monotonic_ns()))


def bare_loop(directory: Path, env: dict[str, str]) -> float:
    lines = []
    for target in TARGETS:
        goos, goarch = target.split("/")
        lines.append(
            f"GOOS={goos} GOARCH={goarch} go build -ldflags='{LDFLAGS}' -o bare/bench_{goos}_{goarch} ."
        )
    started = time.monotonic()
    subprocess.run(["bash", "-c", "set -e\n" + "\n".join(lines)], cwd=directory, env=env, check=True)
    return time.monotonic() - started


def gocross(directory: Path, env: dict[str, str]) -> tuple[float, dict[str, float]]:
    """Wall time, and the report's per-stage seconds."""
    took, data = timed_check(directory, TARGETS, env)
    timings = data["environment"].get("timings") or {}
    stages = {name: s["seconds"] for name, s in (timings.get("stages") or {}).items()}
    return took, stages


def goreleaser(directory: Path, env: dict[str, str], binary: str) -> float:
    started = time.monotonic()
    proc = subprocess.run(
        [binary, "build", "--snapshot", "--clean"], cwd=directory, env=env, capture_output=True, text=True
    )
    took = time.monotonic() - started
    if proc.returncode != 0:
        raise SystemExit(f"goreleaser build failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}")
    return took


def _fmt(times: list[float]) -> str:
    return ", ".join(f"{t:.2f}" for t in times)


def _spread(ours: list[float], theirs: list[float]) -> str:
    """The ratios of one round's runs: lowest, median, highest."""
    ratios = sorted(a / b for a, b in zip(ours, theirs, strict=True))
    return f"{ratios[0]:.2f} to {ratios[-1]:.2f}, median {statistics.median(ratios):.2f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--goreleaser", metavar="PATH", help="the goreleaser binary (default: from PATH)")
    parser.add_argument("--json", action="store_true", help="also print one JSON line of the results")
    args = parser.parse_args()
    env = check_env()
    releaser = (
        args.goreleaser
        or shutil.which("goreleaser")
        or shutil.which("goreleaser", path=str(ROOT / ".cache" / "tools" / "bin"))
    )
    with tempfile.TemporaryDirectory(prefix="gocross-bench-") as tmp:
        module = Path(tmp)
        make_module(module, with_git=releaser is not None)
        gocross(module, env)  # warm the cache for every target (and gocross's port cache)
        bare_loop(module, env)
        if releaser:
            goreleaser(module, env, releaser)
        bare_times: list[float] = []
        gocross_times: list[float] = []
        releaser_times: list[float] = []
        stage_runs: list[dict[str, float]] = []

        def run_gocross() -> None:
            took, stages = gocross(module, env)
            gocross_times.append(took)
            stage_runs.append(stages)

        contenders = [lambda: bare_times.append(bare_loop(module, env)), run_gocross]
        if releaser:
            contenders.append(lambda: releaser_times.append(goreleaser(module, env, releaser)))
        orders = list(itertools.permutations(contenders))
        for round_number in range(args.rounds):
            for contender in orders[round_number % len(orders)]:
                change_main(module)
                contender()
    bare, ours = statistics.median(bare_times), statistics.median(gocross_times)
    stage_medians = {
        name: statistics.median(run.get(name, 0.0) for run in stage_runs)
        for name in dict.fromkeys(n for run in stage_runs for n in run)
    }
    print(f"cpus: {os.cpu_count()}  targets: {len(TARGETS)}  rounds: {args.rounds}  ldflags: {LDFLAGS}")
    print(f"gocross runs with: {python()}")
    print(f"sequential go build loop: median {bare:.2f}s  ({_fmt(bare_times)})")
    print(f"gocross check:            median {ours:.2f}s  ({_fmt(gocross_times)})")
    result: dict[str, object] = {"loop_s": bare, "gocross_s": ours, "ratio_loop": ours / bare}
    if releaser_times:
        theirs = statistics.median(releaser_times)
        print(f"goreleaser build:         median {theirs:.2f}s  ({_fmt(releaser_times)})")
        result.update(goreleaser_s=theirs, ratio_goreleaser=ours / theirs)
    else:
        print("goreleaser build:         not measured (no goreleaser on PATH)")
    print("gocross stages (median s; go-build sums the builds' own time over threads):")
    for name, seconds in stage_medians.items():
        print(f"  {name:<14} {seconds:6.3f}")
    print(f"ratio gocross/loop: {ours / bare:.2f}  (per round: {_spread(gocross_times, bare_times)})")
    if releaser_times:
        theirs = statistics.median(releaser_times)
        spread = _spread(gocross_times, releaser_times)
        print(f"ratio gocross/goreleaser: {ours / theirs:.2f}  (per round: {spread})")
    result["stages"] = stage_medians
    if args.json:
        print("JSON " + json.dumps(result))
    return 0 if ours < bare else 1


if __name__ == "__main__":
    raise SystemExit(main())
