"""`gocross check` vs a sequential shell loop of bare `go build`, on a pure-Go module.

Six targets (linux/amd64, linux/arm64, linux/arm, windows/amd64, darwin/arm64, freebsd/amd64),
a warm build cache, and a changed main package before every timed run (so each run compiles the
main package and links six binaries). `gocross check` runs with everything included: port
validation, probes, cgo analysis, inspection of every binary. Prints the median of each and
their ratio, which must be below 1.

    python3 benchmarks/check_speed.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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


def make_module(directory: Path) -> None:
    (directory / "internal" / "greet").mkdir(parents=True)
    (directory / "go.mod").write_text("module example.com/bench\n\ngo 1.22\n")
    (directory / "internal" / "greet" / "greet.go").write_text(GREET)
    change_main(directory)


def change_main(directory: Path) -> None:
    (directory / "main.go").write_text(MAIN.format(stamp=time.monotonic_ns()))


def bare_loop(directory: Path, env: dict[str, str]) -> float:
    lines = []
    for target in TARGETS:
        goos, goarch = target.split("/")
        lines.append(f"GOOS={goos} GOARCH={goarch} go build -o bare/bench_{goos}_{goarch} .")
    started = time.monotonic()
    subprocess.run(["bash", "-c", "set -e\n" + "\n".join(lines)], cwd=directory, env=env, check=True)
    return time.monotonic() - started


def gocross(directory: Path, env: dict[str, str]) -> float:
    argv = [sys.executable, "-m", "gocross_action.cli", "check", str(directory)]
    argv += ["--targets", ",".join(TARGETS)]
    started = time.monotonic()
    proc = subprocess.run(
        [*argv, "--format", "json", "--output", os.devnull, "--fail-on", "never"],
        env=env,
        capture_output=True,
        text=True,
    )
    took = time.monotonic() - started
    if proc.returncode != 0:
        raise SystemExit(f"gocross check failed ({proc.returncode}):\n{proc.stderr}")
    return took


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    python_path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    env = {**os.environ, "PYTHONPATH": python_path}
    env.setdefault("GOCACHE", str(Path(tempfile.gettempdir()) / "gocross-test-gocache"))
    env.pop("GITHUB_ACTIONS", None)
    with tempfile.TemporaryDirectory(prefix="gocross-bench-") as tmp:
        module = Path(tmp)
        make_module(module)
        gocross(module, env)  # warm the cache for every target (and gocross's port cache)
        bare_loop(module, env)
        bare_times, gocross_times = [], []
        for _ in range(args.rounds):
            change_main(module)
            bare_times.append(bare_loop(module, env))
            change_main(module)
            gocross_times.append(gocross(module, env))
    bare, ours = statistics.median(bare_times), statistics.median(gocross_times)
    print(f"cpus: {os.cpu_count()}  targets: {len(TARGETS)}  rounds: {args.rounds}")
    print(f"sequential go build loop: median {bare:.2f}s  ({', '.join(f'{t:.2f}' for t in bare_times)})")
    print(f"gocross check:            median {ours:.2f}s  ({', '.join(f'{t:.2f}' for t in gocross_times)})")
    print(f"ratio gocross/loop: {ours / bare:.2f}")
    return 0 if ours < bare else 1


if __name__ == "__main__":
    raise SystemExit(main())
