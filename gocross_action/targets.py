"""Build targets: ``Target("linux", "arm", variant="7")``, parsed from ``linux/arm/7``.

Syntax and the values no Go release knows are judged here, from ``data/targets.json``; whether
the Go in use can build a known pair is the build step's question (``go tool dist list``).
"""

from __future__ import annotations

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


@cache
def aliases() -> Mapping[str, Any]:
    """``data/aliases.json``: names people type (uname -m, Debian, Docker, LLVM triples) -> Go's,
    checked once: every alias names a known GOOS, or a known GOARCH with a valid variant."""
    data: dict[str, Any] = load_json("data", "aliases.json")
    for name, value in data["goarch"].items():
        goarch, _, variant = value.partition("/")
        if goarch not in table()["goarch"] or (variant and variant_problem(goarch, variant)):
            raise DataError(f"aliases.json: {name!r} maps to {value!r}, not a Go architecture")
    for name, value in data["goos"].items():
        if value not in table()["goos"]:
            raise DataError(f"aliases.json: {name!r} maps to unknown GOOS {value!r}")
    for name, value in data["arm_abi"].items():
        if variant_problem("arm", value):
            raise DataError(f"aliases.json: ABI {name!r} maps to invalid GOARM {value!r}")
    return data


def goarch_alias(name: str) -> str | None:
    """Go's ``goarch[/variant]`` for an architecture name people type (``aarch64`` -> ``arm64``,
    ``armv7l`` -> ``arm/7``); None when it is already Go's name or unknown."""
    key = name.strip().lower()
    if key in table()["goarch"]:
        return None
    value: str | None = aliases()["goarch"].get(key)
    return value


def goos_alias(name: str) -> str | None:
    """Go's GOOS for a system name people type (``macos`` -> ``darwin``); None otherwise."""
    key = name.strip().lower()
    if key in table()["goos"]:
        return None
    value: str | None = aliases()["goos"].get(key)
    return value


def _arch(word: str) -> tuple[str, str | None] | None:
    word = word.lower()
    if word in table()["goarch"]:
        return word, None
    alias = goarch_alias(word)
    if alias is None:
        return None
    goarch, _, variant = alias.partition("/")
    return goarch, variant or None


def _os(word: str) -> str | None:
    word = word.lower()
    return word if word in table()["goos"] else goos_alias(word)


def go_target(text: str) -> Target | None:
    """The Go target a name people type means, or None: ``linux/aarch64``, ``darwin/x86_64``,
    Docker's ``linux/arm/v7``, a GNU/LLVM triple (``aarch64-linux-gnu``,
    ``x86_64-apple-darwin``, ``x86_64-w64-mingw32``, ``arm-linux-gnueabihf``)."""
    text = text.strip()
    found: tuple[str | None, tuple[str, str | None] | None, str | None]
    if "/" in text:
        parts = text.split("/")
        if len(parts) not in (2, 3):
            return None
        arch = _arch(parts[1])
        given = parts[2].lower() if len(parts) == 3 else None
        if given and arch is not None:
            bare = given.removeprefix("v") if arch[0] == "arm" else given
            # Docker's arm64/v8 is plain arm64; amd64/v3 is GOAMD64=v3.
            given = None if arch[0] == "arm64" and bare in ("v8", "8") else bare
        found = (_os(parts[0]), arch, given)
    elif "-" in text:
        words = text.lower().split("-")
        arch = _arch(words[0])
        systems = [s for s in (_os(w) for w in words[1:]) if s]
        goos = "ios" if "ios" in systems else (systems[0] if systems else None)
        if goos is None and any(w.startswith(("gnu", "musl", "eabi")) for w in words[1:]):
            goos = "linux"
        abi = next((aliases()["arm_abi"][w] for w in words[1:] if w in aliases()["arm_abi"]), None)
        found = (goos, arch, abi if arch is not None and arch[0] == "arm" and arch[1] is None else None)
    else:
        return None
    goos, arch, variant = found
    if goos is None or arch is None:
        return None
    goarch, alias_variant = arch
    variant = variant or alias_variant
    if variant and variant_problem(goarch, variant):
        return None
    target = Target(goos=goos, goarch=goarch, variant=variant)
    return None if str(target) == text else target


def suggest(value: str, choices: Iterable[str]) -> str | None:
    """The nearest known name, for did-you-mean hints."""
    import difflib  # only for a mistyped name: kept out of every command's start-up

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
    """A GOOS/GOARCH port, with its sub-architecture (GOARM=7, GOAMD64=v3...) when one is set."""

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
    hint = goos_alias(goos) or suggest(goos, known_goos())
    return f"{goos!r} is not a valid GOOS" + (f" (did you mean {hint!r}?)" if hint else "")


def goarch_problem(goarch: str) -> str | None:
    if goarch in known_goarch():
        return None
    alias = goarch_alias(goarch)
    if alias and "/" in alias:
        base, _, variant = alias.partition("/")
        var = table()["variants"][base]["env"]
        return f"{goarch!r} is not a valid GOARCH (did you mean {base!r} with {var}={variant}?)"
    hint = alias or suggest(goarch, known_goarch())
    return f"{goarch!r} is not a valid GOARCH" + (f" (did you mean {hint!r}?)" if hint else "")


def target_problems(text: str) -> list[str]:
    """Every problem with a ``goos/goarch[/variant]`` string (empty when it is well formed and
    every value is known to some Go release)."""
    parts = text.strip().split("/")
    if len(parts) not in (2, 3) or not all(parts) or not all(_PART.match(p) for p in parts):
        meant = go_target(text) if "/" not in text.strip() else None
        hint = f" (did you mean {str(meant)!r}?)" if meant else " (e.g. linux/arm64, linux/arm/7)"
        return [f"{text!r} is not of the form goos/goarch[/variant]{hint}"]
    problems = [p for p in (goos_problem(parts[0]), goarch_problem(parts[1])) if p]
    if len(parts) == 3 and not problems:
        problem = variant_problem(parts[1], parts[2])
        if problem:
            problems.append(problem)
    meant = go_target(text) if problems else None
    # The whole target when the system or the variant part was off too (Docker's linux/arm/v7,
    # macos/arm64); a wrong architecture alone keeps its own hint ('aarch64' -> 'arm64').
    if meant is not None and (meant.goos != parts[0] or len(parts) == 3):
        # The whole target people meant, not a hint per part ('linux/aarch64' -> 'linux/arm64').
        problems = [re.sub(r" \(did you mean [^)]*\)", "", p) for p in problems]
        problems[0] += f" (did you mean {str(meant)!r}?)"
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
