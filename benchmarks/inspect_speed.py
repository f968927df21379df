"""How long one `gocross inspect` call takes on a release-sized set of real binaries, against what
it replaces: `readelf -lVdW` plus `go version -m` on each file, and a LIEF script reading the same
facts (architecture, linkage, needed libraries, GLIBC floor). Prints the medians of interleaved
rounds and the ratios (< 1 means gocross is faster), interpreter start-up included (and, for
reference, what `python3 -c pass` costs alone), the peak memory of the gocross run, and
in-process timings of reading the set sequentially, on threads or on forked processes. gocross
runs from compiled bytecode, as an installed package does.

    python3 benchmarks/inspect_speed.py [--rounds 11] [--keep DIR]

The set (38 files): a Go command-line program (JSON, regexp, templates, compression, structured
logging, and 12 MB of embedded data as releases embed web assets) built for 23 GOOS/GOARCH
platforms; cgo binaries of 6 Debian
architectures (Debian's own fzf packages for arm64, armhf, i386, ppc64el and s390x from
.ci/setup.d/30-inspect-fixtures.sh, and the program built with cgo on this amd64 Debian); a
universal macOS binary (llvm-lipo), cgo builds for mingw (PE), musl, static glibc and PIE; `-s -w`
builds for three formats. Files whose tool is missing (a cross compiler, llvm-lipo) are left out
and the count says so. The LIEF column needs `pip install lief` and is skipped without it.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _installed import as_installed

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / ".cache" / "inspect-fixtures" / "bin"
PLATFORMS = (
    "linux/amd64",
    "linux/386",
    "linux/arm",
    "linux/arm64",
    "linux/ppc64",
    "linux/ppc64le",
    "linux/s390x",
    "linux/riscv64",
    "linux/mips",
    "linux/mips64le",
    "linux/loong64",
    "freebsd/amd64",
    "freebsd/arm64",
    "netbsd/amd64",
    "openbsd/arm64",
    "dragonfly/amd64",
    "illumos/amd64",
    "solaris/amd64",
    "aix/ppc64",
    "windows/amd64",
    "windows/arm64",
    "darwin/amd64",
    "darwin/arm64",
)
# name -> (C compiler or None, env, extra flags)
CGO = {
    "cgo-glibc-linux-amd64": ("gcc", {"GOOS": "linux", "GOARCH": "amd64"}, ()),
    "cgo-glibc-static-linux-amd64": (
        "gcc",
        {"GOOS": "linux", "GOARCH": "amd64"},
        ("-ldflags", "-linkmode external -extldflags -static"),
    ),
    "cgo-musl-linux-amd64": ("musl-gcc", {"GOOS": "linux", "GOARCH": "amd64"}, ()),
    "cgo-mingw-windows-amd64.exe": ("x86_64-w64-mingw32-gcc", {"GOOS": "windows", "GOARCH": "amd64"}, ()),
    "cgo-glibc-pie-linux-amd64": ("gcc", {"GOOS": "linux", "GOARCH": "amd64"}, ("-buildmode=pie",)),
    "stripped-linux-amd64": (None, {"GOOS": "linux", "GOARCH": "amd64"}, ("-ldflags", "-s -w")),
    "stripped-linux-arm64": (None, {"GOOS": "linux", "GOARCH": "arm64"}, ("-ldflags", "-s -w")),
    "stripped-windows-amd64.exe": (None, {"GOOS": "windows", "GOARCH": "amd64"}, ("-ldflags", "-s -w")),
    "stripped-darwin-arm64": (None, {"GOOS": "darwin", "GOARCH": "arm64"}, ("-ldflags", "-s -w")),
}
IMPORTS = (
    "compress/gzip",
    "crypto/sha256",
    "encoding/json",
    "flag",
    "log/slog",
    "net/url",
    "os/signal",
    "regexp",
    "text/template",
)
SOURCE = (
    'package main\n\nimport (\n\t_ "embed"\n'
    + "".join(f'\t_ "{p}"\n' for p in IMPORTS)
    + ")\n\n//go:embed assets.bin\nvar assets []byte\n\nfunc main() { println(len(assets)) }\n"
)
ASSETS_MB = 12
LIEF_SCRIPT = r"""
import re, sys
import lief
lief.logging.disable()
for path in sys.argv[1:]:
    binary = lief.parse(path)
    if binary is None:
        continue
    if isinstance(binary, lief.ELF.Binary):
        arch = binary.header.machine_type
        linkage = "dynamic" if binary.has_interpreter or binary.libraries else "static"
        floor = None
        for need in binary.symbols_version_requirement:
            for aux in need.get_auxiliary_symbols():
                m = re.match(r"GLIBC_(\d+)\.(\d+)", aux.name)
                if m and (floor is None or (int(m[1]), int(m[2])) > floor):
                    floor = (int(m[1]), int(m[2]))
    elif isinstance(binary, lief.PE.Binary):
        arch, linkage, floor = binary.header.machine, None, None
    else:
        arch, linkage, floor = binary.header.cpu_type, None, None
    print(path, arch, linkage, list(binary.libraries), floor)
