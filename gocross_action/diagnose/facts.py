"""What is known around a log: the ``Facts`` contract, and the facts a log itself shows.

``gocross diagnose`` knows only ``--target`` and what the log prints (``go env`` dumps, command
lines with ``GOOS=... CC=...``, ``go version`` lines, compiler names, Docker build steps);
``gocross check`` adds its probe results. Given facts always win over facts read from the log.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache

from ..targets import Target, known_goarch, known_goos

ENV_VARS = (
    "GOOS",
    "GOARCH",
    "GOARM",
    "GOAMD64",
    "GO386",
    "GOMIPS",
    "CGO_ENABLED",
    "CC",
    "CXX",
    "GOFLAGS",
    "GOTOOLCHAIN",
    "GOPROXY",
    "GOCACHE",
    "GITHUB_WORKSPACE",
)


# The regexes here run over raw log lines of up to 64 KB written by anyone, in Python's
# backtracking engine: each is built so that no attempt scans ahead and then fails (a closing
# quote is optional, a run before a required word is bounded), which keeps every search linear
# in the line's length (tests/security/test_long_lines.py).
# One regex per variable, starting with its name so that the search is a fast literal scan;
# compiled when a log first shows the variable (start-up time is benchmarked).
@cache
def _assign_regex(name: str) -> re.Pattern[str]:
    return re.compile(name + r"\s?=\s?(?:'(?P<sq>[^']*)'?|\"(?P<dq>[^\"]*)\"?|(?P<bare>[^\s;'\"`)]*))")


# What may stand before NAME= for it to be an assignment (not part of a longer name).
_ASSIGN_BEFORE = frozenset(" \t;(\"'`:")
# Literals that make a line worth reading for facts (the engine's prefilter looks for them),
# each with the facts it can show: "env:NAME", "version", "cc" or "marker:NAME".
Kind = tuple[str, str]
FACT_LITERALS: dict[str, tuple[Kind, ...]] = {
    **{name: (("env", name),) for name in ENV_VARS if name not in ("CC", "CXX")},
    "CC=": (("env", "CC"),),
    "CXX=": (("env", "CXX"),),
    "go version go": (("version", ""),),
    "go build": (("output", ""),),
    "C compiler": (("cc", ""),),
    " RUN ": (("marker", "docker-build"),),
    "buildx": (("marker", "docker-build"),),
    "docker build": (("marker", "docker-build"),),
    "--platform": (("marker", "platform-flag"),),
    "-static": (("marker", "static"),),
    "mingw": (("marker", "mingw"),),
    "alpine": (("marker", "alpine"),),
    "Alpine": (("marker", "alpine"),),
    "apk add": (("marker", "alpine"),),
    "qemu": (("marker", "qemu"),),
}

_GO_VERSION = re.compile(r"go version (?P<version>go[\w.+-]+) (?P<goos>[a-z0-9]+)/(?P<goarch>[a-z0-9]+)")
_COMPILER = re.compile(r'C compiler "(?P<cc>[^"]+)" not found')
# Compiled on first use (``re``'s cache): most logs show none of these.
_MARKERS: dict[str, str] = {
    # A RUN step of an image build: foreign binaries there run under binfmt/qemu emulation.
    "docker-build": (
        r"Step \d+/\d+ : RUN |(?:^|Z )#\d+ \[[^\]]{0,200}\] RUN "
        r"|\bdocker (?:buildx )?build\b|\bbuildx build\b"
    ),
    "platform-flag": r"--platform[= ]\S+",
    "static": r"-extldflags[= ]?['\"]?[^'\"]{0,400}-static|(?:^|\s)-static(?:\s|$)|-static-pie",
    "mingw": r"w64-mingw32|mingw32-|[\\/]mingw(?:32|64)[\\/]",
    "alpine": r"[Aa]lpine|\bapk add\b",
    "qemu": r"\bqemu-[\w-]+|qemu: ",
}
_OUTPUT = re.compile(r"\bgo build\b.*?\s-o[= ]\s*['\"]?(?P<out>[^\s'\";]+)")
_NAME_PARTS = re.compile(r"[-_.]")
_WORKSPACE = re.compile(r"(?P<root>/home/runner/work/[^/\s]+/[^/\s]+/|/__w/[^/\s]+/[^/\s]+/)")


@dataclass(frozen=True, kw_only=True)
class Facts:
    """Facts about the build a log comes from. ``None`` means unknown.

    ``probes`` maps a probe name to its status (ok, warning, error, skipped); ``cgo_packages``
    lists the packages that need cgo (None: unknown); ``markers`` are situations the log shows
    (``docker-build``, ``static``, ``mingw``, ``alpine``, ``qemu``, ``platform-flag``).
    """

    target: Target | None = None
    cgo: bool | None = None
    cc: str | None = None
    host_goos: str | None = None
    host_goarch: str | None = None
    in_container: bool | None = None
    env: Mapping[str, str] = field(default_factory=dict)
    probes: Mapping[str, str] = field(default_factory=dict)
    cgo_packages: tuple[str, ...] | None = None
    markers: frozenset[str] = frozenset()
    distribution: str | None = None  # os-release ID of the build machine (probe), for package names
    output_target: Target | None = None  # named by go build's -o (app-linux-arm64)

    @property
    def named_target(self) -> Target | None:
        """A target the log names without GOOS/GOARCH: in go build's ``-o`` file name, else in
        the C compiler's triplet (``aarch64-linux-gnu-gcc``, ``x86_64-w64-mingw32-gcc``)."""
        if self.output_target is not None:
            return self.output_target
        return target_in_compiler(self.compiler) if self.compiler else None

    @property
    def goos(self) -> str | None:
        if self.target is not None:
            return self.target.goos
        value = self.env.get("GOOS")
        if value in known_goos():
            return value
        named = None if value or self.env.get("GOARCH") else self.named_target
        return named.goos if named else None

    @property
    def goarch(self) -> str | None:
        if self.target is not None:
            return self.target.goarch
        value = self.env.get("GOARCH")
        if value in known_goarch():
            return value
        named = None if value or self.env.get("GOOS") else self.named_target
        return named.goarch if named else None

    @property
    def effective_target(self) -> Target | None:
        """The target, or the one the log's GOOS/GOARCH name (GOOS alone: the host's arch)."""
        if self.target is not None:
            return self.target
        if not (self.env.get("GOOS") or self.env.get("GOARCH")) and self.named_target is not None:
            return self.named_target
        goos, goarch = self.goos, self.goarch or (self.host_goarch if self.goos else None)
        if goos and goarch:
            variant = self.env.get("GOARM") if goarch == "arm" else None
            return Target(goos=goos, goarch=goarch, variant=variant if variant in ("5", "6", "7") else None)
        return None

    @property
    def cgo_enabled(self) -> bool | None:
        """CGO_ENABLED as set, else Go's default guess: off when the log cross-compiles
        (GOOS/GOARCH set) without naming a C compiler."""
        if self.cgo is not None:
            return self.cgo
        value = self.env.get("CGO_ENABLED")
        if value in ("0", "1"):
            return value == "1"
        cross = "GOOS" in self.env or "GOARCH" in self.env
        native = (
            self.host_goos is not None
            and self.env.get("GOOS", self.host_goos) == self.host_goos
            and self.env.get("GOARCH", self.host_goarch) == self.host_goarch
        )
        if cross and not native and not (self.cc or self.env.get("CC")):
            return False
        return None

    @property
    def compiler(self) -> str | None:
        return self.cc or self.env.get("CC") or None


