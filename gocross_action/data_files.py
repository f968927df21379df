"""Locate and load the data files that ship inside the package (tables, rules, schemas)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from importlib.abc import Traversable


def package_file(*parts: str) -> Traversable:
    """A file shipped in the package, e.g. ``package_file("data", "targets.json")``."""
    node = resources.files("gocross_action")
    for part in parts:
        node = node.joinpath(part)
    return node


@cache
def load_json(*parts: str) -> Any:
    """Parse a JSON file shipped in the package (cached: the files never change at run time)."""
    return json.loads(package_file(*parts).read_text(encoding="utf-8"))


def schema(name: str) -> dict[str, Any]:
    """A JSON Schema shipped in ``gocross_action/schemas`` (``name`` without ``.schema.json``)."""
    loaded: dict[str, Any] = load_json("schemas", f"{name}.schema.json")
    return loaded