"""


def _go_build(module: Path, out: Path, env: dict[str, str], flags: tuple[str, ...] = ()) -> Path | None:
    cache = os.environ.get("GOCACHE") or str(Path(tempfile.gettempdir()) / "gocross-test-gocache")
    full = {**os.environ, "CGO_ENABLED": "0", "GOCACHE": cache, "GOFLAGS": "", **env}
    done = subprocess.run(
        ["go", "build", "-o", str(out), *flags, "."], cwd=module, env=full, capture_output=True
    )
    if done.returncode != 0:
        print(
            f"  left out {out.name}: {done.stderr.decode(errors='replace').strip()[-200:]}", file=sys.stderr
        )
        return None
    return out


def _lipo() -> str | None:
    found = shutil.which("llvm-lipo")
    candidates = sorted(Path("/usr/bin").glob("llvm-lipo-*"))
    return found or (str(candidates[-1]) if candidates else None)


def collect(directory: Path) -> list[Path]:
    """Build (or reuse, under --keep) the set; returns its files."""
    module = directory / "big"
    module.mkdir(parents=True, exist_ok=True)
    (module / "go.mod").write_text("module example.com/big\n\ngo 1.22\n")
    (module / "main.go").write_text(SOURCE)
    if not (module / "assets.bin").exists():
        (module / "assets.bin").write_bytes(random.Random(0).randbytes(ASSETS_MB << 20))
    files: list[Path] = []
    for platform in PLATFORMS:
        goos, goarch = platform.split("/")
        out = directory / f"big-{goos}-{goarch}{'.exe' if goos == 'windows' else ''}"
        built = out if out.exists() else _go_build(module, out, {"GOOS": goos, "GOARCH": goarch})
        files += [built] if built else []
    files += sorted(FIXTURES.glob("fzf-*")) if FIXTURES.is_dir() else []
    for name, (cc, env, flags) in CGO.items():
        out = directory / name
        if not out.exists():
            if cc is not None and shutil.which(cc) is None:
                print(f"  left out {name}: {cc} is not installed", file=sys.stderr)
                continue
            extra = {"CGO_ENABLED": "1", "CC": cc} if cc else {}
            if _go_build(module, out, {**env, **extra}, flags) is None:
                continue
        files.append(out)
    universal = directory / "big-darwin-universal"
    tool = _lipo()
    thin = [directory / "big-darwin-amd64", directory / "big-darwin-arm64"]
    if not universal.exists() and tool and all(p.exists() for p in thin):
        subprocess.run([tool, "-create", *map(str, thin), "-output", str(universal)], check=True)
    files += [universal] if universal.exists() else []
    return files


def timed(commands: list[list[str]]) -> tuple[float, float]:
    """Wall time and CPU time (user + system of the child processes) of running ``commands``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    for command in commands:
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _peak_rss_mb(command: list[str]) -> float:
    """Peak RSS of one gocross run, measured inside a fresh child process."""
    probe = (
        "import resource, subprocess, sys; subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run([sys.executable, "-c", probe, *command], capture_output=True, text=True, check=True)
    return int(out.stdout.strip()) / 1024


def _in_process(files: list[str], rounds: int) -> None:
    """Reading the set in one process: sequentially, on 2 and 4 threads, and on 2 forked worker
    processes (pool start-up included), medians of interleaved rounds."""
    sys.path.insert(0, str(ROOT))
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

    from gocross_action.inspect import read

    paths = [Path(f) for f in files]
    results: dict[str, list[float]] = {"sequential": [], "2 threads": [], "4 threads": [], "2 processes": []}
    for _ in range(rounds):
        for label in random.sample(list(results), len(results)):
            started = time.perf_counter()
            if label == "sequential":
                for path in paths:
                    read(path)
            elif label == "2 processes":
                with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("fork")) as processes:
                    list(processes.map(read, paths))
            else:
                with ThreadPoolExecutor(max_workers=int(label[0])) as pool:
                    list(pool.map(read, paths))
            results[label].append(time.perf_counter() - started)
    for label, times in results.items():
        print(f"reading the set in one process, {label}: {statistics.median(times) * 1000:.1f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=11, help="interleaved rounds (default 11)")
    parser.add_argument("--keep", metavar="DIR", help="build into DIR and keep it (reused when present)")
    args = parser.parse_args()
    as_installed(os.environ)  # the tools timed here inherit it
    directory = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="gocross-bench-"))
    try:
        files = [str(p) for p in collect(directory)]
        sizes = [Path(f).stat().st_size / 1e6 for f in files]
        print(
            f"{len(files)} binaries, {min(sizes):.1f}-{max(sizes):.1f} MB each, {sum(sizes):.0f} MB in total"
        )
        env_cli = [sys.executable, "-m", "gocross_action.cli", "inspect", "--format", "json", *files]
        sides: dict[str, list[list[str]]] = {
            "gocross inspect (one process)": [env_cli],
            "readelf -lVdW + go version -m per file": [
                c for f in files for c in (["readelf", "-lVdW", f], ["go", "version", "-m", f])
            ],
        }
        # Not a competitor: the interpreter starting and exiting (its site-packages' .pth files
        # included), the part of gocross's time that no change to gocross can remove.
        interpreter = "python3 -c pass (the interpreter's own start-up)"
        sides[interpreter] = [[sys.executable, "-c", "pass"]]
        try:
            import lief  # noqa: F401

            sides["LIEF script (one process)"] = [[sys.executable, "-c", LIEF_SCRIPT, *files]]
        except ImportError:
            print("LIEF is not installed (pip install lief): its column is skipped")
        for commands in sides.values():
            timed(commands)  # warm the page cache for every side
        walls: dict[str, list[float]] = {name: [] for name in sides}
        cpus: dict[str, list[float]] = {name: [] for name in sides}
        for _ in range(args.rounds):
            for name in random.sample(list(sides), len(sides)):
                wall, cpu = timed(sides[name])
                walls[name].append(wall)
                cpus[name].append(cpu)
        wall_of = {name: statistics.median(t) for name, t in walls.items()}
        cpu_of = {name: statistics.median(t) for name, t in cpus.items()}
        for name in sides:
            print(f"{name}: {wall_of[name]:.3f} s wall, {cpu_of[name]:.3f} s CPU (medians of {args.rounds})")
        ours, tools = "gocross inspect (one process)", "readelf -lVdW + go version -m per file"
        lief_name = "LIEF script (one process)"
        for label, of in (("wall", wall_of), ("CPU", cpu_of)):
            print(f"ratio gocross/readelf+go, {label}: {of[ours] / of[tools]:.2f} (goal <= 0.5)")
            if lief_name in of:
                print(f"ratio gocross/LIEF, {label}: {of[ours] / of[lief_name]:.2f} (goal <= 0.2)")
        beyond = (cpu_of[ours] - cpu_of[interpreter]) * 1000
        print(
            f"gocross beyond the interpreter's start-up: {beyond:.0f} ms CPU (the start-up itself: "
            f"{cpu_of[interpreter] * 1000:.0f} ms, site-packages' .pth files included)"
        )
        print(f"peak RSS of gocross (max over child processes): {_peak_rss_mb(env_cli):.0f} MB")
        _in_process(files, args.rounds)
        ok = wall_of[ours] <= 0.5 * wall_of[tools] and wall_of[ours] <= 0.2 * wall_of.get(lief_name, 1e9)
        return 0 if ok else 1
    finally:
        if not args.keep:
            shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
