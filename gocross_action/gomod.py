"""go.mod and go.sum, read as text: the lines the probes need (go, toolchain, require)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_DIRECTIVE = re.compile(r"^(go|toolchain|module)\s+(\S+)")
_REQUIRE_ONE = re.compile(r"^require\s+(\S+)\s+(\S+)")
_REQUIRE_ITEM = re.compile(r"^(\S+)\s+(v\S+)")


@dataclass(frozen=True, kw_only=True)
class Require:
    path: str
    version: str
    indirect: bool


@dataclass(frozen=True, kw_only=True)
class GoMod:
    path: Path
    module: str | None
    go: str | None
    toolchain: str | None
    requires: tuple[Require, ...]
    go_line: int | None = None


def find(start: Path) -> Path | None:
    """The go.mod that governs ``start`` (as cmd/go finds it: the nearest one upwards)."""
    here = start.resolve()
    for directory in (here, *here.parents):
        candidate = directory / "go.mod"
        if candidate.is_file():
            return candidate
    return None


def _strip_comment(line: str) -> tuple[str, str]:
    code, _, comment = line.partition("//")
    return code.strip(), comment.strip()


def parse(path: Path) -> GoMod | None:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    module = go = toolchain = None
    go_line: int | None = None
    requires: list[Require] = []
    in_require = False
    for number, raw in enumerate(text.splitlines(), start=1):
        line, comment = _strip_comment(raw)
        indirect = comment.startswith("indirect")
        if in_require:
            if line.startswith(")"):
                in_require = False
                continue
            item = _REQUIRE_ITEM.match(line)
            if item:
                requires.append(Require(path=item[1].strip('"'), version=item[2], indirect=indirect))
            continue
        if re.match(r"^require\s*\($", line):
            in_require = True
            continue
        one = _REQUIRE_ONE.match(line)
        if one:
            requires.append(Require(path=one[1].strip('"'), version=one[2], indirect=indirect))
            continue
        directive = _DIRECTIVE.match(line)
        if directive:
            if directive[1] == "go":
                go, go_line = directive[2], number
            elif directive[1] == "toolchain":
                toolchain = directive[2]
            else:
                module = directive[2].strip('"')
    return GoMod(
        path=path, module=module, go=go, toolchain=toolchain, requires=tuple(requires), go_line=go_line
    )


def sum_lines(go_mod: Path) -> set[str]:
    """``"path version"`` pairs listed in go.sum beside go.mod (``/go.mod`` suffix dropped)."""
    try:
        text = (go_mod.parent / "go.sum").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return set()
    pairs = set()
    for line in text.splitlines():
        fields = line.split()
        if len(fields) >= 2:
            pairs.add(f"{fields[0]} {fields[1].removesuffix('/go.mod')}")
    return pairs