class LogFacts:
    """Accumulates the facts a log shows, line by line (only lines holding a fact literal)."""

    def __init__(self) -> None:
        self.env: dict[str, str] = {}
        self.markers: set[str] = set()
        self.cc: str | None = None
        self.host_goos: str | None = None
        self.host_goarch: str | None = None
        self.workspace: str | None = None
        self.output_target: Target | None = None

    def read(self, text: str, kinds: Iterable[Kind]) -> None:
        """Read the facts of ``kinds`` (from ``FACT_LITERALS``) that ``text`` shows (a raw line:
        assignments and markers are found anywhere in it)."""
        for what, name in kinds:
            if what == "env":
                self._assignment(name, text)
            elif what == "marker":
                if name not in self.markers and re.search(_MARKERS[name], text):
                    self.markers.add(name)
            elif what == "version":
                m = _GO_VERSION.search(text)
                if m:
                    self.host_goos, self.host_goarch = m.group("goos"), m.group("goarch")
                    self.env.setdefault("GOVERSION", m.group("version"))
            elif what == "output":
                m = _OUTPUT.search(text)
                if m and self.output_target is None:
                    self.output_target = target_in_file_name(m.group("out"))
            elif what == "cc":
                m = _COMPILER.search(text)
                if m:
                    self.cc = m.group("cc")

    def _assignment(self, name: str, text: str) -> None:
        for m in _assign_regex(name).finditer(text):
            if m.start() and text[m.start() - 1] not in _ASSIGN_BEFORE:
                continue
            value = m.group("sq") if m.group("sq") is not None else m.group("dq")
            if value is None:
                value = m.group("bare") or ""
            if value and not value.startswith("$"):
                self.env[name] = value

    def read_paths(self, text: str) -> None:
        """The repository root on a GitHub runner, from any path a line shows."""
        if self.workspace is None and ("/work/" in text or "/__w/" in text):
            m = _WORKSPACE.search(text)
            if m:
                self.workspace = m.group("root")

    def merge_into(self, given: Facts) -> Facts:
        """``given`` with the log's facts filling what it leaves unknown."""
        env = {**self.env, **given.env}
        if self.workspace and "GITHUB_WORKSPACE" not in env:
            env["GITHUB_WORKSPACE"] = self.workspace.rstrip("/")
        return dataclasses.replace(
            given,
            cc=given.cc or self.cc,
            host_goos=given.host_goos or self.host_goos,
            host_goarch=given.host_goarch or self.host_goarch,
            env=env,
            markers=given.markers | frozenset(self.markers),
            output_target=given.output_target or self.output_target,
        )


