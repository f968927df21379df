"""Time `gocross diagnose` against `grep -E -c -f grep-patterns.txt` on a 100 MB build log.

The log is generated deterministically (a seeded RNG): `go build -x` output of a cgo build, full
of near misses (`-Werror`, `errors` package paths, `CGO_ENABLED=1`, `go env` dumps, build IDs),
ending with a real failure. Both commands are timed as a user runs them, interpreter start-up
included, gocross from compiled bytecode as pip installs it; the two run in turn several times
and the best time of each is kept (a warm page cache for both).

    python3 benchmarks/diagnose_speed.py [--size-mb 100] [--runs 9] [--keep PATH]
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _installed import as_installed

ROOT = Path(__file__).resolve().parent.parent
# ../shared beside the repository; a git worktree one level deeper finds it one level up.
SHARED = next(
    (p / "shared" for p in (ROOT.parent, ROOT.parent.parent) if (p / "shared").is_dir()),
    ROOT.parent / "shared",
)
PATTERNS = SHARED / "bench" / "grep-patterns.txt"

STD = [
    *("errors", "internal/abi", "internal/bytealg", "internal/cpu", "internal/goarch", "internal/goos"),
    *("runtime", "sync", "io", "os", "fmt", "strconv", "unicode/utf8", "reflect", "sort", "strings"),
    *("bytes", "math", "math/bits", "time", "syscall", "path/filepath", "io/fs", "net", "net/netip"),
    *("os/user", "context", "crypto/tls", "crypto/x509", "encoding/json", "encoding/binary", "log/slog"),
]
CGO_FLAGS = (
    "-I . -fPIC -m64 -pthread -Wl,--no-gc-sections -fmessage-length=0 "
    "-ffile-prefix-map=$WORK/{b}=/tmp/go-build "
    "-gno-record-gcc-switches -I $WORK/{b}/ -O2 -g -Wall -Werror -fno-stack-protector "
    "-Wdeclaration-after-statement -ffile-prefix-map=/usr/local/go/src/{pkg}=/_/{pkg}"
)
GO_ENV = (
    "GO111MODULE=''",
    "GOARCH='amd64'",
    "GOCACHE='/home/runner/.cache/go-build'",
    "GOENV='/home/runner/.config/go/env'",
    "GOFLAGS=''",
    "GOHOSTARCH='amd64'",
    "GOHOSTOS='linux'",
    "GOOS='linux'",
    "GOPROXY='https://proxy.golang.org,direct'",
    "GOROOT='/usr/local/go'",
    "GOSUMDB='sum.golang.org'",
    "GOTOOLCHAIN='auto'",
    "GOVERSION='go1.22.5'",
    "CC='gcc'",
    "CXX='g++'",
    "CGO_ENABLED='1'",
    "CGO_CFLAGS='-O2 -g'",
    "GOGCCFLAGS='-fPIC -m64 -pthread -Wl,--no-gc-sections -fmessage-length=0 "
    "-ffile-prefix-map=/tmp/go-build=/tmp/go-build -gno-record-gcc-switches'",
)
FAILURE = (
    "# github.com/mattn/go-sqlite3\n"
    'cgo: C compiler "aarch64-linux-gnu-gcc" not found: '
    'exec: "aarch64-linux-gnu-gcc": executable file not found in $PATH\n'
    "##[error]Process completed with exit code 1.\n"
)


def _hex(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def _package(rng: random.Random, index: int) -> list[str]:
    b = f"b{index:03d}"
    pkg = rng.choice(STD)
    build_id = f"{_hex(rng, 20)}/{_hex(rng, 20)}"
    lines = [
        f"mkdir -p $WORK/{b}/",
        f"cat >/tmp/go-build{index}/{b}/importcfg << 'EOF' # internal",
        "# import config",
    ]
    lines += [
        f"packagefile {d}=/tmp/go-build806061468/b{rng.randrange(999):03d}/_pkg_.a"
        for d in rng.sample(STD, 6)
    ]
    lines += ["EOF", f"cd /home/runner/work/app/app/internal/{pkg}"]
    name = pkg.rsplit("/", 1)[-1]
    lines.append(
        f'/usr/local/go/pkg/tool/linux_amd64/compile -o $WORK/{b}/_pkg_.a -trimpath "$WORK/{b}=>" -p {pkg} '
        f"-lang=go1.22 -std -complete -buildid {build_id} -goversion go1.22.5 -c=4 -nolocalimports "
        f"-importcfg $WORK/{b}/importcfg -pack ./{name}.go ./{name}_unix.go"
    )
    if rng.random() < 0.3:
        flags = CGO_FLAGS.format(b=b, pkg=pkg)
        obj = f"$WORK/{b}/_x00{rng.randrange(9)}.o"
        lines.append(f"TERM='dumb' CGO_ENABLED=1 gcc {flags} -o {obj} -c gcc_{pkg.replace('/', '_')}.c")
    lines += [
        f"/usr/local/go/pkg/tool/linux_amd64/buildid -w $WORK/{b}/_pkg_.a # internal",
        f"cp $WORK/{b}/_pkg_.a /home/runner/.cache/go-build/{_hex(rng, 2)}/{_hex(rng, 64)}-d # internal",
    ]
    return lines


def generate(path: Path, size: int, seed: int = 20240501) -> None:
    rng = random.Random(seed)
    written, index = 0, 0
    with path.open("w", encoding="utf-8") as out:
        out.write("WORK=/tmp/go-build806061468\n")
        while written < size:
            chunk = []
            for _ in range(200):
                index += 1
                chunk.extend(_package(rng, index))
            if index % 2000 == 0:
                chunk.append("$ go env")
                chunk.extend(GO_ENV)
            text = "\n".join(chunk) + "\n"
            out.write(text)
            written += len(text)
        out.write(FAILURE)


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True, check=False, cwd=ROOT, env=env)
    elapsed = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{argv[0]} failed ({proc.returncode}): {proc.stderr.strip()}")
    return elapsed, proc.stdout


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=100)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--keep", metavar="PATH", help="write the generated log here and keep it")
    args = parser.parse_args(argv)
    env = dict(os.environ)
    as_installed(env)
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(args.keep) if args.keep else Path(tmp) / "build.log"
        generate(log, args.size_mb << 20)
        size_mb = log.stat().st_size / (1 << 20)
        gocross = [sys.executable, "-m", "gocross_action.cli", "diagnose", "--format=json", f"--log={log}"]
        grep = ["grep", "-E", "-c", "-f", str(PATTERNS), str(log)]
        timed(gocross, env)  # untimed: warms the rule cache, the bytecode and the page cache
        timed(grep, env)
        # Interleaved (grep, gocross, grep, gocross...): both see the same machine load; the best
        # time of each is kept.
        grep_s = ours_s = float("inf")
        grep_out = ours_out = ""
        for _ in range(args.runs):
            elapsed, grep_out = timed(grep, env)
            grep_s = min(grep_s, elapsed)
            elapsed, ours_out = timed(gocross, env)
            ours_s = min(ours_s, elapsed)
        found = '"category": "cgo-no-c-compiler"' in ours_out
    print(f"log: {size_mb:.1f} MB, grep matched {grep_out.strip()} lines; gocross found the failure: {found}")
    print(f"grep -E -c -f grep-patterns.txt: {grep_s:.3f} s")
    print(f"gocross diagnose:                {ours_s:.3f} s")
    print(f"ratio: {ours_s / grep_s:.2f}x (target <= 1x)")
    return 0 if found else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
