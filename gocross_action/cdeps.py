"""What C dependencies cost: the well-known cgo modules (``data/cgo-modules.json``) and which
system package provides a C header, library or pkg-config name (``data/c-packages.json``).

Both tables are checked for invariants once, when first used: every header, library and
pkg-config name points at a known package; every module's libraries are known packages.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from .data_files import load_json
from .errors import DataError
from .targets import Target

MANAGERS = ("apt", "apk", "dnf", "brew", "choco")
_DNF_DISTROS = frozenset({"fedora", "rhel", "centos", "rocky", "almalinux", "ol", "amzn"})
_DEB_KEY = {"apt": "deb", "apk": "apk", "dnf": "dnf", "brew": "brew", "choco": "choco"}


@dataclass(frozen=True, kw_only=True)
class CgoModule:
    """One row of the well-known cgo modules table."""

    module: str
    needs_cgo: bool
    packages: tuple[str, ...] = ()
    no_cgo_goos: tuple[str, ...] = ()
    stub: str | None = None
    bundled: tuple[str, ...] | None = None
    libraries: Mapping[str, tuple[str, ...]] | None = None
    tags: Mapping[str, str] | None = None
    version_error: str | None = None
    alternative: str | None = None

    def needs_cgo_for(self, goos: str | None) -> bool:
        return self.needs_cgo and goos not in self.no_cgo_goos

    def libraries_for(self, goos: str | None) -> tuple[str, ...]:
        return tuple((self.libraries or {}).get(goos or "", ()))

    def has_bundle_for(self, target: Target) -> bool:
        return self.bundled is None or target.pair in self.bundled


@cache
def _packages_data() -> Mapping[str, Any]:
    data: dict[str, Any] = load_json("data", "c-packages.json")
    packages = data["packages"]
    for table in ("headers", "libraries", "pkgconfig"):
        for name, key in data[table].items():
            if key not in packages:
                raise DataError(f"c-packages.json: {table}[{name!r}] names unknown package {key!r}")
    if set(data["managers"]) != set(MANAGERS):
        raise DataError(f"c-packages.json: managers must be exactly {', '.join(MANAGERS)}")
    return data


@cache
def cgo_modules() -> tuple[CgoModule, ...]:
    """The well-known cgo modules, checked against the package table."""
    packages = _packages_data()["packages"]
    rows = []
    for raw in load_json("data", "cgo-modules.json")["modules"]:
        libraries = {k: tuple(v) for k, v in (raw.get("libraries") or {}).items()}
        for names in libraries.values():
            for name in names:
                if name not in packages:
                    raise DataError(f"cgo-modules.json: {raw['module']} needs unknown package {name!r}")
        rows.append(
            CgoModule(
                module=raw["module"],
                needs_cgo=bool(raw["needs_cgo"]),
                packages=tuple(raw.get("packages") or ()),
                no_cgo_goos=tuple(raw.get("no_cgo_goos") or ()),
                stub=raw.get("stub"),
                bundled=tuple(raw["bundled"]) if "bundled" in raw else None,
                libraries=libraries,
                tags=dict(raw.get("tags") or {}),
                version_error=raw.get("version_error"),
                alternative=raw.get("alternative"),
            )
        )
    return tuple(rows)


def module_for(path: str) -> CgoModule | None:
    """The table's row for a module path (``/v2`` major suffixes and subpackages included)."""
    for row in cgo_modules():
        if path == row.module or path.startswith(row.module + "/"):
            return row
    return None


def package_for(kind: str, name: str) -> str | None:
    """The package key that provides a ``header``, ``library`` (``-l`` name) or ``pkgconfig`` name."""
    table = {"header": "headers", "library": "libraries", "pkgconfig": "pkgconfig"}[kind]
    found: str | None = _packages_data()[table].get(name)
    return found


def package_names(key: str) -> Mapping[str, str]:
    """A package's names by manager field (deb, apk, dnf, brew, windows)."""
    names: Mapping[str, str] = _packages_data()["packages"][key]
    return names


def manager_for(*, distribution: str | None, host_goos: str | None, markers: Iterable[str] = ()) -> str:
    """The package manager of the system a log or probe came from: apk on Alpine, dnf on the
    Fedora/RHEL family, brew on macOS, choco on Windows, else apt."""
    marks = set(markers)
    if host_goos == "darwin":
        return "brew"
    if host_goos == "windows":
        return "choco"
    distro = (distribution or "").lower()
    if distro == "alpine" or "alpine" in marks:
        return "apk"
    if distro in _DNF_DISTROS:
        return "dnf"
    return "apt"


def runner_is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


@dataclass(frozen=True, kw_only=True)
class Install:
    """One install line for a set of packages, with what it costs."""

    manager: str
    packages: tuple[str, ...]
    commands: tuple[str, ...]
    needs_root: bool
    undo: str
    missing: tuple[str, ...] = ()  # package keys with no name for this manager


def install(
    keys: Sequence[str], *, target: Target, manager: str, host_goarch: str | None, root: bool | None
) -> Install | None:
    """The install commands for package keys on ``manager``'s system. Debian multiarch
    (``pkg:arm64`` after ``dpkg --add-architecture arm64``) only when the target's architecture
    differs from the host's; ``sudo`` only when the runner is not root (unknown: apt and dnf get
    sudo, apk, which runs in containers as root, does not)."""
    spec = _packages_data()["managers"][manager]
    field = _DEB_KEY[manager]
    if manager != "apt" and host_goarch and target.goarch != host_goarch:
        return None  # no multiarch: the packages would be the host's, not the target's
    names: list[str] = []
    missing = []
    for key in dict.fromkeys(keys):
        name = package_names(key).get(field)
        if name is None:
            missing.append(key)
        elif name not in names:
            names.append(name)
    if not names:
        return None
    commands: list[str] = []
    foreign = None
    if manager == "apt" and host_goarch and target.goos == "linux" and target.goarch != host_goarch:
        from .probe.system import data as system_data

        foreign = system_data()["debian_arch"].get(target.goarch)
        if foreign:
            names = [f"{n}:{foreign}" for n in names]
            commands.append(f"dpkg --add-architecture {foreign}")
    if spec.get("update") and manager == "apt":
        commands.append(spec["update"])
    commands.append(f"{spec['install']} {' '.join(names)}")
    needs_root = bool(spec["root"])
    sudo = needs_root and (not root if root is not None else manager != "apk")
    if sudo:
        commands = [f"sudo {c}" for c in commands]
    undo = f"{'sudo ' if sudo else ''}{spec['remove']} {' '.join(names)}"
    if foreign:
        undo += f" && {'sudo ' if sudo else ''}dpkg --remove-architecture {foreign}"
    return Install(
        manager=manager,
        packages=tuple(names),
        commands=tuple(commands),
        needs_root=needs_root,
        undo=undo,
        missing=tuple(missing),
    )
