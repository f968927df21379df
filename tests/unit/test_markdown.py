"""The Markdown report (job summary and PR comment): structure, untrusted text, size limit."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token

from gocross_action.findings import Evidence, Finding, Fix, Severity, Snippet
from gocross_action.report import markdown
from gocross_action.report.model import Context, Report
from tests.sample_reports import HOSTILE, SAMPLES, check_failed

PARSER = MarkdownIt("commonmark").enable("table")


def tokens(text: str) -> list[Token]:
    out: list[Token] = []
    stack = PARSER.parse(text)
    while stack:
        token = stack.pop(0)
        out.append(token)
        stack[:0] = token.children or []
    return out


def hostile_report(where: str) -> Report:
    """A report whose untrusted text (evidence, or title and root cause) tries to inject."""
    finding = Finding(
        rule="log.hostile",
        category="other",
        severity=Severity.ERROR,
        target="linux/amd64",
        title=HOSTILE if where == "title" else "A finding",
        root_cause=HOSTILE if where == "title" else "A cause.",
        evidence=(Evidence(source="log", text=HOSTILE + "\n```\n<img src=x onerror=alert(1)>", line=3),),
        fix=Fix(summary="Do something", snippets=(Snippet(language="bash", code="echo ok"),)),
    )
    return Report.build(context=Context(command="diagnose"), findings=[finding])


def first_table(text: str) -> list[list[str]]:
    """The cells of the first table, row by row (header row first)."""
    rows: list[list[str]] = []
    in_table = False
    for token in PARSER.parse(text):
        if token.type == "table_open":
            in_table = True
        elif token.type == "table_close":
            break
        elif in_table and token.type == "tr_open":
            rows.append([])
        elif in_table and token.type == "inline":
            rows[-1].append(token.content)
    return rows


def test_markdown_starts_with_a_table_of_targets_and_their_status() -> None:
    report = check_failed()
    rows = first_table(markdown.render(report))
    assert rows[0] == ["Target", "Status", "Time", "Findings", "Stages"]
    assert [r[0].strip("`") for r in rows[1:]] == [t.target for t in report.targets]
    assert [r[1].split()[-1] for r in rows[1:]] == [t.status for t in report.targets]
    assert rows[2][3] == "2 errors"


def test_each_finding_has_root_cause_evidence_excerpt_and_fix_snippet_in_fenced_blocks() -> None:
    report = check_failed()
    out = markdown.render(report)
    fences = [t for t in tokens(out) if t.type == "fence"]
    assert any(t.info == "bash" and "apt-get install -y gcc-aarch64-linux-gnu" in t.content for t in fences)
    assert any(t.info == "text" and 'aarch64-linux-gnu-gcc" not found' in t.content for t in fences)
    assert any(t.info == "go" and "//go:build unix" in t.content for t in fences)
    block = PARSER.parse(out)
    headings = [
        block[i + 1].content for i, t in enumerate(block) if t.type == "heading_open" and t.tag == "h3"
    ]
    assert len(headings) == len(report.findings)
    # Most important first, as the report orders them.
    icons = [markdown._ICON[s] for s in (Severity.ERROR,) * 3 + (Severity.WARNING, Severity.NOTICE)]
    assert [h.split(" ", 1)[0] for h in headings] == icons
    for finding in report.findings:
        assert markdown.inline(finding.root_cause) in out


def test_evidence_cannot_mention_anyone_inject_html_or_close_its_fence() -> None:
    out = markdown.render(hostile_report("evidence"))
    parsed = tokens(out)
    html = [t.content for t in parsed if t.type in ("html_inline", "html_block")]
    assert set(html) <= {"<sub>", "</sub>"}, html
    evidence = [t for t in parsed if t.type == "fence" and t.info == "text"]
    assert len(evidence) == 1 and "<img src=x" in evidence[0].content  # shown, as text
    assert "@octocat" not in out
    assert "<!-- gocross-comment -->" not in out
    assert not any(t.type == "heading" and "not a heading" in str(t.content) for t in parsed)


def test_untrusted_title_and_cause_render_as_plain_text() -> None:
    out = markdown.render(hostile_report("title"))
    parsed = tokens(out)
    html = [t.content for t in parsed if t.type in ("html_inline", "html_block")]
    assert set(html) <= {"<sub>", "</sub>"}, html
    assert "@octocat" not in out
    assert "&lt;script&gt;" in out


def test_without_limit_nothing_is_left_out() -> None:
    out = markdown.render(check_failed())
    assert "left out" not in out
    for finding in check_failed().findings:
        assert markdown.inline(finding.title) in out


@settings(max_examples=60, deadline=None)
@given(limit=st.integers(min_value=400, max_value=6000))
def test_limit_cuts_at_a_finding_boundary_and_says_what_was_left_out(limit: int) -> None:
    report = check_failed()
    full = markdown.render(report)
    out = markdown.render(report, limit=limit, more="the `gocross-report` artifact")
    assert len(out) <= limit
    if len(full) <= limit:
        assert out == full
        return
    # A finding's title also shows in the targets table: count the findings' own headings.
    shown = [f for f in report.findings if f"{markdown.inline(f.title)}\n\n" in out]
    # Whole findings only, and the most important ones: a prefix of the ordered list.
    assert shown == list(report.findings[: len(shown)])
    for finding in shown:
        assert markdown._finding(finding, report, False) in out
    left = len(report.findings) - len(shown)
    if left:
        assert f"{left} finding{'s' if left > 1 else ''} (" in out
    assert out.rstrip().endswith("see the `gocross-report` artifact._")


def test_limit_too_small_for_the_table_cuts_rows_and_still_fits() -> None:
    report = check_failed()
    many = dataclasses.replace(report, targets=report.targets * 50)
    out = markdown.render(many, limit=1500, more="report.md")
    assert len(out) <= 1500
    assert "target rows" in out and "5 findings" in out


def test_clean_report_says_no_problems_found() -> None:
    out = markdown.render(SAMPLES["clean"]())
    assert "✅ gocross check: no problems found" in out
    assert "### " not in out
