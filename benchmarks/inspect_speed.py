"""How long `gocross inspect` takes on a release-sized set of binaries, against what it replaces:
`readelf -lVdW` plus `go version -m` on each file. Prints both wall times and their ratio (< 1
means gocross is faster), interpreter start-up included, and the peak memory of the gocross run.

    python3 benchmarks/inspect_speed.py [--copies 4] [--keep DIR]

It builds one large Go program (much of the standard library, with symbols and DWARF: 10-40 MB
per binary) for eight Linux architectures with the shared GOCACHE, and copies each a few times
to make dozens of files.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = ("amd64", "arm64", "386", "arm", "ppc64le", "s390x", "riscv64", "mips64le")
IMPORTS = (
    "crypto/tls",
    "database/sql",
    "debug/dwarf",
    "debug/elf",
    "debug/macho",
    "debug/pe",
    "encoding/json",
    "encoding/xml",
    "go/parser",
    "go/types",
    "go/format",
    "html/template",
    "image/gif",
    "image/jpeg",
    "image/png",
    "net/http",
    "net/http/httputil",
    "net/mail",
    "net/smtp",
    "archive/zip",
    "archive/tar",
    "compress/bzip2",
    "regexp",
    "text/template",
    "math/big",
    "runtime/pprof",
    "testing",
    "go/doc",
    "net/rpc",
    "crypto/x509",
    "go/build",
    "go/importer",
    "expvar",
    "log/slog",
)
SOURCE = (
    'package main\n\nimport (\n\t_ "embed"\n'
    + "".join(f'\t_ "{p}"\n' for p in IMPORTS)
    + ")\n\n//go:embed assets.bin\nvar assets []byte\n\nfunc main() { println(len(assets)) }\n"
)
ASSETS_MB = 12  # embedded data, as releases embed web assets: puts the binaries near 20 MB


def build(directory: Path) -> list[Path]:
    module = directory / "big"
    module.mkdir(exist_ok=True)
    (module / "go.mod").write_text("module example.com/big\n\ngo 1.22\n")
    (module / "main.go").write_text(SOURCE)
    (module / "assets.bin").write_bytes(random.Random(0).randbytes(ASSETS_MB << 20))
    cache = os.environ.get("GOCACHE") or str(Path(tempfile.gettempdir()) / "gocross-test-gocache")
    out = []
    for arch in TARGETS:
        path = directory / f"big-linux-{arch}"
        env = {**os.environ, "GOOS": "linux", "GOARCH": arch, "CGO_ENABLED": "0", "GOCACHE": cache}
        subprocess.run(["go", "build", "-o", str(path), "."], cwd=module, env=env, check=True)
        out.append(path)
    return out


def timed(commands: list[list[str]]) -> float:
    started = time.perf_counter()
    for command in commands:
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - started


def _peak_rss_mb(command: list[str]) -> float:
    """Peak RSS of one gocross run, measured inside a fresh child process."""
    probe = (
        "import resource, subprocess, sys; subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run([sys.executable, "-c", probe, *command], capture_output=True, text=True, check=True)
    return int(out.stdout.strip()) / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=4, help="copies of each binary (default 4: 32 files)")
    parser.add_argument("--keep", metavar="DIR", help="build into DIR and keep it (reused when present)")
    args = parser.parse_args()
    directory = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="gocross-bench-"))
    try:
        existing = directory.glob("big-linux-*") if args.keep and directory.exists() else []
        originals = sorted(p for p in existing if "." not in p.name)
        if not originals:
            directory.mkdir(parents=True, exist_ok=True)
            originals = build(directory)
        files = [str(p) for p in originals]
        for copy in range(1, args.copies):
            for path in originals:
                target = directory / f"{path.name}.{copy}"
                if not target.exists():
                    shutil.copyfile(path, target)
                files.append(str(target))
        sizes = [Path(f).stat().st_size / 1e6 for f in files]
        print(
            f"{len(files)} binaries, {min(sizes):.1f}-{max(sizes):.1f} MB each, {sum(sizes):.0f} MB in total"
        )
        gocross = [[sys.executable, "-m", "gocross_action.cli", "inspect", "--format", "json", *files]]
        tools = [c for f in files for c in (["readelf", "-lVdW", f], ["go", "version", "-m", f])]
        timed(gocross + tools[:4])  # warm the page cache for both sides
        ours = min(timed(gocross) for _ in range(3))
        theirs = min(timed(tools) for _ in range(3))
        peak = _peak_rss_mb(gocross[0])
        print(f"gocross inspect (one process): {ours:.3f} s")
        print(f"readelf -lVdW + go version -m per file: {theirs:.3f} s")
        print(f"peak RSS of gocross (max over child processes): {peak:.0f} MB")
        print(f"ratio gocross/tools: {ours / theirs:.2f}")
        return 0 if ours < theirs else 1
    finally:
        if not args.keep:
            shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
