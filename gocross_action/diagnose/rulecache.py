"""A cache of the validated built-in rules, keyed by the hash of the rule files and the tool
version: YAML parsing and schema validation run once per change, not at every start-up.

Stored under ``$XDG_CACHE_HOME/gocross`` (or ``~/.cache/gocross``); any problem reading or
writing it just means the rules are validated again.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from .. import __version__, user_cache
from ..findings import Severity
from .rules import Pattern, Rule

FORMAT = 1


def directory() -> Path | None:
    """gocross's user cache (``user_cache.configured``); None, and no cache, without one."""
    return user_cache.configured()


def key(files: list[tuple[str, str]]) -> str:
    digest = hashlib.sha256(f"{FORMAT}:{__version__}".encode())
    for name, text in files:
        digest.update(b"\0" + name.encode() + b"\0" + text.encode("utf-8"))
    return digest.hexdigest()[:32]


def _to_json(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "category": rule.category,
        "title": rule.title,
        "severity": rule.severity.value,
        "confidence": rule.confidence,
        "priority": rule.priority,
        "patterns": [
            {
                "regex": p.regex,
                "literals": list(p.literals),
                "next_regex": p.next_regex,
                "next_literals": list(p.next_literals),
                "within": p.within,
            }
            for p in rule.patterns
        ],
        "root_cause": rule.root_cause,
        "when": rule.when,
        "fixes": list(rule.fixes),
        "links": list(rule.links),
        "symptom": rule.symptom,
        "explains": list(rule.explains),
        "examples_match": list(rule.examples_match),
        "examples_no_match": list(rule.examples_no_match),
        "source": rule.source,
    }


def _from_json(d: dict[str, Any]) -> Rule:
    return Rule(
        id=d["id"],
        category=d["category"],
        title=d["title"],
        severity=Severity(d["severity"]),
        confidence=d["confidence"],
        priority=d["priority"],
        patterns=tuple(
            Pattern(
                regex=p["regex"],
                literals=tuple(p["literals"]),
                next_regex=p["next_regex"],
                next_literals=tuple(p["next_literals"]),
                within=p["within"],
            )
            for p in d["patterns"]
        ),
        root_cause=d["root_cause"],
        when=d["when"],
        fixes=tuple(d["fixes"]),
        links=tuple(d["links"]),
        symptom=d["symptom"],
        explains=tuple(d["explains"]),
        examples_match=tuple(d["examples_match"]),
        examples_no_match=tuple(d["examples_no_match"]),
        source=d["source"],
    )


def read(cache_key: str) -> list[Rule] | None:
    where = directory()
    if where is None:
        return None
    try:
        data = json.loads((where / f"rules-{cache_key}.json").read_text(encoding="utf-8"))
        return [_from_json(d) for d in data]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write(cache_key: str, rules: list[Rule]) -> None:
    where = directory()
    if where is None:
        return
    try:
        where.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=where, prefix=".rules-", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump([_to_json(r) for r in rules], out)
        Path(tmp).replace(where / f"rules-{cache_key}.json")
    except OSError:
        return
