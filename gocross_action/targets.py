"""Build targets: ``Target("linux", "arm", variant="7")``, parsed from ``linux/arm/7``.

Syntax and the values no Go release knows are judged here, from ``data/targets.json``; whether
the Go in use can build a known pair is the build step's question (``go tool dist list``).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from .data_files import load_json
from .errors import DataError, UsageError


@cache
def table() -> Mapping[str, Any]:
    """``data/targets.json``, checked for its invariants once per process."""
    data: dict[str, Any] = load_json("data", "targets.json")
    goarch = set(data["goarch"])
    for arch, row in data["arch"].items():
        if arch not in goarch:
            raise DataError(f"targets.json: arch table names unknown GOARCH {arch!r}")
        if row["bits"] not in (32, 64) or row["endian"] not in ("little", "big"):
            raise DataError(f"targets.json: bad bits/endian for {arch!r}")
    for arch in data["variants"]:
        if arch not in goarch:
            raise DataError(f"targets.json: variants table names unknown GOARCH {arch!r}")
    for name in data["default_targets"]:
        goos, goarch_name = name.split("/")
        if goos not in data["goos"] or goarch_name not in goarch:
            raise DataError(f"targets.json: default target {name!r} is not a known pair")
    return data


def known_goos() -> tuple[str, ...]:
    return tuple(table()["goos"])


def known_goarch() -> tuple[str, ...]:
    return tuple(table()["goarch"])


def arch_info(goarch: str) -> Mapping[str, Any] | None:
    """Per-architecture facts (ELF machine, bits, endianness, GNU triplet, cross gcc, qemu)."""
    info: Mapping[str, Any] | None = table()["arch"].get(goarch)
    return info


def cross_toolchain(target: Target) -> Mapping[str, str]:
    """The C cross compiler that fits a Windows or Linux target (Debian's names): ``cc``, ``gnu``
    (Linux's triplet), the packages ``deb``/``apk``/``dnf`` where known, and ``zig``'s target
    name. Empty for other systems. An arm variant is looked up without its ``,softfloat``-like
    suffix."""
    if target.goos == "windows":
        row: Mapping[str, Any] = table()["windows_gcc"].get(target.goarch) or {}
    elif target.goos == "linux":
        info = arch_info(target.goarch) or {}
        base = (target.variant or "").split(",")[0]
        gnu = (info.get("gnu_by_variant") or {}).get(base) or info.get("gnu")
        deb = (info.get("deb_gcc_by_variant") or {}).get(base) or info.get("deb_gcc")
        row = {"cc": f"{gnu}-gcc" if gnu else None, "gnu": gnu, "deb": deb, "zig": info.get("zig")}
    else:
        row = {}
    return {key: str(value) for key, value in row.items() if value}


def suggest(value: str, choices: Iterable[str]) -> str | None:
    """The nearest known name, for did-you-mean hints."""
    choices = list(choices)
    close = difflib.get_close_matches(value, choices, n=1, cutoff=0.5)
    if close:
        return close[0]
    # 'arm32' -> 'arm', 'x86_64' -> no close match by ratio, try prefixes.
    prefixed = [c for c in choices if value.startswith(c) or c.startswith(value)]
    return max(prefixed, key=len) if prefixed else None


def display_name(goos: str | None, goarch: str | None, variant: str | None = None) -> str | None:
    """One naming rule for targets in every report: ``goos/goarch``, plus the variant only when
    it is not Go's default for the architecture (``linux/amd64``, ``linux/arm/6``,
    ``linux/amd64/v3``). None when the pair is not known."""
    if not goos or not goarch:
        return None
    default = (table()["variants"].get(goarch) or {}).get("default")
    name = f"{goos}/{goarch}"
    return f"{name}/{variant}" if variant and str(variant) != str(default) else name


_PART = re.compile(r"^[A-Za-z0-9_.,]+$")


@dataclass(frozen=True, kw_only=True, order=True)
class Target:
    goos: str
    goarch: str
    variant: str | None = None

    def __str__(self) -> str:
        base = f"{self.goos}/{self.goarch}"
        return f"{base}/{self.variant}" if self.variant else base

    @property
    def pair(self) -> str:
        return f"{self.goos}/{self.goarch}"

    @property
    def variant_var(self) -> str | None:
        """The environment variable that carries the variant (GOARM, GOAMD64...), if any."""
        row = table()["variants"].get(self.goarch)
        return None if row is None else str(row["env"])

    def env(self) -> dict[str, str]:
        """GOOS, GOARCH and the variant variable for ``go build``."""
        env = {"GOOS": self.goos, "GOARCH": self.goarch}
        if self.variant and self.variant_var:
            env[self.variant_var] = self.variant
        return env

    @property
    def exe_suffix(self) -> str:
        return ".exe" if self.goos == "windows" else ""

    @classmethod
    def parse(cls, text: str) -> Target:
        """Parse ``goos/goarch[/variant]``; raises ``UsageError`` with a did-you-mean hint."""
        problems = target_problems(text)
        if problems:
            raise UsageError(f"invalid target {text!r}: {problems[0]}")
        parts = text.strip().split("/")
        return cls(goos=parts[0], goarch=parts[1], variant=parts[2] if len(parts) == 3 else None)


def variant_problem(goarch: str, variant: str) -> str | None:
    """Why a variant value is invalid for an architecture, or None when it is valid."""
    row = table()["variants"].get(goarch)
    if row is None:
        return f"GOARCH {goarch!r} takes no variant (got {variant!r})"
    suffixes: list[str] = row.get("suffixes", [])
    base = variant
    for suffix in suffixes:
        if base.endswith(suffix):
            base = base[: -len(suffix)]
            break
    if base in row["values"]:
        return None
    hint = suggest(base, row["values"])
    did_you_mean = f" (did you mean {hint!r}?)" if hint else ""
    values = ", ".join(row["values"])
    return f"{variant!r} is not a valid {row['env']} for {goarch}{did_you_mean}; valid: {values}"


def goos_problem(goos: str) -> str | None:
    if goos in known_goos():
        return None
    hint = suggest(goos, known_goos())
    return f"{goos!r} is not a valid GOOS" + (f" (did you mean {hint!r}?)" if hint else "")


def goarch_problem(goarch: str) -> str | None:
    if goarch in known_goarch():
        return None
    hint = suggest(goarch, known_goarch())
    return f"{goarch!r} is not a valid GOARCH" + (f" (did you mean {hint!r}?)" if hint else "")


def target_problems(text: str) -> list[str]:
    """Every problem with a ``goos/goarch[/variant]`` string (empty when it is well formed and
    every value is known to some Go release)."""
    parts = text.strip().split("/")
    if len(parts) not in (2, 3) or not all(parts) or not all(_PART.match(p) for p in parts):
        return [f"{text!r} is not of the form goos/goarch[/variant] (e.g. linux/arm64, linux/arm/7)"]
    problems = [p for p in (goos_problem(parts[0]), goarch_problem(parts[1])) if p]
    if len(parts) == 3 and not problems:
        problem = variant_problem(parts[1], parts[2])
        if problem:
            problems.append(problem)
    return problems


def split_list(text: str) -> list[str]:
    """Split a comma-, space- or newline-separated list, dropping empty items."""
    return [item for item in re.split(r"[\s,]+", text.strip()) if item]


def parse_list(text: str) -> list[Target]:
    """``--targets linux/amd64,linux/arm/7`` or space/newline separated; all problems at once."""
    items = split_list(text)
    problems = [f"{item}: {p}" for item in items for p in target_problems(item)]
    if problems:
        raise UsageError("invalid --targets: " + "; ".join(problems))
    if not items:
        raise UsageError("--targets is empty")
    return [Target.parse(item) for item in items]


def default_targets() -> list[Target]:
    return [Target.parse(t) for t in table()["default_targets"]]
