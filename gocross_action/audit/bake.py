"""Which Dockerfiles ``docker-bake.hcl`` and compose files build, for which platforms.

Bake's HCL is read line by line for the attributes that matter here (``target "x" {``,
``context``, ``dockerfile``, ``platforms``), not evaluated: variables and functions are left
alone. Compose files are YAML: ``services.<name>.build`` (a context string or a mapping with
``context``/``dockerfile``/``platforms``) and ``services.<name>.platform``."""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

_BLOCK = re.compile(r'^\s*target\s+"([^"]*)"\s*\{')
_ATTR = re.compile(r"^\s*(context|dockerfile|platforms)\s*=\s*(.*)$")
_STRING = re.compile(r'"([^"]*)"')


@dataclass(frozen=True, kw_only=True)
class Build:
    dockerfile: str  # relative to the repository
    context: str
    platforms: tuple[str, ...]
    source: str  # file:line


def _join(base: str, relative: str) -> str:
    parts = [p for p in f"{base}/{relative}".split("/") if p not in ("", ".")]
    return "/".join(parts)


def from_bake(text: str, path: str) -> list[Build]:
    """The targets of a bake file (``path`` is the file's repository-relative path)."""
    base = path.rsplit("/", 1)[0] if "/" in path else ""
    out: list[Build] = []
    current: dict[str, object] | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        block = _BLOCK.match(line)
        if block:
            if current is not None:
                out.append(_bake_build(current, base))
            current = {"line": number, "source": f"{path}:{number}"}
            continue
        attr = _ATTR.match(line)
        if attr and current is not None:
            values = _STRING.findall(attr[2])
            current[attr[1]] = tuple(values) if attr[1] == "platforms" else (values[0] if values else "")
    if current is not None:
        out.append(_bake_build(current, base))
    return out


def _bake_build(block: dict[str, object], base: str) -> Build:
    context = _join(base, str(block.get("context") or "."))
    dockerfile = _join(context, str(block.get("dockerfile") or "Dockerfile"))
    platforms = block.get("platforms")
    return Build(
        dockerfile=dockerfile,
        context=context,
        platforms=tuple(platforms) if isinstance(platforms, tuple) else (),
        source=str(block["source"]),
    )


def from_compose(text: str, path: str) -> list[Build]:
    base = path.rsplit("/", 1)[0] if "/" in path else ""
    from .workflows import MAX_FLOW_DEPTH, flow_depth

    if flow_depth(text) > MAX_FLOW_DEPTH:
        return []
    try:
        data = yaml.safe_load(text)
    except (yaml.YAMLError, RecursionError):
        return []
    services = data.get("services") if isinstance(data, dict) else None
    out: list[Build] = []
    for name, service in (services or {}).items() if isinstance(services, dict) else []:
        if not isinstance(service, dict) or "build" not in service:
            continue
        build = service["build"]
        if isinstance(build, str):
            build = {"context": build}
        if not isinstance(build, dict):
            continue
        context = _join(base, str(build.get("context") or "."))
        platforms = build.get("platforms") or ([service["platform"]] if service.get("platform") else [])
        out.append(
            Build(
                dockerfile=_join(context, str(build.get("dockerfile") or "Dockerfile")),
                context=context,
                platforms=tuple(str(p) for p in platforms if isinstance(p, str)),
                source=f"{path} (service {name})",
            )
        )
    return out
