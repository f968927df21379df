"""Fuzz the CLI with mutated inputs: binaries (`inspect`), build logs (`diagnose`) and configs
(`validate-config`), and count what must never happen: exit 3 (an internal error), a traceback,
an input that takes over 10 s or over 500 MB.

Seeds are real: binaries built here with `go build` for ELF, PE and Mach-O targets (static and
cgo, stripped and not); logs from the shared corpus and the rules' own examples; configs that
use every key. Each input is a seed with seeded random mutations (bytes flipped, integers set to
boundary values, regions zeroed, copied or cut; for logs also long lines, invalid UTF-8, ANSI
and repeated lines; for configs also hostile YAML fragments), so a run is reproducible from
`--seed`.

Inputs run in batches in worker processes (one CLI start-up per input would dominate): each
worker calls `gocross_action.cli.main(argv)`, the very function the `gocross` command runs, so
the exit code is the CLI's, with stdout and stderr captured. Per input it measures wall and CPU
time (a 10 s interval timer stops an input that runs over) and the worker's peak RSS (an input is
over 500 MB when the peak passes 500 MB during it; the worker runs under a 2 GB address-space
limit, so a runaway allocation ends as exit 3, counted, not as a dead machine). At the end a
sample of inputs, and every input that failed, is replayed through the real `gocross` process to
confirm the exit codes.

    python3 benchmarks/fuzz.py [--binaries 5000] [--logs 2000] [--configs 1000] [--workers 2]
                               [--seed 1] [--json results.json]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "logs"
SLOW_S = 10.0
BIG_MB = 500
ADDRESS_SPACE = 2 << 30

GO_PROGRAM = """package main

import (
\t"fmt"
\t"net"
\t"os"
\t"os/user"
)

