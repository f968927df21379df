"""Deploy systems: where a binary will run, and which C library it finds there.

The table is data (``data/deploy.json``); this module resolves what users write (``debian:bullseye``,
``gcr.io/distroless/static-debian12``, ``alpine:3.20``, ``{glibc: "2.31"}``) to a ``DeploySystem``.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, NamedTuple

from .data_files import load_json
from .errors import DataError, UsageError

LIBC_FAMILIES = ("glibc", "musl", "none")
_GLIBC_VERSION = re.compile(r"^2\.\d{1,3}$")
_MAPPING_KEYS = ("name", "libc", "glibc")


@dataclass(frozen=True, kw_only=True)
class DeploySystem:
    """A system binaries are deployed to. ``libc`` is glibc, musl or none (only static binaries
    run); ``glibc`` is the "2.31" version for glibc systems (None when unknown or not glibc)."""

    name: str
    title: str
    libc: str
    glibc: str | None = None
    common: bool = False

    @property
    def glibc_key(self) -> tuple[int, int] | None:
        return None if self.glibc is None else version_key(self.glibc)


def glibc_option(text: str) -> str:
    """The value of ``--glibc-max`` (an argparse ``type``): checked before anything runs."""
    import argparse

    if not _GLIBC_VERSION.match(text):
        raise argparse.ArgumentTypeError(f"must look like 2.31, not {text!r}")
    return text


def version_key(version: str) -> tuple[int, int]:
    """``"2.31"`` -> ``(2, 31)``; for comparing glibc versions as numbers, not strings."""
    major, _, minor = version.partition(".")
    return int(major), int(minor or 0)


class _Table(NamedTuple):
    """deploy.json read once: every system, by name and alias, and the alias patterns."""

    systems: tuple[DeploySystem, ...]
    exact: Mapping[str, DeploySystem]
    patterns: tuple[tuple[str, DeploySystem], ...]


@cache
def _table() -> _Table:
    data: dict[str, Any] = load_json("data", "deploy.json")
    if "_sources" not in data:
        raise DataError("deploy.json: _sources is missing")
    systems: list[DeploySystem] = []
    exact: dict[str, DeploySystem] = {}
    patterns: list[tuple[str, DeploySystem]] = []
    for row in data["systems"]:
        system = DeploySystem(
            name=row["name"],
            title=row["title"],
            libc=row["libc"],
            glibc=row["glibc"],
            common=bool(row.get("common", False)),
        )
        _check_row(system)
        systems.append(system)
        for alias in dict.fromkeys(a.lower() for a in (system.name, *row["aliases"])):
            key = alias
            if "*" in key:
                patterns.append((key, system))
                continue
            if key in exact:
                raise DataError(f"deploy.json: {alias!r} names both {exact[key].name} and {system.name}")
            exact[key] = system
    return _Table(tuple(systems), exact, tuple(patterns))


def _check_row(system: DeploySystem) -> None:
    if system.libc not in LIBC_FAMILIES:
        raise DataError(f"deploy.json: {system.name}: libc {system.libc!r} is not one of {LIBC_FAMILIES}")
    if system.libc == "glibc":
        if system.glibc is None or not _GLIBC_VERSION.match(system.glibc):
            raise DataError(f"deploy.json: {system.name}: glibc system without a 2.N glibc version")
    elif system.glibc is not None:
        raise DataError(f"deploy.json: {system.name}: a {system.libc} system cannot carry a glibc version")


def systems() -> tuple[DeploySystem, ...]:
    """Every system in the table, in table order."""
    return _table().systems


def known_names() -> list[str]:
    """The canonical names (``debian-12``, ``alpine``, ``scratch``...), for help and hints."""
    return [s.name for s in _table().systems]


def common_systems() -> list[DeploySystem]:
    """Widely deployed glibc systems, oldest glibc first."""
    found = [s for s in _table().systems if s.common and s.glibc_key is not None]
    return sorted(found, key=lambda s: (s.glibc_key or (0, 0), s.name))


def _candidates(spec: str) -> list[str]:
    """What a user wrote, then looser spellings: without registry, digest, ``-slim`` tags or a
    point release (``debian:12.5`` -> ``debian:12``)."""
    text = spec.strip().lower().split("@", 1)[0]
    for prefix in ("docker.io/", "index.docker.io/", "library/"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    out = [text]
    repo, sep, tag = text.rpartition(":")
    if sep and "/" not in tag:
        base = tag.split("-", 1)[0]
        out.append(f"{repo}:{base}")
        if re.fullmatch(r"\d+\.\d+", base) and repo not in ("ubuntu",):
            out.append(f"{repo}:{base.split('.')[0]}")
        if tag == "latest":
            out.append(repo)
    return out


def _lookup(spec: str) -> DeploySystem | None:
    table = _table()
    candidates = _candidates(spec)
    for candidate in candidates:
        if candidate in table.exact:
            return table.exact[candidate]
    for candidate in candidates:
        for pattern, system in table.patterns:
            if fnmatch.fnmatchcase(candidate, pattern):
                return system
    return None


def _from_mapping(spec: Mapping[str, str]) -> DeploySystem:
    unknown = sorted(set(spec) - set(_MAPPING_KEYS))
    if unknown:
        raise UsageError(f"deploy system {dict(spec)!r}: unknown key {unknown[0]!r} (use name, libc, glibc)")
    glibc = spec.get("glibc")
    libc = spec.get("libc", "glibc" if glibc is not None else None)
    if libc is None:
        raise UsageError(f'deploy system {dict(spec)!r}: give glibc: "2.N" or libc: glibc|musl|none')
    if libc not in LIBC_FAMILIES:
        raise UsageError(f"deploy system {dict(spec)!r}: libc must be one of {', '.join(LIBC_FAMILIES)}")
    if glibc is not None:
        glibc = str(glibc)
        if libc != "glibc":
            raise UsageError(f"deploy system {dict(spec)!r}: a glibc version needs libc: glibc")
        if not _GLIBC_VERSION.match(glibc):
            raise UsageError(f'deploy system {dict(spec)!r}: glibc must look like "2.31", not {glibc!r}')
    default_name = f"glibc {glibc}" if glibc else libc
    name = str(spec.get("name") or default_name)
    return DeploySystem(name=name, title=name, libc=libc, glibc=glibc)


def resolve(spec: str | Mapping[str, str]) -> DeploySystem:
    """The deploy system a config entry or ``--deploy`` value names; ``UsageError`` listing the
    known names when there is none."""
    if isinstance(spec, Mapping):
        return _from_mapping(spec)
    text = str(spec).strip()
    match = re.fullmatch(r"glibc[-: ]?(2\.\d+)", text.lower())
    if match:
        return DeploySystem(
            name=f"glibc {match.group(1)}",
            title=f"glibc {match.group(1)}",
            libc="glibc",
            glibc=match.group(1),
        )
    if text.lower() in ("musl",):
        return DeploySystem(name="musl", title="a musl system", libc="musl")
    system = _lookup(text)
    if system is None:
        from .targets import suggest

        hint = suggest(text.lower(), [*known_names(), *_table().exact])
        did_you_mean = f" (did you mean {hint!r}?)" if hint else ""
        raise UsageError(
            f"unknown deploy system {text!r}{did_you_mean}; known: {', '.join(known_names())}, "
            'or an image such as debian:bullseye, or {glibc: "2.31"}'
        )
    return system