def target_in_file_name(path: str) -> Target | None:
    """``app-linux-arm64``, ``hello_windows_386.exe``: a GOOS next to a GOARCH in a file name."""
    parts = _NAME_PARTS.split(path.replace("\\", "/").rsplit("/", 1)[-1])
    goos, goarch = set(known_goos()), set(known_goarch())
    for first, second in itertools.pairwise(parts):
        if first in goos and second in goarch:
            return Target(goos=first, goarch=second)
    return None


def target_in_compiler(command: str) -> Target | None:
    """The target a C compiler's GNU triplet names: ``aarch64-linux-gnu-gcc-12`` is linux/arm64,
    ``i686-w64-mingw32-gcc`` windows/386 (from targets.json, the table the fixes use)."""
    from ..targets import table

    words = command.split()
    name = words[0].replace("\\", "/").rsplit("/", 1)[-1] if words else ""
    if "-" not in name:
        return None
    for goarch, row in table()["windows_gcc"].items():
        if (
            isinstance(row, Mapping)
            and row.get("cc")
            and name.startswith(str(row["cc"]).rsplit("-", 1)[0] + "-")
        ):
            return Target(goos="windows", goarch=goarch)
    for goarch, info in table()["arch"].items():
        gnus = [info.get("gnu"), *(info.get("gnu_by_variant") or {}).values()]
        for gnu in gnus:
            if gnu and name.startswith(gnu + "-"):
                return Target(goos="linux", goarch=goarch)
    return None
