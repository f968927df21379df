"""Fixes that fit the situation: a rule's fix templates filled in from the target, the facts
and what the matched lines captured (the cross compiler package for that target, its apk/dnf
equivalents, workflow ``env:`` lines, a zig cc alternative, Dockerfile lines...).

A snippet whose placeholders cannot all be filled is left out rather than shown half-right.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from .. import cdeps
from ..findings import Changes, Cost, Fix, Snippet
from ..targets import Target, cross_toolchain, go_target
from . import templates
from .conditions import holds
from .facts import Facts

# Placeholders every template may use besides the pattern's named groups.
SITUATION_NAMES = (
    "target",
    "goos",
    "goarch",
    "cross_cc",
    "deb_gcc",
    "apk_gcc",
    "dnf_gcc",
    "zig_target",
    "compiler",
    "workspace",
    "docker_platform",
    "go_version",
    "gnu_triplet",
    "deb_arch",
    "repo",
    "go_pair",
    "go_goos",
    "go_goarch",
    "go_goarm",
)

# cross_toolchain's keys -> placeholder names.
_COMPILER_NAMES = (
    ("cc", "cross_cc"),
    ("gnu", "gnu_triplet"),
    ("deb", "deb_gcc"),
    ("apk", "apk_gcc"),
    ("dnf", "dnf_gcc"),
    ("zig", "zig_target"),
)
_ZIG_DARWIN = {"amd64": "x86_64-macos", "arm64": "aarch64-macos"}


@cache
def _data() -> Mapping[str, Any]:
    """``data/fix-snippets.json``, checked once: every snippet has a language and code lines."""
    from ..data_files import load_json
    from ..errors import DataError

    data: dict[str, Any] = load_json("data", "fix-snippets.json")
    snippets = {}
    for name, spec in data["snippets"].items():
        if set(spec) != {"language", "code"} or not isinstance(spec["code"], list):
            raise DataError(f"fix-snippets.json: snippet {name!r} needs a language and a list of code lines")
        snippets[name] = {"language": spec["language"], "code": "\n".join(spec["code"]) + "\n"}
    return {**data, "snippets": snippets}


def snippet_library() -> Mapping[str, Mapping[str, str]]:
    """Named snippets (``data/fix-snippets.json``) rules pick with ``use:``."""
    snippets: Mapping[str, Mapping[str, str]] = _data()["snippets"]
    return snippets


def _deb_arch() -> Mapping[str, str]:
    """Debian architecture names by GOARCH (for multiarch -dev packages), the probes' table
    (read from ``data/probe.json`` here: importing the probe package costs ``diagnose`` 20 ms)."""
    from ..data_files import load_json

    names: Mapping[str, str] = load_json("data", "probe.json")["debian_arch"]
    return names


def _compilers(target: Target) -> dict[str, str]:
    """The cross C compiler for ``target`` and the packages that provide it."""
    row = cross_toolchain(target)
    out = {name: row[key] for key, name in _COMPILER_NAMES if key in row}
    if target.goos in ("darwin", "ios") and target.goarch in _ZIG_DARWIN:
        out["zig_target"] = _ZIG_DARWIN[target.goarch]
    return out


def go_names(captured: Mapping[str, str]) -> dict[str, str]:
    """Go's names for a GOOS/GOARCH pair the log wrote the way people type it (a captured
    ``pair`` such as ``linux/aarch64`` -> ``go_pair`` ``linux/arm64``, ``go_goos``, ``go_goarch``,
    and ``go_goarm`` for an arm variant)."""
    pair = captured.get("pair")
    meant = go_target(pair) if pair and "/" in pair else None
    if meant is None:
        return {}
    names = {"go_pair": str(meant), "go_goos": meant.goos, "go_goarch": meant.goarch}
    if meant.goarch == "arm" and meant.variant:
        names["go_goarm"] = meant.variant
    return names


def situation(facts: Facts, captured: Mapping[str, str] | None = None) -> dict[str, str]:
    """Every placeholder value known here: the situation's, then the matched line's groups."""
    values: dict[str, str] = {}
    target = facts.effective_target
    if target is not None:
        values.update(target=str(target), goos=target.goos, goarch=target.goarch)
        values.update(_compilers(target))
        deb_arch = _deb_arch().get(target.goarch)
        if deb_arch:
            values["deb_arch"] = deb_arch
        if target.goos == "linux":
            platform = f"linux/{target.goarch}"
            if target.goarch == "arm":
                platform += f"/v{target.variant or '7'}"
            values["docker_platform"] = platform
    else:
        if facts.goos:
            values["goos"] = facts.goos
        if facts.goarch:
            values["goarch"] = facts.goarch
    if facts.compiler:
        values["compiler"] = facts.compiler
    workspace = facts.env.get("GITHUB_WORKSPACE")
    if workspace:
        values["workspace"] = values["repo"] = workspace
    if facts.env.get("GOVERSION"):
        values["go_version"] = facts.env["GOVERSION"]
    for name, value in (captured or {}).items():
        if value:
            values[name] = value
    values.update(go_names(captured or {}))
    return values


def build(
    fixes: tuple[Mapping[str, Any], ...],
    *,
    facts: Facts,
    captured: Mapping[str, str],
    links: tuple[str, ...] = (),
) -> Fix | None:
    """The first fix whose ``when`` holds, filled in for this situation."""
    values = situation(facts, captured)
    derived = {**captured, **go_names(captured)}
    for raw in fixes:
        if not holds(raw.get("when"), facts, derived):
            continue
        summary = templates.render_lenient(raw["summary"].strip(), values, unknown="the target")
        if links:
            summary += f" See {links[0]}"
        library = snippet_library()
        snippets = []
        for spec in [*(library[name] for name in raw.get("use") or ()), *(raw.get("snippets") or ())]:
            code = templates.render(spec["code"], values)
            if code is not None:
                snippets.append(Snippet(language=spec["language"], code=code))
        changes_raw = raw.get("changes") or {}
        env = {}
        for name, template in (changes_raw.get("env") or {}).items():
            value = templates.render(template, values)
            if value is not None:
                env[name] = value
        flags = tuple(f for f in (templates.render(t, values) for t in changes_raw.get("flags") or ()) if f)
        changes = Changes(env=env, flags=flags)
        fix = Fix(summary=summary, snippets=tuple(snippets), changes=changes or None)
        manager = system_manager(facts)
        root = cdeps.runner_is_root() if facts.probes else None
        fix = package_fix(fix, facts=facts, captured=captured, manager=manager, root=root)
        target = facts.effective_target
        return with_cost(fix, target=str(target) if target else None, manager=manager, root=root)
    return None


def system_manager(facts: Facts) -> str:
    """The package manager of the system the log or probe came from."""
    return cdeps.manager_for(
        distribution=facts.distribution, host_goos=facts.host_goos, markers=facts.markers
    )


_CAPTURED_KINDS = (("header", "header"), ("lib", "library"), ("pkg", "pkgconfig"))


def package_fix(
    fix: Fix, *, facts: Facts, captured: Mapping[str, str], manager: str, root: bool | None
) -> Fix:
    """A missing header, library or pkg-config name the package table knows becomes one install
    line naming the package (``pcap.h`` -> ``libpcap-dev``) on the system's package manager."""
    target = facts.effective_target
    if target is None:
        return fix
    found = []
    for group, kind in _CAPTURED_KINDS:
        name = captured.get(group)
        key = cdeps.package_for(kind, name) if name else None
        if key and name:
            found.append((key, name))
    if not found:
        return fix
    return install_fix(found, target=target, manager=manager, host_goarch=facts.host_goarch, root=root) or fix


