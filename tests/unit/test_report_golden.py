"""Golden files for the renderers: each sample report in each format, compared byte for byte.

Regenerate with ``pytest tests/unit/test_report_golden.py --update-golden`` and review the diff
like code."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from gocross_action.report import markdown
from gocross_action.report.model import Report
from gocross_action.report.render import FORMATS, render
from tests.sample_reports import SAMPLES

GOLDEN = Path(__file__).parent / "golden"
EXTENSIONS = {"text": "txt", "json": "json", "markdown": "md", "sarif": "sarif"}

# name -> how to render: every sample in every format, plus the sizes and modes that differ.
CASES: dict[str, Callable[[], str]] = {
    f"{name}.{EXTENSIONS[fmt]}": (lambda build=build, fmt=fmt: render(build(), fmt))
    for name, build in SAMPLES.items()
    for fmt in FORMATS
}
# The text and Markdown renderers of every command, quiet and --verbose, on a pipe, on a TTY
# (colour) and in a GitHub Actions log (colour, folds, no line acting as a workflow command).
TEXT_MODES: dict[str, dict[str, bool]] = {
    "color": {"color": True},
    "actions": {"color": True, "actions": True},
    "verbose": {"verbose": True},
    "verbose.color": {"verbose": True, "color": True},
    "verbose.actions": {"verbose": True, "color": True, "actions": True},
}
COMMAND_SAMPLES = ("check-failed", "probe", "inspect", "diagnose")
for _name in COMMAND_SAMPLES:
    for _mode, _options in TEXT_MODES.items():
        CASES[f"{_name}.{_mode}.txt"] = lambda name=_name, options=_options: render(
            SAMPLES[name](), "text", **options
        )
    CASES[f"{_name}.verbose.md"] = lambda name=_name: render(SAMPLES[name](), "markdown", verbose=True)
CASES["check-failed.limit-2000.md"] = lambda: markdown.render(
    SAMPLES["check-failed"](), limit=2000, more="the `gocross-report-check` artifact"
)


@pytest.mark.parametrize("name", sorted(CASES))
def test_renderer_output_matches_its_golden_file(name: str, update_golden: bool) -> None:
    rendered = CASES[name]()
    path = GOLDEN / name
    if update_golden:
        path.write_text(rendered, encoding="utf-8")
    assert path.is_file(), f"{path} is missing: run pytest --update-golden"
    assert rendered == path.read_text(encoding="utf-8")


def test_every_golden_file_belongs_to_a_case() -> None:
    assert sorted(p.name for p in GOLDEN.iterdir()) == sorted(CASES)


def test_samples_render_in_every_format_without_losing_findings() -> None:
    report: Report = SAMPLES["check-failed"]()
    for fmt in FORMATS:
        out = render(report, fmt)
        for finding in report.findings:
            assert finding.rule in out, (fmt, finding.rule)
