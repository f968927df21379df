"""The config reference generated from ``schemas/config.schema.json``: every key as a dotted
path, with its type, default and meaning. The README's table is this output (a test keeps them
equal; ``pytest --update-golden`` rewrites it)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .data_files import schema


def _key_nodes() -> list[tuple[str, Mapping[str, Any]]]:
    root = schema("config")
    out: list[tuple[str, Mapping[str, Any]]] = []

    def walk(node: Mapping[str, Any], prefix: str) -> None:
        for key, sub in node.get("properties", {}).items():
            name = f"{prefix}{key}"
            out.append((name, sub))
            walk(sub, f"{name}.")
            for option in sub.get("items", {}).get("anyOf", ()):
                ref = option.get("$ref")
                if ref and not ref.endswith("/rule-object"):  # the rule format has its own docs
                    walk(root["$defs"][ref.rsplit("/", 1)[-1]], f"{name}[].")

    walk(root, "")
    return out


def key_paths() -> list[str]:
    """Every key the schema knows, as dotted paths (``targets[].goarch``, ``build.flags``), in
    schema order: the list the README's config reference must show."""
    return [name for name, _node in _key_nodes()]


def _type_words(node: Mapping[str, Any]) -> str:
    if "$ref" in node:
        target = schema("config")["$defs"][str(node["$ref"]).rsplit("/", 1)[-1]]
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    if "enum" in node:
        return " \\| ".join(f"`{v}`" for v in node["enum"])
    if "anyOf" in node:
        return " or ".join(dict.fromkeys(_type_words(option) for option in node["anyOf"]))
    words = {
        "string": "string",
        "boolean": "boolean",
        "array": "list",
        "object": "mapping",
        "integer": "integer",
    }
    kind = node.get("type")
    kinds = [kind] if isinstance(kind, str) else [str(k) for k in kind or ()]
    if kinds == ["array"] and "items" in node:
        item = _type_words(node["items"])
        return "list of strings" if item == "string" else f"list of ({item})"
    return " or ".join(words.get(k, k) for k in kinds)


def reference_table() -> str:
    """The README's config reference: every key of the schema, its type, default and meaning."""
    rows = ["| Key | Type | Default | Meaning |", "|---|---|---|---|"]
    for key, node in _key_nodes():
        default = node.get("default")
        shown = "" if default is None else f"`{default if isinstance(default, str) else json.dumps(default)}`"
        description = str(node.get("description", "")).replace("|", "\\|")
        rows.append(f"| `{key}` | {_type_words(node)} | {shown} | {description} |")
    return "\n".join(rows) + "\n"
