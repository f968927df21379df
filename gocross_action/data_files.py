"""Locate and load the data files that ship inside the package (tables, rules, schemas)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

# The package is always installed as files (setuptools, not zipped), so a path beside this module
# is enough; importlib.resources would add to the start-up that inspect and diagnose are timed on.
_PACKAGE = Path(__file__).resolve().parent


def package_file(*parts: str) -> Path:
    """A file shipped in the package, e.g. ``package_file("data", "targets.json")``."""
    return _PACKAGE.joinpath(*parts)


@cache
def load_json(*parts: str) -> Any:
    """Parse a JSON file shipped in the package (cached: the files never change at run time)."""
    return json.loads(package_file(*parts).read_text(encoding="utf-8"))


def schema(name: str) -> dict[str, Any]:
    """A JSON Schema shipped in ``gocross_action/schemas`` (``name`` without ``.schema.json``)."""
    loaded: dict[str, Any] = load_json("schemas", f"{name}.schema.json")
    return loaded
