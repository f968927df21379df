"""The README's performance table is generated: `benchmarks/run_all.py` turns each benchmark's
output into a row, `scripts/measured_table.py` puts the table between the README's markers."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


measured = _load(ROOT / "scripts" / "measured_table.py")
run_all = _load(ROOT / "benchmarks" / "run_all.py")

TABLE = "| What | Script | Measured here |\n|---|---|---|\n| a | `b` | 0.5 of the loop's time |\n"


def test_only_the_text_between_the_markers_is_replaced() -> None:
    readme = "# Title\n\n<!-- measured -->\n| old | header |\n|---|---|\n<!-- /measured -->\n\nAfter.\n"
    rewritten = measured.replace_table(readme, TABLE)
    assert rewritten.startswith("# Title\n\n<!-- measured -->\n| What | Script | Measured here |\n")
    assert rewritten.endswith("0.5 of the loop's time |\n<!-- /measured -->\n\nAfter.\n")
    assert "old" not in rewritten


def test_a_rerun_benchmark_replaces_its_row_in_place_and_the_other_rows_stay() -> None:
    readme = (
        "<!-- measured -->\n| What | Script | Measured here |\n|---|---|---|\n"
        "| accuracy | `python3 benchmarks/corpus_accuracy.py` | 46/46 |\n"
        "| check | `python3 benchmarks/check_speed.py` | 0.80 of the loop's time |\n"
        "| inspect | `python3 benchmarks/inspect_speed.py` | 0.84 |\n"
        "<!-- /measured -->\n"
    )
    table = (
        "| What | Script | Measured here |\n|---|---|---|\n"
        "| check | `python3 benchmarks/check_speed.py` | 0.62 of the loop's time |\n"
        "| scaling | `python3 benchmarks/target_scaling.py` | 1.02x |\n"
    )
    rows = measured.replace_table(readme, table).splitlines()[3:-1]
    assert [row.split("|")[3].strip() for row in rows] == [
        "46/46",
        "0.62 of the loop's time",
        "0.84",
        "1.02x",
    ]


def test_a_readme_without_the_markers_is_refused_and_left_alone(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# Title\n\nno table here\n")
    with pytest.raises(measured.TableError, match="measured"):
        measured.write_readme(readme, TABLE)
    assert readme.read_text() == "# Title\n\nno table here\n"


def test_input_that_is_not_a_table_is_refused() -> None:
    readme = "<!-- measured -->\n<!-- /measured -->\n"
    with pytest.raises(measured.TableError, match="not a Markdown table"):
        measured.replace_table(readme, "Traceback (most recent call last):\n")


def test_a_check_speed_run_becomes_a_row_with_both_ratios() -> None:
    out = (
        "sequential go build loop: median 3.10s  (3.10, 3.20)\n"
        "gocross check:            median 1.95s  (1.95, 2.00)\n"
        "ratio gocross/loop: 0.63\nratio gocross/goreleaser: 0.91\n"
    )
    row = run_all.row_for(ROOT / "benchmarks" / "check_speed.py", out, 0)
    assert row.endswith(
        "| `python3 benchmarks/check_speed.py` | 0.63 of the loop's time; 0.91 of GoReleaser's |"
    )


def test_the_spread_of_the_rounds_goes_into_the_check_row() -> None:
    out = (
        "ratio gocross/loop: 0.64  (per round: 0.58 to 0.71, median 0.64)\n"
        "ratio gocross/goreleaser: 0.96  (per round: 0.88 to 1.04, median 0.95)\n"
    )
    row = run_all.row_for(ROOT / "benchmarks" / "check_speed.py", out, 0)
    assert row.endswith("| 0.64 of the loop's time; 0.96 of GoReleaser's (per round 0.88-1.04) |")


def test_an_inspect_speed_run_becomes_a_row_with_cpu_wall_lief_and_start_up() -> None:
    out = (
        "38 binaries, 3.0-31.8 MB each, 554 MB in total\n"
        "gocross inspect (one process): 0.175 s wall, 0.108 s CPU (medians of 11)\n"
        "readelf -lVdW + go version -m per file: 0.506 s wall, 0.232 s CPU (medians of 11)\n"
        "ratio gocross/readelf+go, wall: 0.34 (goal <= 0.5)\n"
        "ratio gocross/LIEF, wall: 0.10 (goal <= 0.2)\n"
        "ratio gocross/readelf+go, CPU: 0.46 (goal <= 0.5)\n"
        "ratio gocross/LIEF, CPU: 0.11 (goal <= 0.2)\n"
        "gocross beyond the interpreter's start-up: 62 ms CPU (the start-up itself: 46 ms, site-packages' "
        ".pth files included)\n"
        "peak RSS of gocross (max over child processes): 17 MB\n"
    )
    row = run_all.row_for(ROOT / "benchmarks" / "inspect_speed.py", out, 0)
    assert row.endswith(
        "| `python3 benchmarks/inspect_speed.py` | 0.46 of the tools' CPU time (0.108 s vs 0.232 s), 0.34 of "
        "their wall time; 0.11 of LIEF's CPU time; 46 ms of it is the interpreter's own start-up, 62 ms "
        "gocross's; 17 MB peak memory |"
    )


def test_a_benchmark_that_prints_no_figure_is_shown_as_failed_with_its_last_line() -> None:
    row = run_all.row_for(ROOT / "benchmarks" / "check_speed.py", "building\ngo: not found\n", 127)
    assert "failed (exit 127): go: not found" in row


def test_an_unknown_benchmark_gets_its_docstring_and_ratio_lines(tmp_path: Path) -> None:
    script = tmp_path / "new_speed.py"
    script.write_text('"""Time the new thing against the old | thing."""\n')
    row = run_all.row_for(script, "took 1 s\nratio new/old: 0.40\n", 0)
    expected = "| Time the new thing against the old \\| thing. | `python3 benchmarks/new_speed.py` "
    assert row == expected + "| ratio new/old: 0.40 |"


def test_every_row_of_the_readme_table_names_a_benchmark_that_exists() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("<!-- measured -->\n", 1)[1].split("<!-- /measured -->", 1)[0]
    scripts = re.findall(r"`python3 (benchmarks/[a-z_]+\.py)`", table)
    assert scripts, "the measured table lists the benchmarks"
    for script in scripts:
        assert (ROOT / script).is_file(), script
