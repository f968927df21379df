"""Reading logs as they come: CI timestamps, colours, CRLF, invalid UTF-8, folds, BuildKit."""

from __future__ import annotations

import io
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gocross_action.diagnose.engine import diagnose_lines, diagnose_stream, scan
from gocross_action.diagnose.facts import Facts
from gocross_action.diagnose.logs import MAX_LINE, NewlineCounter, clean, iter_lines
from gocross_action.diagnose.rules import load_rules

RULES = load_rules()
KILLED = "/usr/local/go/pkg/tool/linux_amd64/link: signal: killed"


def test_clean_strips_github_timestamps_ansi_colours_crlf_and_buildkit_prefixes() -> None:
    assert clean(b"2024-05-01T12:34:56.1234567Z \x1b[31mgo: error\x1b[0m\r\n") == "go: error"
    assert clean(b"#16 0.231 make: mkdir: Operation not permitted") == "make: mkdir: Operation not permitted"
    assert clean(b"#5 [2/3] RUN go build") == "#5 [2/3] RUN go build"


def test_invalid_utf8_is_replaced_not_fatal() -> None:
    assert clean(b"caf\xe9 \xff signal: killed") == "caf\ufffd \ufffd signal: killed"


def test_evidence_keeps_the_original_line_number_through_crlf_ansi_and_timestamps() -> None:
    log = (
        b"2024-05-01T00:00:00.0000000Z ##[group]Run go build\r\n"
        b"2024-05-01T00:00:01.0000000Z \x1b[36mgo: downloading x\x1b[0m\r\n"
        b"\xff\xfe garbage\r\n"
        b"2024-05-01T00:00:02.0000000Z \x1b[31m" + KILLED.encode() + b"\x1b[0m\r\n"
    )
    findings = diagnose_stream(io.BytesIO(log), facts=Facts(), rules=RULES)
    assert findings[0].category == "resources-oom"
    assert findings[0].evidence[0].line == 4
    assert findings[0].evidence[0].text == KILLED


def test_group_titles_and_buildkit_steps_are_read_for_facts() -> None:
    log = [
        "::group::Run GOOS=linux GOARCH=arm go build ./...",
        "#7 [build 3/4] RUN apk add --no-cache bash",
        "#7 0.341 exec /bin/sh: exec format error",
        "::endgroup::",
    ]
    findings = diagnose_lines(log, facts=Facts(), rules=RULES)
    assert findings[0].category == "binfmt-qemu"


def test_line_numbers_are_the_same_whatever_the_block_size() -> None:
    lines = [f"line {i} ok" for i in range(5000)]
    lines[1234] = KILLED
    lines[4321] = "fatal error: zlib.h: No such file or directory"
    data = ("\n".join(lines) + "\n").encode()
    for size in (7, 64, 1000, 1 << 20):
        result = scan(io.BytesIO(data), RULES, block_size=size)
        found = sorted(h.line for hits in result.hits.values() for h in hits)
        assert found == [1235, 4322], size
        assert result.lines == 5000


def test_a_huge_line_is_cut_and_the_next_lines_keep_their_numbers() -> None:
    data = b"x" * (MAX_LINE * 3) + b"\n" + KILLED.encode() + b"\n"
    result = scan(io.BytesIO(data), RULES, block_size=4096)
    assert [h.line for hits in result.hits.values() for h in hits] == [2]


def test_iter_lines_numbers_lines_and_splits_only_on_newlines() -> None:
    lines = list(iter_lines(io.BytesIO(b"a\r\nb\rc\n\nd")))
    assert [(line.number, line.text) for line in lines] == [(1, "a"), (2, "c"), (3, ""), (4, "d")]


def test_full_width_and_typographic_punctuation_reads_as_ascii() -> None:
    assert (
        clean("main.go:3:10: 致命错误\uff1azlib.h\uff1a没有那个文件或目录")
        == "main.go:3:10: 致命错误:zlib.h:没有那个文件或目录"
    )
    assert (
        clean("gcc\u00a0: erreur\u00a0: option «\u00a0-marm\u00a0» non reconnue")
        == 'gcc : erreur : option " -marm " non reconnue'
    )
    assert clean("plain ascii: unchanged") == "plain ascii: unchanged"


def test_translated_gcc_and_ld_messages_get_the_same_diagnosis_as_english() -> None:
    rules = load_rules(None)
    for line in (
        "main.go:3:10: 致命错误\uff1azlib.h\uff1a没有那个文件或目录",  # gcc zh_CN: full-width colons
        "main.go:3:10: schwerwiegender Fehler: zlib.h: Datei oder Verzeichnis nicht gefunden",
        "/usr/bin/ld: 找不到 -lz",
    ):
        findings = diagnose_lines([line], facts=Facts(), rules=rules)
        assert findings and findings[0].category == "cgo-headers-libs", line


def test_an_unknown_failure_is_evidenced_by_the_line_that_ended_the_build() -> None:
    lines = ["x", "make[1]: *** [sub] Error 1", "make: *** [test] Error 1"]
    [finding] = diagnose_lines(lines, facts=Facts(), rules=load_rules(None))
    assert finding.evidence[0].text == "make: *** [test] Error 1"
    assert finding.evidence[0].line == 3


def test_escape_sequences_are_stripped_the_same_in_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    """Long runs are stripped in pieces (bounded memory); a piece ends before an ESC, so no
    sequence is cut and the result is the same as in one go."""
    from gocross_action.diagnose import logs

    data = b"".join(
        b"\x1b[1;31merror\x1b[0m: x\x1b]8;;http://h\x07link\x1b]8;;\x1b\\ \x1b]unterminated\nplain\n"
        for _ in range(50)
    )
    whole = logs.strip_ansi_bytes(data)
    assert b"\x1b" not in whole
    monkeypatch.setattr(logs, "ANSI_PIECE", 7)
    assert logs.strip_ansi_bytes(data) == whole


@given(
    pieces=st.lists(st.tuples(st.integers(0, 300), st.integers(0, 400)), max_size=40),
    cuts=st.lists(st.integers(0, 1 << 20), max_size=6),
)
@settings(max_examples=60, deadline=None)
def test_newlines_are_counted_exactly_whatever_the_line_lengths(
    pieces: list[tuple[int, int]], cuts: list[int]
) -> None:
    """Runs of short and long lines, counted in stretches cut anywhere: the counter switches
    between its two ways of counting and never miscounts."""
    buf = b"".join(b"\n" * short + b"x" * long + b"\n" for short, long in pieces) * 40
    counter = NewlineCounter()
    bounds = sorted({0, len(buf), *(c % (len(buf) + 1) for c in cuts)})
    counted = [counter.count(buf, lo, hi) for lo, hi in itertools.pairwise(bounds)]
    assert sum(counted) == buf.count(b"\n")
    assert counted == [buf.count(b"\n", lo, hi) for lo, hi in itertools.pairwise(bounds)]
