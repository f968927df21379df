"""Real Go binaries for the inspector's tests, cross-compiled once per session with the shared
GOCACHE, plus Go binaries built by others (Debian packages fetched by .ci/setup.d)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from tests.conftest import ROOT, go_cache

FIXTURES = ROOT / ".cache" / "inspect-fixtures" / "bin"

# A representative set of `go tool dist list`: every format, OS family, word size and byte order.
PURE_TARGETS = (
    "linux/amd64",
    "linux/386",
    "linux/arm/6",
    "linux/arm64",
    "linux/mips",
    "linux/mips64le",
    "linux/ppc64",
    "linux/ppc64le",
    "linux/riscv64",
    "linux/s390x",
    "linux/loong64",
    "freebsd/amd64",
    "netbsd/arm64",
    "openbsd/amd64",
    "dragonfly/amd64",
    "illumos/amd64",
    "windows/386",
    "windows/arm64",
    "darwin/amd64",
    "darwin/arm64",
    "aix/ppc64",
    "plan9/amd64",
    "plan9/arm",
    "js/wasm",
    "wasip1/wasm",
)

HELLO = 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hello") }\n'
# Uses the cgo resolver and user lookups, so cgo builds link libc (and NSS when static).
CGO = (
    'package main\n\nimport (\n\t"fmt"\n\t"net"\n\t"os/user"\n)\n\n'
    'func main() {\n\tu, _ := user.Current()\n\ta, _ := net.LookupHost("localhost")\n\tfmt.Println(u, a)\n}\n'
)


@dataclass(frozen=True)
class Built:
    path: Path
    target: str
    env: dict[str, str]


def _module(directory: Path, source: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "go.mod").write_text("module example.com/inspectme\n\ngo 1.22\n")
    (directory / "main.go").write_text(source)
    return directory


def _build(module: Path, out: Path, env: dict[str, str], flags: tuple[str, ...] = ()) -> Path:
    full = {**os.environ, "GOCACHE": go_cache(), "GOFLAGS": "", **env}
    subprocess.run(
        ["go", "build", "-o", str(out), *flags, "."],
        cwd=module,
        env=full,
        check=True,
        capture_output=True,
        text=True,
    )
    return out


def _env(target: str) -> dict[str, str]:
    parts = target.split("/")
    env = {"GOOS": parts[0], "GOARCH": parts[1], "CGO_ENABLED": "0"}
    if len(parts) == 3:
        env["GOARM" if parts[1] == "arm" else "GOAMD64"] = parts[2]
    return env


@cache
def workdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="gocross-inspect-"))


@cache
def pure() -> dict[str, Built]:
    """target -> binary, for every target in PURE_TARGETS (built in parallel)."""
    module = _module(workdir() / "hello", HELLO)
    out = workdir() / "out"
    out.mkdir(exist_ok=True)

    def one(target: str) -> Built:
        env = _env(target)
        path = out / (target.replace("/", "_") + (".exe" if env["GOOS"] == "windows" else ""))
        return Built(_build(module, path, env), target, env)

    with ThreadPoolExecutor(max_workers=4) as pool:
        return {b.target: b for b in pool.map(one, PURE_TARGETS)}


@cache
def cgo(name: str) -> Path | None:
    """A cgo build: glibc-dynamic, arm64 (cross gcc), windows (mingw), musl, static glibc, stripped.
    None when the C compiler it needs is missing."""
    module = _module(workdir() / "cgo", CGO)
    static = ("-ldflags", "-linkmode external -extldflags -static")
    recipes: dict[str, tuple[str | None, dict[str, str], tuple[str, ...]]] = {
        "glibc-amd64": ("gcc", {"GOARCH": "amd64"}, ()),
        "glibc-arm64": ("aarch64-linux-gnu-gcc", {"GOARCH": "arm64"}, ()),
        "windows-amd64": ("x86_64-w64-mingw32-gcc", {"GOOS": "windows", "GOARCH": "amd64"}, ()),
        "musl-amd64": ("musl-gcc", {"GOARCH": "amd64"}, ()),
        "musl-static": ("musl-gcc", {"GOARCH": "amd64"}, static),
        "glibc-static": ("gcc", {"GOARCH": "amd64"}, static),
        "glibc-static-netgo": ("gcc", {"GOARCH": "amd64"}, (*static, "-tags", "netgo,osusergo")),
        "stripped": (None, {"GOARCH": "amd64", "CGO_ENABLED": "0"}, ("-trimpath", "-ldflags", "-s -w")),
    }
    cc, env, flags = recipes[name]
    if cc is not None and shutil.which(cc) is None:
        return None
    full_env = {"GOOS": "linux", "CGO_ENABLED": "1", **env}
    if cc is not None:
        full_env["CC"] = cc
    return _build(module, workdir() / f"cgo-{name}", full_env, flags)


def debian_fixtures() -> list[Path]:
    """Go programs Debian built for other architectures (.ci/setup.d/30-inspect-fixtures.sh)."""
    return sorted(FIXTURES.glob("*")) if FIXTURES.is_dir() else []


def lipo() -> str | None:
    """llvm-lipo (Debian's llvm package installs it as llvm-lipo-NN)."""
    found = shutil.which("llvm-lipo")
    if found:
        return found
    candidates = sorted(Path("/usr/bin").glob("llvm-lipo-*")) + sorted(
        Path("/usr/lib").glob("llvm-*/bin/llvm-lipo")
    )
    return str(candidates[-1]) if candidates else None


@cache
def universal() -> Path | None:
    """A universal (fat) macOS binary made by llvm-lipo from the darwin/amd64 and darwin/arm64
    builds; None without llvm-lipo."""
    tool = lipo()
    if tool is None:
        return None
    out = workdir() / "universal-darwin"
    thin = [str(pure()[t].path) for t in ("darwin/amd64", "darwin/arm64")]
    subprocess.run([tool, "-create", *thin, "-output", str(out)], check=True, capture_output=True)
    return out


@cache
def stripped_without_buildinfo() -> tuple[Path, Path]:
    """(a `-s -w` build, the same with its .go.buildinfo section removed by objcopy and any copy
    of the build info's magic left in the segment wiped)."""
    module = _module(workdir() / "hello", HELLO)
    stripped = _build(
        module,
        workdir() / "stripped-s-w",
        {"GOOS": "linux", "GOARCH": "amd64", "CGO_ENABLED": "0"},
        ("-ldflags=-s -w",),
    )
    bare = workdir() / "stripped-no-buildinfo"
    subprocess.run(
        ["objcopy", "--remove-section", ".go.buildinfo", str(stripped), str(bare)],
        check=True,
        capture_output=True,
    )
    bare.write_bytes(bare.read_bytes().replace(b"\xff Go buildinf:", b"\0" * 14))
    return stripped, bare
