"""How often `gocross check --verify-fixes` names the right cause and proves its fix, on modules
that import real cgo libraries and on the diagnosis fixture modules, as users would run it.

Each scenario copies a fixture module (tests/integration/fixtures) into a scratch directory and
runs the real CLI in a subprocess with the scenario's environment. A failing target is one that
fails to build, or builds a binary with an error (go-sqlite3's stub); for each the top finding's
category is compared with the expected one, and ``fix.verified`` is read. A target expected to
pass must carry no error finding (a false error).

    python3 benchmarks/cgo_fixes.py [--only NAME,...] [--verbose]

The real-library modules need the Go module proxy once (then the module cache), and the
``offline`` scenario's fix (Go's default GOPROXY, into an empty scratch module cache) needs it on
every run; package-install fixes are proven with ``apt-get download`` into a scratch tree, so they
need the Debian mirror. A go.mod edit is proven on a copy of go.mod.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "integration" / "fixtures"


@dataclass(frozen=True)
class Scenario:
    name: str
    module: str
    env: dict[str, str]
    # target -> expected top category of a failing target, or None for a target that must pass cleanly
    expect: dict[str, str | None]
    real_library: bool = False
    extra: tuple[str, ...] = field(default=())


SCENARIOS = (
    Scenario(
        "sqlite-stub",
        "cgolib-sqlite",
        {},
        {"windows/amd64": "cgo-required-but-disabled"},
        real_library=True,
    ),
    Scenario(
        "pcap",
        "cgolib-pcap",
        {"CC": ""},
        {"linux/amd64": "cgo-headers-libs", "linux/arm64": "cgo-required-but-disabled"},
        real_library=True,
    ),
    Scenario(
        "glfw",
        "cgolib-glfw",
        {"CGO_ENABLED": "1", "CC": "gcc"},
        {"linux/amd64": "cgo-headers-libs", "windows/amd64": "cgo-wrong-compiler"},
        real_library=True,
    ),
    Scenario(
        "kafka-musl",
        "cgolib-kafka",
        {"CGO_ENABLED": "1", "CC": "musl-gcc"},
        {"linux/amd64": "libc-musl-glibc-mismatch"},
        real_library=True,
    ),
    Scenario(
        "mingw-ssp",
        "cgo-ssp",
        {"CGO_ENABLED": "1", "CC": "x86_64-w64-mingw32-gcc"},
        {"windows/amd64": "windows-toolchain"},
        real_library=True,
    ),
    Scenario(
        "gopsutil",
        "cgolib-gopsutil",
        {"CGO_ENABLED": "1", "CC": "gcc"},
        {"windows/amd64": None, "linux/amd64": None},
        real_library=True,
    ),
    Scenario(
        "modernc", "cgolib-modernc", {}, {"linux/amd64": None, "windows/amd64": None}, real_library=True
    ),
    Scenario("cgo-off", "cgo-needed", {"CGO_ENABLED": "0"}, {"linux/amd64": "cgo-required-but-disabled"}),
    Scenario(
        "no-compiler",
        "cgo-needed",
        {"CGO_ENABLED": "1", "CC": "aarch64-linux-musl-gcc"},
        {"linux/arm64": "cgo-no-c-compiler"},
    ),
    Scenario(
        "needless-cgo",
        "net-user",
        {"CGO_ENABLED": "1", "CC": "aarch64-linux-musl-gcc"},
        {"linux/arm64": "cgo-no-c-compiler"},
    ),
    Scenario(
        "wrong-compiler",
        "cgo-needed",
        {"CGO_ENABLED": "1", "CC": "gcc"},
        {"linux/amd64": None, "linux/arm64": "cgo-wrong-compiler", "windows/amd64": "cgo-wrong-compiler"},
    ),
    Scenario("missing-header", "cgo-header", {"CGO_ENABLED": "1"}, {"linux/amd64": "cgo-headers-libs"}),
    Scenario(
        "missing-arm64-lib",
        "cgo-lib",
        {"CGO_ENABLED": "1", "CC": "aarch64-linux-gnu-gcc"},
        {"linux/arm64": "cgo-headers-libs"},
    ),
    Scenario("constraints", "constraints", {}, {"linux/amd64": None, "windows/amd64": "build-constraints"}),
    Scenario("platform-api", "platform-api", {}, {"linux/amd64": None, "windows/amd64": "platform-api"}),
    Scenario("go-version", "go-version", {"GOTOOLCHAIN": "local"}, {"linux/amd64": "go-version-toolchain"}),
    Scenario("mod-mod", "mod-mod", {"GOFLAGS": "-mod=readonly"}, {"linux/amd64": "module-proxy-sum"}),
    Scenario(
        "offline",
        "offline",
        {"GOPROXY": "off", "GOFLAGS": "-mod=mod", "GOMODCACHE": "{scratch}/modcache"},
        {"linux/amd64": "module-proxy-sum"},
    ),
    Scenario("pure", "pure", {}, {"linux/amd64": None, "windows/amd64": None, "darwin/arm64": None}),
)


@dataclass
class Row:
    scenario: str
    target: str
    expected: str | None
    real_library: bool
    status: str = ""
    top: str | None = None
    verified: bool | None = None
    errors: int = 0


def run(scenario: Scenario, scratch: Path) -> dict[str, Any]:
    module = scratch / scenario.module
    shutil.copytree(FIXTURES / scenario.module, module)
    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(ROOT)}
    env.setdefault("GOCACHE", str(Path(os.environ.get("TMPDIR", "/tmp")) / "gocross-test-gocache"))
    env.update({k: v.replace("{scratch}", str(scratch)) for k, v in scenario.env.items()})
    argv = [sys.executable, "-m", "gocross_action.cli", "check", str(module), "--format", "json"]
    argv += ["--targets", ",".join(scenario.expect), "--verify-fixes", *scenario.extra]
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=3600, check=False)
    if proc.returncode not in (0, 1):
        raise SystemExit(
            f"{scenario.name}: gocross check exited {proc.returncode}: {proc.stderr.strip()[-500:]}"
        )
    report: dict[str, Any] = json.loads(proc.stdout)
    return report


def rows_of(scenario: Scenario, report: dict[str, Any]) -> list[Row]:
    rows = []
    statuses = {t["target"]: t["status"] for t in report["targets"]}
    for target, expected in scenario.expect.items():
        findings = [f for f in report["findings"] if f["target"] == target]
        errors = [f for f in findings if f["severity"] == "error"]
        top = errors[0] if errors else None
        rows.append(
            Row(
                scenario=scenario.name,
                target=target,
                expected=expected,
                real_library=scenario.real_library,
                status=statuses.get(target, "?"),
                top=top["category"] if top else None,
                verified=(top["fix"] or {}).get("verified") if top else None,
                errors=len(errors),
            )
        )
    return rows


def share(part: int, whole: int) -> str:
    return f"{part}/{whole} = {100.0 * part / whole:.0f}%" if whole else "0/0"


def summary(rows: list[Row], label: str) -> list[str]:
    failing = [r for r in rows if r.expected is not None]
    clean = [r for r in rows if r.expected is None]
    cause = sum(r.top == r.expected for r in failing)
    verified = sum(r.verified is True for r in failing)
    false_errors = sum(r.errors for r in clean)
    return [
        f"{label}: failing targets {len(failing)}, passing targets {len(clean)}",
        f"  correct top cause:   {share(cause, len(failing))}",
        f"  verified top fix:    {share(verified, len(failing))}",
        f"  false errors on passing targets: {false_errors}",
    ]


def main(argv: list[str]) -> int:
    verbose = "--verbose" in argv
    only = next((a.split("=", 1)[1] for a in argv if a.startswith("--only=")), None)
    chosen = [s for s in SCENARIOS if only is None or s.name in only.split(",")]
    rows: list[Row] = []
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="gocross-cgo-bench-") as tmp:
        for scenario in chosen:
            scratch = Path(tmp) / scenario.name
            scratch.mkdir()
            began = time.monotonic()
            found = rows_of(scenario, run(scenario, scratch))
            rows += found
            took = time.monotonic() - began
            for r in found:
                ok = (r.top == r.expected) if r.expected else r.errors == 0
                if verbose or not ok:
                    mark = "ok  " if ok else "MISS"
                    print(
                        f"{mark} {r.scenario:18} {r.target:14} {r.status:7} "
                        f"expected {r.expected or 'clean':26} got {r.top or 'no error':26} "
                        f"verified={r.verified}  ({took:.0f}s)"
                    )
    lines = summary([r for r in rows if r.real_library], "real cgo libraries")
    lines += summary(rows, "all fixture modules")
    print("\n".join(lines))
    print(f"took {time.monotonic() - started:.0f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