def install_fix(
    found: Sequence[tuple[str, str]],
    *,
    target: Target,
    manager: str,
    host_goarch: str | None,
    root: bool | None,
) -> Fix | None:
    """The fix installing the packages (keys) that provide the named headers or libraries."""
    what = ", ".join(dict.fromkeys(name for _, name in found))
    keys = [key for key, _ in found]
    if target.goos == "windows":
        sdks = [cdeps.package_names(k).get("windows") for k in keys]
        named = [s for s in dict.fromkeys(sdks) if s]
        if not named:
            return None
        return Fix(
            summary=f"{what} for {target} is not packaged for Linux distributions: get {'; '.join(named)}",
            cost=Cost(needs_root=False, targets=(str(target),), changes_repo=True),
        )
    plan = cdeps.install(keys, target=target, manager=manager, host_goarch=host_goarch, root=root)
    if plan is None:
        return None
    packages = " ".join(plan.packages)
    return Fix(
        summary=f"Install {packages} (provides {what} for {target}) with {plan.manager}",
        snippets=(Snippet(language="bash", code="\n".join(plan.commands) + "\n"),),
        cost=Cost(
            needs_root=plan.needs_root,
            package_manager=plan.manager,
            targets=(str(target),),
            changes_repo=False,
            undo=plan.undo,
        ),
    )


