"""Run a rule's own examples: every ``match`` line must be found (literal prefilter and regex,
through the real scanner), no ``no_match`` line may be. Conditions on facts are not applied:
examples are about wording; a condition on the matched line alone (``captured``) is."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .conditions import holds, line_only
from .engine import scan_text
from .facts import Facts
from .rules import Rule, RuleSet


@dataclass(frozen=True, kw_only=True)
class ExampleFailure:
    rule: str
    kind: str  # "match" (a match example was missed) or "no_match" (a near miss matched)
    example: str

    def __str__(self) -> str:
        verb = "does not match" if self.kind == "match" else "matches near miss"
        return f"{self.rule}: {verb}: {self.example!r}"


def matches(rule: Rule, text: str) -> bool:
    """Whether ``rule`` finds ``text`` (one line, or a window of several) in a scan."""
    hits = scan_text(text if text.endswith("\n") else text + "\n", RuleSet([rule])).hits
    found = [h for kept in hits.values() for h in kept]
    if line_only(rule.when):
        found = [h for h in found if holds(rule.when, Facts(), h.groups)]
    return bool(found)


def check(rules: Iterable[Rule]) -> tuple[int, list[ExampleFailure]]:
    """(number of examples run, failures)."""
    failures: list[ExampleFailure] = []
    count = 0
    for rule in rules:
        for text in rule.examples_match:
            count += 1
            if not matches(rule, text):
                failures.append(ExampleFailure(rule=rule.id, kind="match", example=text))
        for text in rule.examples_no_match:
            count += 1
            if matches(rule, text):
                failures.append(ExampleFailure(rule=rule.id, kind="no_match", example=text))
    return count, failures
