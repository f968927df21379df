"""Put the performance table printed by `benchmarks/run_all.py` into README.md, between the
``<!-- measured -->`` and ``<!-- /measured -->`` markers (everything else is left as it is).
A row replaces the row of the same benchmark script; rows of benchmarks that were not run stay.

    python3 benchmarks/run_all.py > /tmp/measured.md && python3 scripts/measured_table.py /tmp/measured.md
    python3 benchmarks/run_all.py | python3 scripts/measured_table.py -
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

START, END = "<!-- measured -->\n", "<!-- /measured -->"
_SCRIPT = re.compile(r"`python3 (benchmarks/[\w.-]+\.py)")
README = Path(__file__).resolve().parent.parent / "README.md"


class TableError(ValueError):
    """The table or the README is not what this script can rewrite."""


def replace_table(readme: str, table: str) -> str:
    """``readme`` with the text between the markers replaced by ``table`` (a Markdown table)."""
    lines = [line for line in table.strip().splitlines() if line.strip()]
    if len(lines) < 2 or not all(line.startswith("|") for line in lines):
        raise TableError("the input is not a Markdown table (every line must start with '|')")
    if readme.count(START) != 1 or readme.count(END) != 1:
        raise TableError(f"README.md must hold exactly one {START.strip()} and one {END}")
    start, end = readme.index(START), readme.index(END)
    if end < start:
        raise TableError(f"{END} must come after {START.strip()}")
    old = [line for line in readme[start + len(START) : end].splitlines() if line.startswith("|")]
    merged = lines[:2] + _merge(old[2:], lines[2:])
    return readme[: start + len(START)] + "\n".join(merged) + "\n" + readme[end:]


def _script(row: str) -> str | None:
    """The benchmark a row is about (its Script cell), if it names one."""
    found = _SCRIPT.search(row)
    return found.group(1) if found else None


def _merge(old: list[str], new: list[str]) -> list[str]:
    """The old rows with each one whose benchmark was rerun replaced by its new row, in place;
    rows of benchmarks not in the old table are added at the end. A partial run
    (``run_all.py --only ...``) so updates just its rows."""
    fresh = {_script(row): row for row in new if _script(row)}
    kept = [fresh.pop(_script(row), row) if _script(row) in fresh else row for row in old]
    return kept + [row for row in new if _script(row) in fresh or _script(row) is None]


def write_readme(path: Path, table: str) -> None:
    path.write_text(replace_table(path.read_text(encoding="utf-8"), table), encoding="utf-8")


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: measured_table.py TABLE.md|-", file=sys.stderr)
        return 2
    try:
        table = sys.stdin.read() if argv[0] == "-" else Path(argv[0]).read_text(encoding="utf-8")
        write_readme(README, table)
    except (OSError, TableError) as exc:
        print(f"measured_table: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
