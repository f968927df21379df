"""Fixes that fit the situation: a rule's fix templates filled in from the target, the facts
and what the matched lines captured (the cross compiler package for that target, its apk/dnf
equivalents, workflow ``env:`` lines, a zig cc alternative, Dockerfile lines...).

A snippet whose placeholders cannot all be filled is left out rather than shown half-right.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from ..findings import Changes, Fix, Snippet
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
    """Debian architecture names by GOARCH (for multiarch -dev packages), the probes' table."""
    from ..probe.system import data

    names: Mapping[str, str] = data()["debian_arch"]
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
        return Fix(summary=summary, snippets=tuple(snippets), changes=changes or None)
    return None