func main() {
\tu, err := user.Current()
\taddrs, _ := net.LookupHost("localhost")
\tfmt.Println(u, err, addrs, len(os.Args))
}
"""
# (GOOS, GOARCH, CGO_ENABLED, stripped)
SEED_TARGETS = (
    ("linux", "amd64", "0", False),
    ("linux", "amd64", "1", False),
    ("linux", "amd64", "1", True),
    ("linux", "arm64", "0", True),
    ("linux", "386", "0", True),
    ("linux", "arm", "0", True),
    ("linux", "riscv64", "0", True),
    ("windows", "amd64", "0", False),
    ("windows", "386", "0", True),
    ("windows", "arm64", "0", True),
    ("darwin", "amd64", "0", True),
    ("darwin", "arm64", "0", False),
    ("freebsd", "amd64", "0", True),
)

CONFIG_SEEDS = (
    "targets: [linux/amd64, linux/arm64, darwin/arm64, windows/amd64]\n",
    "targets:\n"
    "  - linux/arm/7\n"
    "  - {goos: linux, goarch: arm64, cgo: true, cc: aarch64-linux-gnu-gcc,\n"
    "     env: {CGO_ENABLED: 1, X: y}, tags: 'netgo, osusergo', ldflags: -s, output: app-arm64}\n"
    "  - {goos: linux, goarch: amd64, goamd64: v3}\n"
    "package: ./cmd/app\n"
    "build: {flags: '-buildvcs=false -mod=vendor', tags: [a, b], trimpath: true, out: dist, timeout: 300}\n"
    "deploy: [debian:11, {glibc: '2.28'}, alpine, {name: box, libc: musl}]\n"
    "glibc-max: '2.31'\n"
    "require-static: true\n"
    "smoke: --version\n"
    "verify-fixes: true\n"
    "report: {formats: [sarif, json], dir: out}\n"
    "github: {comment: never, check-run: false, check-name: cross, annotations: false}\n"
    "fail-on: warning\n",
    "rules:\n"
    "  - id: log.mine.thing\n"
    "    category: other\n"
    "    title: 'My {what} failed'\n"
    "    severity: error\n"
    "    confidence: 0.9\n"
    "    priority: 50\n"
    "    patterns:\n"
    "      - regex: 'mything (?P<what>\\w+) failed'\n"
    "    root_cause: The {what} step failed.\n"
    "    fixes: [{summary: Fix {what}.}]\n"
    "    examples: {match: ['mything x failed'], no_match: ['mything']}\n"
    "fail-on: error\n",
    "base: &base {goos: linux, cgo: false}\n"
    "targets:\n  - {<<: *base, goarch: amd64}\n  - {<<: *base, goarch: arm64}\n",
)
YAML_FRAGMENTS = (
    "&a ",
    "*a",
    "!!float x",
    "!!bool maybe",
    "!!int 0x",
    "!!binary ===",
    "!!timestamp x",
    "!!python/object/apply:os.system ['true']",
    "!foo ",
    "{",
    "[",
    "]",
    "}",
    '"unterminated',
    "'",
    "\\",
    "9" * 5000,
    "\t",
    "? [a, b]\n: c\n",
    "<<: *a\n",
    "---\n",
    "...\n",
    "%YAML 1.1\n",
    "- ",
    ": ",
    "\x00",
    "\ufeff",
    "\u2028",
    "é",
    "[" * 200,
    "a: &x [*x]\n",
    'smoke: "a\\"\n',
    'build: {flags: "-x \'y"}\n',
    "rules: [{id: log.x, category: other, title: t, severity: error, confidence: 1, priority: 1,"
    " root_cause: r, patterns: [{regex: '(a+)+(?=b)', literal: [aaaa]}],"
    " examples: {match: [aaaa], no_match: [b]}}]\n",
    "rules: [/dev/zero, ../../etc/passwd]\n",
)
LOG_FRAGMENTS = (
    b"\x1b[31m",
    b"\x1b]8;;http://x\x07",
    b"\x1b]",
    b"\xff\xfe",
    b"\xc3",
    b"\x00",
    b"\r",
    b"2024-05-01T12:34:56.1234567Z ",
    b"#6 0.088 ",
    b"::group::",
    b"##[group]",
    b"::endgroup::",
    b"CC='",
    b'GOOS="',
    b"GOARCH=arm64 ",
    b"CGO_ENABLED=1 ",
    b"go version go1.22.5 linux/amd64",
    b'C compiler "',
    b"-extldflags ",
    b"./main.go:11:2: ",
    b"/home/runner/work/a/b/",
)


# ----------------------------------------------------------------------------- seeds


def build_seeds(directory: Path) -> list[Path]:
    """Real Go binaries, one per seed target (a target whose toolchain is missing is skipped);
    binaries already in ``directory`` (``--seeds``) are kept."""
    module = directory / "module"
    module.mkdir(parents=True, exist_ok=True)
    (module / "go.mod").write_text("module example.com/fuzzseed\n\ngo 1.21\n", encoding="utf-8")
    (module / "main.go").write_text(GO_PROGRAM, encoding="utf-8")
    seeds = []
    for goos, goarch, cgo, stripped in SEED_TARGETS:
        out = directory / f"seed-{goos}-{goarch}-cgo{cgo}{'-s' if stripped else ''}"
        if out.is_file():
            seeds.append(out)
            continue
        argv = ["go", "build", "-o", str(out)]
        if stripped:
            argv.append("-ldflags=-s -w")
        env = {**os.environ, "GOOS": goos, "GOARCH": goarch, "CGO_ENABLED": cgo, "GOFLAGS": "-buildvcs=false"}
        done = subprocess.run(argv, cwd=module, env=env, capture_output=True, timeout=600, check=False)
        if done.returncode == 0:
            seeds.append(out)
        else:
            print(f"fuzz: seed {goos}/{goarch} cgo={cgo} not built: {done.stderr[-200:]!r}", file=sys.stderr)
    return seeds


def log_seeds() -> list[bytes]:
    seeds = [p.read_bytes()[: 1 << 20] for p in sorted(CORPUS.glob("*.log"))] if CORPUS.is_dir() else []
    sys.path.insert(0, str(ROOT))
    from gocross_action.diagnose.rules import builtin_rules

    examples = [line for r in builtin_rules() for line in (*r.examples_match, *r.examples_no_match)]
    rng = random.Random(0)
    for _ in range(40):
        seeds.append(("\n".join(rng.sample(examples, min(40, len(examples)))) + "\n").encode())
    return seeds


# ----------------------------------------------------------------------------- mutations

_BOUNDARY = (
    0,
    1,
    2,
    0x7F,
    0x80,
    0xFF,
    0x7FFF,
    0xFFFF,
    0x7FFFFFFF,
    0x80000000,
    0xFFFFFFFF,
    1 << 40,
    (1 << 64) - 1,
)


def mutate_binary(data: bytes, rng: random.Random) -> bytes:
    buf = bytearray(data)
    size = len(buf)
    if not buf:
        return data

    # Headers and tables live near the start (ELF/PE/Mach-O headers) and, for ELF, at the end
    # (section headers): most mutations land there.
    def offset() -> int:
        now = len(buf)
        region = rng.random()
        if region < 0.45:
            return rng.randrange(min(now, 8192))
        if region < 0.7:
            return max(0, now - 1 - rng.randrange(min(now, 8192)))
        return rng.randrange(now)

    for _ in range(rng.randint(1, 8)):
        kind = rng.random()
        if kind < 0.35:
            for _ in range(rng.randint(1, 16)):
                at = offset()
                buf[at] = rng.randrange(256)
        elif kind < 0.7:
            width = rng.choice((2, 4, 8))
            at = offset() & ~(width - 1)
            if at + width <= len(buf):
                value = rng.choice((*_BOUNDARY, size, size // 2, rng.randrange(1 << 32))) % (1 << (8 * width))
                buf[at : at + width] = value.to_bytes(width, rng.choice(("little", "big")))
        elif kind < 0.8:
            at = offset()
            buf[at : at + rng.randint(1, 4096)] = bytes(min(4096, len(buf) - at))[: rng.randint(1, 4096)]
        elif kind < 0.9:
            start, at = offset(), offset()
            chunk = bytes(buf[start : start + rng.randint(1, 512)])
            buf[at : at + len(chunk)] = chunk
        else:
            del buf[rng.randrange(1, len(buf) + 1) :]
    return bytes(buf)


def mutate_log(data: bytes, rng: random.Random) -> bytes:
    lines = data.split(b"\n")
    for _ in range(rng.randint(1, 6)):
        kind = rng.random()
        if not lines:
            lines = [b""]
        at = rng.randrange(len(lines))
        if kind < 0.2:
            repeats = min(rng.randint(2, 2000), (1 << 20) // (len(lines[at]) + 1) + 1)
            lines[at] = (lines[at] * repeats)[: 1 << 20]  # a long line
        elif kind < 0.35:
            copies = min(rng.randint(2, 5000), (4 << 20) // (len(lines[at]) + 1) + 1)
            lines[at : at + 1] = [lines[at]] * copies  # a repeated line
        elif kind < 0.6:
            line = bytearray(lines[at])
            for _ in range(rng.randint(1, 8)):
                pos = rng.randrange(len(line) + 1)
                line[pos:pos] = rng.choice(LOG_FRAGMENTS) * rng.choice((1, 1, 1, 50, 5000))
            lines[at] = bytes(line)
        elif kind < 0.8:
            line = bytearray(lines[at])
            for _ in range(rng.randint(1, 8)):
                if line:
                    line[rng.randrange(len(line))] = rng.randrange(256)
            lines[at] = bytes(line)
        elif kind < 0.9:
            del lines[at : at + rng.randint(1, 50)]
        else:
            lines = [b"\r".join(lines[at : at + 20]), *lines[at + 20 :]]
    out = b"\n".join(lines)
    return out[: 8 << 20] if rng.random() < 0.9 else out[: rng.randrange(len(out) + 1)]


def mutate_config(text: str, rng: random.Random) -> bytes:
    chars = list(text)
    for _ in range(rng.randint(1, 5)):
        kind = rng.random()
        at = rng.randrange(len(chars) + 1)
        if kind < 0.4:
            chars[at:at] = list(rng.choice(YAML_FRAGMENTS))
        elif kind < 0.6 and chars:
            chars[min(at, len(chars) - 1)] = chr(rng.choice((rng.randrange(32, 127), rng.randrange(0, 32))))
        elif kind < 0.75:
            del chars[at : at + rng.randint(1, 20)]
        elif kind < 0.9:
            lines = "".join(chars).split("\n")
            i = rng.randrange(len(lines))
            lines[i:i] = [lines[i]] * rng.randint(1, 3)
            chars = list("\n".join(lines))
        else:
            chars = list(
                "".join(chars).replace(
                    rng.choice(("true", "'2.31'", "linux", "amd64", "error")),
                    rng.choice(("[1]", "{}", "~", "1e999", "-1", "yes", '"é"')),
                )
            )
    text = "".join(chars)
    data = text.encode("utf-8", "surrogatepass")
    if rng.random() < 0.05:
        data = text.encode("utf-16")
    elif rng.random() < 0.05:
        data = text.encode("latin-1", "replace")
    return data


# ----------------------------------------------------------------------------- worker


class _Overtime(BaseException):
    """Raised by the interval timer: not an Exception, so the CLI does not turn it into exit 3."""


def _on_alarm(signum: int, frame: Any) -> None:
    raise _Overtime


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_input(case: dict[str, Any], directory: Path) -> tuple[Path, list[str]]:
    """The mutated input of ``case`` written into ``directory``, and the CLI arguments for it.
    Run from another directory: a config written here must not be discovered by the others."""
    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(case["seed"])
    source = Path(case["source"])
    if case["kind"] == "binary":
        path = directory / "input.bin"
        path.write_bytes(mutate_binary(source.read_bytes(), rng))
        return path, ["inspect", str(path), "--format", "json"]
    if case["kind"] == "log":
        path = directory / "input.log"
        path.write_bytes(mutate_log(source.read_bytes(), rng))
        return path, ["diagnose", "--log", str(path), "--format", "json"]
    path = directory / "gocross.yml"
    path.write_bytes(mutate_config(source.read_text(encoding="utf-8"), rng))
    return path, ["validate-config", str(path)]


def run_case(case: dict[str, Any], work: Path) -> dict[str, Any]:
    """One input through ``cli.main``: exit code, times, memory, traceback, message."""
    from gocross_action import cli

    path, argv = write_input(case, work / "in")
    out, err = io.StringIO(), io.StringIO()
    before = _peak_mb()
    started, cpu = time.perf_counter(), time.process_time()
    signal.setitimer(signal.ITIMER_REAL, SLOW_S * 3)
    overtime = False
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli.main(argv)
    except _Overtime:
        code, overtime = -1, True
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = _peak_mb()
    stderr = err.getvalue()
    for crash in Path(tempfile.gettempdir()).glob("gocross-crash-*.log"):
        if str(crash) in stderr:
            crash.unlink(missing_ok=True)
    return {
        **case,
        "code": code,
        "wall_s": round(wall, 4),
        "cpu_s": round(cpu, 4),
        "peak_mb": round(peak, 1),
        "over_memory": peak > BIG_MB and peak > before,
        "overtime": overtime or wall > SLOW_S,
        "traceback": "Traceback" in stderr or "Traceback" in out.getvalue(),
        "message": stderr.strip().splitlines()[-1][:300] if code == 3 and stderr.strip() else "",
        "size": path.stat().st_size,
    }


def worker() -> int:
    """Read cases (JSON lines) on stdin, write results (JSON lines) on stdout."""
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))
    signal.signal(signal.SIGALRM, _on_alarm)
    sys.path.insert(0, str(ROOT))
    results = sys.stdout
    with tempfile.TemporaryDirectory(prefix="gocross-fuzz-") as tmp:
        work = Path(tmp)
        (work / "run").mkdir()
        os.chdir(work / "run")  # no config is discovered from here
        for line in sys.stdin:
            case = json.loads(line)
            try:
                result = run_case(case, work)
            except Exception as exc:  # a bug of this script, not of gocross: reported apart
                result = {**case, "code": None, "message": f"harness error: {type(exc).__name__}: {exc}"}
            results.write(json.dumps(result) + "\n")
            results.flush()
    return 0


# ----------------------------------------------------------------------------- driver


def cases(
    args: argparse.Namespace, binaries: list[Path], logs: list[Path], configs: list[Path]
) -> Iterator[dict[str, Any]]:
    rng = random.Random(args.seed)
    for kind, count, sources in (
        ("binary", args.binaries, binaries),
        ("log", args.logs, logs),
        ("config", args.configs, configs),
    ):
        for i in range(count):
            yield {
                "kind": kind,
                "index": i,
                "source": str(sources[i % len(sources)]),
                "seed": rng.randrange(1 << 62),
            }


def run_workers(all_cases: list[dict[str, Any]], workers: int) -> list[dict[str, Any]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    env.pop("GITHUB_ACTIONS", None)
    shares = [all_cases[i::workers] for i in range(workers)]
    procs = []
    for share in shares:
        proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            text=True,
        )
        procs.append((proc, share))
    results: list[dict[str, Any]] = []
    import threading

    def feed(proc: subprocess.Popen[str], share: list[dict[str, Any]]) -> None:
        assert proc.stdin is not None
        for case in share:
            proc.stdin.write(json.dumps(case) + "\n")
        proc.stdin.close()

    def collect(proc: subprocess.Popen[str], share: list[dict[str, Any]]) -> None:
        assert proc.stdout is not None
        seen = 0
        for line in proc.stdout:
            results.append(json.loads(line))
            seen += 1
            if seen % 250 == 0:
                print(f"fuzz: worker {proc.pid}: {seen}/{len(share)}", file=sys.stderr, flush=True)
        proc.wait()
        for case in share[seen:]:  # the worker died on this input (or after it)
            results.append({**case, "code": None, "message": f"worker died (exit {proc.returncode})"})
            break

    threads = []
    for proc, share in procs:
        threads += [
            threading.Thread(target=feed, args=(proc, share)),
            threading.Thread(target=collect, args=(proc, share)),
        ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def replay(results: list[dict[str, Any]], sample: int, rng: random.Random) -> tuple[int, int]:
    """Re-run inputs through the real ``gocross`` process: (replayed, exit codes that differ)."""
    chosen = [r for r in results if r.get("code") not in (0, 1, 2)]
    chosen += rng.sample(results, min(sample, len(results)))
    mismatches = 0
    with tempfile.TemporaryDirectory(prefix="gocross-fuzz-replay-") as tmp:
        work = Path(tmp)
        (work / "run").mkdir()
        env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
        env.pop("GITHUB_ACTIONS", None)
        for case in chosen:
            _, argv = write_input(case, work / "in")
            done = subprocess.run(
                [sys.executable, "-m", "gocross_action.cli", *argv],
                cwd=work / "run",
                env=env,
                capture_output=True,
                timeout=120,
                check=False,
            )
            if done.returncode != case.get("code"):
                mismatches += 1
                print(
                    f"fuzz: replay differs: {case['kind']} #{case['index']}: "
                    f"in-process {case.get('code')}, process {done.returncode}: {done.stderr[-300:]!r}",
                    file=sys.stderr,
                )
    return len(chosen), mismatches


def summarise(results: list[dict[str, Any]]) -> dict[str, Any]:
    summary: dict[str, Any] = {}
    for kind in ("binary", "log", "config"):
        rows = [r for r in results if r["kind"] == kind]
        if not rows:
            continue
        walls = sorted(r.get("wall_s", 0.0) for r in rows)
        summary[kind] = {
            "inputs": len(rows),
            "exit_codes": dict(sorted(Counter(str(r.get("code")) for r in rows).items())),
            "exit_3": sum(1 for r in rows if r.get("code") == 3),
            "died": sum(1 for r in rows if r.get("code") is None),
            "tracebacks": sum(1 for r in rows if r.get("traceback")),
            "over_10s": sum(1 for r in rows if r.get("overtime")),
            "over_500mb": sum(1 for r in rows if r.get("over_memory")),
            "median_s": walls[len(walls) // 2],
            "max_s": walls[-1],
            "peak_rss_mb": max(r.get("peak_mb", 0.0) for r in rows),
            "exit_3_messages": dict(
                Counter(r.get("message", "")[:160] for r in rows if r.get("code") == 3).most_common(8)
            ),
        }
    return summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binaries", type=int, default=5000)
    parser.add_argument("--logs", type=int, default=2000)
    parser.add_argument("--configs", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--replay", type=int, default=30, help="inputs replayed through the real process")
    parser.add_argument("--json", metavar="PATH", help="write every result here")
    parser.add_argument(
        "--seeds", metavar="DIR", help="build the seed binaries here and keep them (default: a temp dir)"
    )
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker()
    if shutil.which("go") is None:
        print("fuzz: go is not installed", file=sys.stderr)
        return 2
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="gocross-fuzz-seeds-") as tmp:
        seeds_dir = Path(tmp)
        bin_dir = Path(args.seeds) if args.seeds else seeds_dir / "bin"
        binaries = build_seeds(bin_dir) if args.binaries else []
        logs = []
        for i, data in enumerate(log_seeds()):
            path = seeds_dir / f"log-{i}.log"
            path.write_bytes(data)
            logs.append(path)
        configs = []
        for i, text in enumerate(CONFIG_SEEDS):
            path = seeds_dir / f"config-{i}.yml"
            path.write_text(text, encoding="utf-8")
            configs.append(path)
        all_cases = list(cases(args, binaries, logs, configs))
        print(
            f"fuzz: {len(binaries)} seed binaries, {len(logs)} seed logs, {len(configs)} seed configs; "
            f"{len(all_cases)} inputs",
            file=sys.stderr,
        )
        results = run_workers(all_cases, args.workers)
        replayed, mismatches = replay(results, args.replay, random.Random(args.seed))
    summary = {
        "seed": args.seed,
        "seed_binaries": [Path(b).name for b in binaries],
        "took_s": round(time.monotonic() - started, 1),
        "replayed_through_the_cli_process": replayed,
        "replay_exit_code_mismatches": mismatches,
        **summarise(results),
    }
    if args.json:
        Path(args.json).write_text(
            json.dumps({"summary": summary, "results": results}, indent=1), encoding="utf-8"
        )
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
