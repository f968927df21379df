"""The literal prefilter: Hyperscan and the Aho-Corasick fallback find the same occurrences of
the same literals (overlapping ones too), read literals as bytes and never as regexes, and the
engine's scan is the same whichever of them runs it."""

from __future__ import annotations

import io
import sys

import pytest

from gocross_action.diagnose import prefilter
from gocross_action.diagnose.engine import scan
from gocross_action.diagnose.rules import RuleSet, load_rules

RULES = load_rules()
ENGINES = ("hyperscan", "aho-corasick")


def _find(engine: str, literals: list[bytes], data: bytes) -> list[tuple[int, int]]:
    return prefilter.build(literals, engine=engine).find(memoryview(data))


@pytest.mark.parametrize("engine", ENGINES)
def test_every_occurrence_is_reported_overlapping_ones_too(engine: str) -> None:
    literals = [b"CC=", b"C=C", b"GOOS", b"GOOS='linux'"]
    data = b"CC=C=CC= GOOS='linux' GOOSGOOS"
    expected = sorted(
        (at, i) for i, lit in enumerate(literals) for at in range(len(data)) if data.startswith(lit, at)
    )
    assert _find(engine, literals, data) == expected


@pytest.mark.parametrize("engine", ENGINES)
def test_regex_metacharacters_in_a_literal_are_plain_bytes(engine: str) -> None:
    literals = [
        b"requires external (cgo) linking",
        b"$GOPATH",
        b"expected [go",
        b".h: No",
        b"\\d+",
        b"a\x00b",
    ]
    data = (
        b"requires external cgo linking; GOPATH; expected go; xh: No; 42 ab; requires external (cgo) linking"
    )
    assert _find(engine, literals, data) == [(len(data) - len(literals[0]), 0)]
    assert _find(engine, literals, b"\\d+ a\x00b") == [(0, 4), (4, 5)]


@pytest.mark.parametrize("engine", ENGINES)
def test_non_ascii_literals_match_their_utf8_bytes(engine: str) -> None:
    literals = ["没有那个文件或目录".encode(), "Exec 형식 오류".encode()]
    data = "致命错误: foo.h: 没有那个文件或目录\nExec 형식 오류\n".encode()
    found = _find(engine, literals, data)
    assert [literal for _, literal in found] == [0, 1]
    assert all(data.startswith(literals[literal], at) for at, literal in found)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_sparse_literal_is_reported_once_and_found_in_full_on_request(engine: str) -> None:
    literals = [b"CGO_ENABLED", b"C compiler"]
    data = b"CGO_ENABLED=1 gcc\n" * 50 + b'C compiler "gcc" not found\nCGO_ENABLED=0\n'
    search = prefilter.build(literals, sparse=[0], engine=engine)
    found = search.find(memoryview(data))
    assert [literal for _, literal in found].count(0) == 1
    assert [(at, literal) for at, literal in found if literal == 1] == [(data.index(b"C compiler"), 1)]
    every = search.find_sparse(memoryview(data))
    assert every == [(at, 0) for at in range(len(data)) if data.startswith(b"CGO_ENABLED", at)]


def test_without_hyperscan_the_aho_corasick_automaton_does_the_search(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "hyperscan", None)  # as on a platform it has no wheel for
    chosen = prefilter.build([b"GOOS", b"CC="])
    assert isinstance(chosen, prefilter.AhoCorasickPrefilter)
    assert chosen.find(memoryview(b"CC=gcc GOOS=linux")) == [(0, 1), (7, 0)]
    with pytest.raises(ImportError):
        prefilter.build([b"GOOS"], engine="hyperscan")


def _rules_with(engine: str) -> RuleSet:
    rules = RuleSet(RULES.rules)
    rules.__dict__["prefilter"] = rules.build_prefilter(engine)
    return rules


def test_a_scan_is_the_same_with_either_engine() -> None:
    lines = [line for rule in RULES.rules for line in rule.examples_match]
    lines += [line for rule in RULES.rules for line in rule.examples_no_match]
    data = ("\n".join(lines) + "\n").encode()
    scans = [scan(io.BytesIO(data), _rules_with(engine)) for engine in ENGINES]
    hits = [
        {rule: [(h.line, h.text, dict(h.groups)) for h in kept] for rule, kept in s.hits.items()}
        for s in scans
    ]
    assert hits[0]
    assert hits[0] == hits[1]
    assert scans[0].counts == scans[1].counts
    assert vars(scans[0].facts) == vars(scans[1].facts)
    assert scans[0].lines == scans[1].lines == len(lines) + sum(line.count("\n") for line in lines)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("window", [64, 4093, 1 << 20])
def test_the_last_environment_assignment_wins_however_often_the_variable_appears(
    engine: str, window: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A literal on every line (CGO_ENABLED=1 on each gcc call) is reported once per search
    window; the last lines holding it are found again, and the last value is the fact."""
    from gocross_action.diagnose import engine as engine_module

    monkeypatch.setattr(engine_module, "HIT_WINDOW", window)
    lines = [f"TERM='dumb' CGO_ENABLED=1 gcc -c gcc_{i}.c -Werror" for i in range(3000)]
    lines += ["GOOS=windows GOARCH=arm64 CGO_ENABLED=0 go build ./...", "GOOS=linux"]
    lines += [f"note: CGO_ENABLED is mentioned, not set ({i})" for i in range(5)]
    found = scan(io.BytesIO(("\n".join(lines) + "\n").encode()), _rules_with(engine))
    assert found.facts.env["CGO_ENABLED"] == "0"
    assert found.facts.env["GOOS"] == "linux"
    assert found.facts.env["GOARCH"] == "arm64"
    assert found.lines == len(lines)
