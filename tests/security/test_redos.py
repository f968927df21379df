"""User-written rule patterns run in a linear-time engine: a catastrophic pattern finishes at
once, a construct the engine lacks is refused with a clear message, and ``validate-config``
accepts exactly the inline rules ``diagnose`` accepts."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from gocross_action.boundary import regex
from tests.conftest import run_gocross


def rule(pattern: str, **extra: object) -> str:
    """An inline rule (YAML flow mapping) whose pattern is ``pattern``."""
    fields = {
        "id": "log.user.mine",
        "category": "other",
        "title": "mine",
        "severity": "error",
        "confidence": 0.9,
        "priority": 90,
        "root_cause": "mine",
        "patterns": [{"regex": pattern, "literal": ["aaaa"]}],
        "examples": {"match": ["aaaa"], "no_match": ["b"]},
        **extra,
    }
    import json

    return json.dumps(fields)  # JSON is YAML


def test_a_catastrophic_pattern_finishes_at_once_in_diagnose(tmp_path: Path) -> None:
    config = tmp_path / "gocross.yml"
    config.write_text(f"rules:\n  - {rule('(a+)+$')}\n", encoding="utf-8")
    log = tmp_path / "build.log"
    log.write_text(("a" * 40 + "!\n") * 1000 + "a" * 41 + "\n", encoding="utf-8")
    started = time.monotonic()
    result = run_gocross(["diagnose", "--config", str(config), "--log", str(log), "--format", "json"])
    assert time.monotonic() - started < 60  # backtracking: 2^40 steps per line, never finishes
    assert result.code == 1, result.stderr
    assert '"rule": "log.user.mine"' in result.stdout


def test_the_engine_is_linear_on_the_classic_redos_patterns() -> None:
    line = "a" * 100_000 + "!"
    for pattern in ("(a+)+$", "(a|a)*$", "(a|aa)+$", "(.*a){20}$", r"^(\w+\s?)*$"):
        started = time.process_time()
        regex.compile(pattern).search(line)
        assert time.process_time() - started < 5, pattern


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        ("aaaa(?=b)", "lookahead"),
        ("aaaa(?!b)", "negative lookahead"),
        ("(?<=x)aaaa", "lookbehind"),
        (r"(aaaa)\1", "backreference"),
        ("(?>aaaa)", "atomic group"),
        ("aaaa++", "possessive"),
    ],
)
def test_constructs_the_linear_engine_lacks_are_refused_by_name_in_both_commands(
    tmp_path: Path, pattern: str, words: str
) -> None:
    config = tmp_path / "gocross.yml"
    config.write_text(f"rules:\n  - {rule(pattern)}\n", encoding="utf-8")
    log = tmp_path / "build.log"
    log.write_text("aaaa\n", encoding="utf-8")
    for args in (["validate-config", str(config)], ["diagnose", "--config", str(config), "--log", str(log)]):
        result = run_gocross(args, cwd=tmp_path)
        assert result.code == 2, (args, result)
        assert words in result.stderr, result.stderr
        assert "RE2" in result.stderr
        assert f"{config}:2:" in result.stderr  # the line of the rule
        assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (rule("(unclosed"), "invalid regex"),
        ('{"id": "log.user.mine", "category": "other"}', "'patterns' is a required property"),
        (rule("aaaa", title="{nope}"), "unknown placeholder"),
        (rule("aaaa", when={"captured": {"x": "(?!y)"}}), "negative lookahead"),
    ],
)
def test_validate_config_never_says_ok_for_inline_rules_diagnose_rejects(
    tmp_path: Path, text: str, words: str
) -> None:
    config = tmp_path / "gocross.yml"
    config.write_text(f"rules:\n  - {text}\n", encoding="utf-8")
    log = tmp_path / "build.log"
    log.write_text("aaaa\n", encoding="utf-8")
    checked = run_gocross(["validate-config", str(config)], cwd=tmp_path)
    diagnosed = run_gocross(["diagnose", "--config", str(config), "--log", str(log)], cwd=tmp_path)
    assert (checked.code, diagnosed.code) == (2, 2), (checked, diagnosed)
    assert "OK" not in checked.stdout
    assert words in checked.stderr
    assert words in diagnosed.stderr


def test_a_valid_inline_rule_is_ok_for_both_commands(tmp_path: Path) -> None:
    config = tmp_path / "gocross.yml"
    mine = rule(r"aaaa (?P<what>\w+)")
    config.write_text(f"rules:\n  - {mine}\n", encoding="utf-8")
    log = tmp_path / "build.log"
    log.write_text("aaaa thing\n", encoding="utf-8")
    checked = run_gocross(["validate-config", str(config)], cwd=tmp_path)
    assert checked.code == 0, checked.stderr
    assert checked.stdout.endswith(": OK (default targets)\n")
    assert run_gocross(["diagnose", "--config", str(config), "--log", str(log)], cwd=tmp_path).code == 1