# An install command of each package manager, as snippets write it.
_INSTALLS = {
    "apt": re.compile(r"\bapt(?:-get)? install\b"),
    "apk": re.compile(r"\bapk add\b"),
    "dnf": re.compile(r"\b(?:dnf|yum) install\b"),
    "brew": re.compile(r"\bbrew install\b"),
    "choco": re.compile(r"\bchoco install\b"),
}
_REMOVE = {"apt": "apt-get remove -y", "apk": "apk del", "dnf": "dnf remove -y", "brew": "brew uninstall"}
_INSTALL_ARGS = re.compile(
    r"(?:apt(?:-get)? install|apk add|dnf install|yum install|brew install)((?:\s+\S+)+)"
)
_GO_ENV_W = re.compile(r"\bgo env -w\s+((?:[A-Z0-9_]+=\S+\s*)+)")
_ROOT_COMMANDS = re.compile(r"\b(?:sudo|dpkg|update-alternatives|apt-get|apt|apk add|dnf|yum|choco)\b")


def _manager_of(code: str) -> str | None:
    return next((name for name, pattern in _INSTALLS.items() if pattern.search(code)), None)


def with_cost(fix: Fix, *, target: str | None, manager: str, root: bool | None) -> Fix:
    """The fix with its cost stated, fitted to the system: install snippets for other package
    managers dropped when one for this system is there, ``sudo`` dropped when the runner is root
    (or the system is Alpine, whose builds run as root in containers)."""
    if fix.cost is not None:
        return fix
    snippets = list(fix.snippets)
    shells = [s for s in snippets if s.language == "bash"]
    if any(_manager_of(s.code) == manager for s in shells):
        snippets = [s for s in snippets if s.language != "bash" or _manager_of(s.code) in (None, manager)]
    if root or manager == "apk":
        snippets = [
            dataclasses.replace(s, code=re.sub(r"\bsudo ", "", s.code)) if s.language == "bash" else s
            for s in snippets
        ]
    installs = [s for s in snippets if s.language == "bash" and _manager_of(s.code)]
    used = _manager_of(installs[0].code) if installs else None
    needs_root = any(
        _ROOT_COMMANDS.search(s.code) and _manager_of(s.code) != "brew"
        for s in snippets
        if s.language == "bash"
    )
    changes_repo = bool(fix.changes) or any(s.language in ("yaml", "dockerfile", "go") for s in snippets)
    cost = Cost(
        needs_root=needs_root,
        package_manager=used,
        targets=(target,) if target else (),
        changes_repo=changes_repo,
        undo=_undo(snippets, fix.changes, used, root),
    )
    return dataclasses.replace(fix, snippets=tuple(snippets), cost=cost)


def _undo(
    snippets: Sequence[Snippet], changes: Changes | None, manager: str | None, root: bool | None
) -> str | None:
    shell = "\n".join(s.code for s in snippets if s.language == "bash")
    go_env = _GO_ENV_W.search(shell)
    if go_env:
        names = [word.split("=", 1)[0] for word in go_env.group(1).split()]
        return f"go env -u {' '.join(names)}"
    if manager in _REMOVE:
        args = _INSTALL_ARGS.search(shell)
        packages = [w for w in (args.group(1).split() if args else ()) if not w.startswith("-") and w != "&&"]
        if packages:
            sudo = "sudo " if manager != "brew" and not root and manager != "apk" else ""
            return f"{sudo}{_REMOVE[manager]} {' '.join(packages)}"
    if changes and changes.env:
        return f"remove {', '.join(changes.env)} from the build's environment"
    if changes and changes.flags:
        return f"drop {' '.join(changes.flags)} from the build flags"
    return None
