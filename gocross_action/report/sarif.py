"""SARIF 2.1.0 (for GitHub code scanning and other SARIF viewers): one rule per finding ``rule``
id, with the taxonomy category in its properties and tags, and a location on every result.

A finding without a source position in the repository is anchored to the config file, else the
module's go.mod (``report.context``), at line 1; an absolute path (a file outside the repository)
is named in the message instead.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any
from urllib.parse import quote

from ..findings import Finding, Location
from .model import Report

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/gocross-action/gocross-action"
FALLBACK_ANCHOR = "go.mod"


def render(report: Report) -> str:
    rules: dict[str, dict[str, Any]] = {}
    results: list[dict[str, Any]] = []
    seen_fingerprints: dict[str, int] = {}
    for finding in report.findings:
        if finding.rule not in rules:
            rules[finding.rule] = _rule(finding)
        else:
            _raise_default_level(rules[finding.rule], finding)
        index = list(rules).index(finding.rule)
        results.append(_result(finding, index, report, seen_fingerprints))
    log = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "gocross",
                        "version": report.tool_version,
                        "semanticVersion": _semantic(report.tool_version),
                        "informationUri": INFORMATION_URI,
                        "rules": list(rules.values()),
                    }
                },
                "automationDetails": {"id": f"gocross/{report.context.command}/"},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _semantic(version: str) -> str:
    match = re.match(r"\d+\.\d+\.\d+", version)
    return match.group(0) if match else "0.0.0"


def _pascal(rule_id: str) -> str:
    """``log.cgo-cc-not-found`` -> ``CgoCcNotFound``: SARIF's friendly name differs from the id."""
    local = rule_id.split(".", 1)[-1]
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", local) if part)


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if text.endswith((".", "!", "?")) else text + "."


def _rule(finding: Finding) -> dict[str, Any]:
    rule: dict[str, Any] = {
        "id": finding.rule,
        "name": _pascal(finding.rule) or "Finding",
        "shortDescription": {"text": _sentence(finding.title)},
        "fullDescription": {"text": _sentence(finding.root_cause)},
        "defaultConfiguration": {"level": finding.severity.sarif_level},
        "helpUri": f"{INFORMATION_URI}#diagnosis",
        "properties": {"category": finding.category, "tags": ["gocross", finding.category]},
    }
    # GitHub code scanning requires help on every rule: the fix when there is one.
    help_text = _sentence(finding.fix.summary if finding.fix else finding.root_cause)
    help_md = help_text
    for snippet in finding.fix.snippets if finding.fix else ():
        help_md += f"\n\n```{snippet.language}\n{snippet.code.rstrip()}\n```"
    rule["help"] = {"text": help_text, "markdown": help_md}
    return rule


def _raise_default_level(rule: dict[str, Any], finding: Finding) -> None:
    order = ["note", "warning", "error"]
    current = rule["defaultConfiguration"]["level"]
    if order.index(finding.severity.sarif_level) > order.index(current):
        rule["defaultConfiguration"]["level"] = finding.severity.sarif_level


def _relative(loc: Location) -> bool:
    path = loc.path.replace("\\", "/")
    return not (path.startswith(("/", "../")) or re.match(r"^[A-Za-z]:/", path))


def _uri(path: str) -> str:
    path = path.replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    return quote(path, safe="/-._~")


def _anchor(finding: Finding, report: Report) -> tuple[str, int, int | None, str | None]:
    """(uri, line, column, outside-repo path) of the result's location."""
    for loc in finding.locations:
        if _relative(loc):
            return _uri(loc.path), loc.line or 1, loc.column, None
    outside = finding.locations[0].path if finding.locations else None
    anchor = report.context.config or report.context.go_mod or FALLBACK_ANCHOR
    return _uri(anchor), 1, None, outside


def _result(finding: Finding, rule_index: int, report: Report, seen: dict[str, int]) -> dict[str, Any]:
    uri, line, column, outside = _anchor(finding, report)
    region: dict[str, Any] = {"startLine": line}
    if column:
        region["startColumn"] = column
    text = _sentence(finding.title)
    if finding.target:
        text = f"[{finding.target}] {text}"
    text += " " + _sentence(finding.root_cause)
    if outside:
        text += f" Location: {outside}."
    if finding.fix:
        text += " Fix: " + _sentence(finding.fix.summary)
    key = "\0".join((finding.rule, finding.target or "", uri, str(line)))
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
    seen[digest] = seen.get(digest, 0) + 1
    properties: dict[str, Any] = {"category": finding.category, "confidence": finding.confidence}
    if finding.target:
        properties["target"] = finding.target
    if finding.evidence:
        properties["evidence"] = [e.text for e in finding.evidence[:5]]
    return {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": finding.severity.sarif_level,
        "message": {"text": text},
        "locations": [
            {"physicalLocation": {"artifactLocation": {"uri": uri}, "region": region}},
        ],
        "partialFingerprints": {"primaryLocationLineHash": f"{digest}:{seen[digest]}"},
        "properties": properties,
    }
