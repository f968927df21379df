"""The rule base as data: schema-valid files, one per category, examples that hold, and
conflicts settled by conditions and priority rather than file order."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from gocross_action.config import UserRules
from gocross_action.diagnose import examples, rulecache
from gocross_action.diagnose.engine import diagnose_lines
from gocross_action.diagnose.facts import Facts
from gocross_action.diagnose.literals import derive
from gocross_action.diagnose.rules import RuleSet, builtin_files, builtin_rules, load_rules, merge
from gocross_action.errors import ConfigError
from gocross_action.findings import categories
from gocross_action.targets import Target

PACKAGE = Path(__file__).resolve().parents[2] / "gocross_action"
RULES = builtin_rules(use_cache=False)


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_matches_its_examples_and_none_of_its_near_misses(rule: object) -> None:
    count, failures = examples.check([rule])  # type: ignore[list-item]
    assert count >= 2
    assert failures == []


@pytest.mark.parametrize("path", sorted((PACKAGE / "data" / "rules").glob("*.yaml")), ids=lambda p: p.name)
def test_rule_file_is_valid_against_the_published_schema(path: Path) -> None:
    schema = json.loads((PACKAGE / "schemas" / "rule.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(data)) == []
    assert data["_source"].strip()
    assert all(rule["category"] == path.stem for rule in data["rules"])


def test_every_taxonomy_category_has_a_rule_file_and_a_rule() -> None:
    files = {name.removesuffix(".yaml") for name, _ in builtin_files()}
    assert files == set(categories())
    assert {r.category for r in RULES} == set(categories())


def test_rule_ids_are_unique_and_namespaced_log() -> None:
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
    assert all(i.startswith("log.") for i in ids)


def test_clang_not_found_is_an_apple_toolchain_problem_for_darwin_and_a_missing_compiler_otherwise() -> None:
    line = 'cgo: C compiler "clang" not found: exec: "clang": executable file not found in $PATH'
    rules = load_rules()
    darwin = diagnose_lines([line], facts=Facts(target=Target.parse("darwin/arm64")), rules=rules)
    linux = diagnose_lines([line], facts=Facts(target=Target.parse("linux/arm64")), rules=rules)
    assert [f.category for f in darwin] == ["darwin-ios-android-toolchain"]
    assert [f.category for f in linux] == ["cgo-no-c-compiler"]


def test_rule_order_in_the_rule_set_never_decides() -> None:
    line = 'cgo: C compiler "clang" not found: exec: "clang": executable file not found in $PATH'
    facts = Facts(target=Target.parse("ios/arm64"))
    forward = diagnose_lines([line], facts=facts, rules=RuleSet(RULES))
    backward = diagnose_lines([line], facts=facts, rules=RuleSet(list(reversed(RULES))))
    assert [f.rule for f in forward] == [f.rule for f in backward] == ["log.darwin.compiler-without-sdk"]


def _user_rule(**overrides: object) -> dict[str, object]:
    rule: dict[str, object] = {
        "id": "log.user.widget-missing",
        "category": "other",
        "title": "widget {name} missing",
        "patterns": [{"regex": r"widget (?P<name>\w+) is missing"}],
        "root_cause": "The widget {name} is not installed.",
        "severity": "error",
        "confidence": 0.9,
        "priority": 90,
        "examples": {"match": ["widget foo is missing"], "no_match": ["widget foo is here"]},
    }
    rule.update(overrides)
    return rule


def test_user_rules_add_to_the_built_in_rules() -> None:
    rules = load_rules(UserRules(inline=(_user_rule(),)))
    findings = diagnose_lines(["widget gear is missing"], facts=Facts(), rules=rules)
    assert [(f.rule, f.title) for f in findings] == [("log.user.widget-missing", "widget gear missing")]
    assert len(rules) == len(RULES) + 1


def test_user_rule_with_a_built_in_id_replaces_it() -> None:
    replaced = _user_rule(id="log.oom.killed", category="other")
    merged = merge(RULES, load_rules(UserRules(inline=(replaced,))).rules)
    assert next(r for r in merged if r.id == "log.oom.killed").category == "other"
    assert len(merged) == len(RULES)


def test_invalid_user_rule_reports_every_problem_with_its_path() -> None:
    bad = _user_rule(category="no-such-category", patterns=[{"regex": "(unclosed"}], severity="fatal")
    with pytest.raises(ConfigError) as error:
        load_rules(UserRules(inline=(bad,)))
    assert "$.rules[0].severity" in str(error.value)


def test_user_rule_without_a_usable_literal_is_refused() -> None:
    with pytest.raises(ConfigError, match="literal"):
        load_rules(UserRules(inline=(_user_rule(patterns=[{"regex": r"\w+ \d+"}]),)))


def test_derived_literals_are_held_by_every_line_the_regex_matches() -> None:
    for rule in RULES:
        for pattern in rule.patterns:
            for line in rule.examples_match:
                if pattern.compiled.search(line):
                    assert any(lit in line for lit in pattern.literals), (rule.id, line)


def test_literal_derivation_expands_small_classes_and_alternations() -> None:
    assert derive(r"[Ee]xec format error") == ["Exec format error", "exec format error"]
    assert derive(r"\w+ \d+") is None


def test_rule_cache_round_trip_gives_the_same_rules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    key = rulecache.key(builtin_files())
    rulecache.write(key, RULES)
    assert rulecache.read(key) == RULES
    assert rulecache.read("0" * 32) is None
