"""What the repository's Go sources say without running go: the go.mod files, and whether the
code needs cgo (a package that imports "C", or a required module known to)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..data_files import load_json
from .files import Repository, walk

MAX_GO_FILES = 2000
_IMPORT_C = re.compile(r'^[ \t]*import[ \t]+"C"|^[ \t]*"C"[ \t]*$', re.MULTILINE)
_HEADER_BYTES = 16 * 1024  # imports come first in a Go file


@dataclass(frozen=True, kw_only=True)
class CgoNeed:
    """Why the module needs cgo: a file importing "C" or a cgo module, with the place it is named."""

    reason: str
    path: str
    line: int | None


@cache
def cgo_modules() -> frozenset[str]:
    """Modules whose packages need cgo (the rows of the shared cgo-modules table that say so)."""
    rows = load_json("data", "cgo-modules.json")["modules"]
    return frozenset(row["module"] for row in rows if row.get("needs_cgo"))


def go_mod_files(repo: Repository, limit: int = 50) -> list[Path]:
    return [p for p in walk(repo) if p.name == "go.mod"][:limit]


def cgo_need(repo: Repository) -> CgoNeed | None:
    """The first reason the repository's Go code needs cgo, or None."""
    go_files = 0
    for path in walk(repo):
        if path.name == "go.mod":
            mod = repo.read(path) or ""
            for number, row in enumerate(mod.splitlines(), start=1):
                fields = row.replace("require", " ").split()
                if fields and fields[0].strip('"') in cgo_modules():
                    return CgoNeed(reason=f"requires {fields[0]}", path=repo.relative(path), line=number)
        elif path.suffix == ".go" and not path.name.endswith("_test.go"):
            go_files += 1
            if go_files > MAX_GO_FILES:
                return None
            text = repo.read(path)
            if text is None:
                continue
            match = _IMPORT_C.search(text[:_HEADER_BYTES])
            if match is not None:
                line = text.count("\n", 0, match.start()) + 1
                return CgoNeed(reason='imports "C"', path=repo.relative(path), line=line)
    return None
