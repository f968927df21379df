"""Put the performance table printed by `benchmarks/run_all.py` into README.md, between the
``<!-- measured -->`` and ``<!-- /measured -->`` markers (everything else is left as it is).

    python3 benchmarks/run_all.py > /tmp/measured.md && python3 scripts/measured_table.py /tmp/measured.md
    python3 benchmarks/run_all.py | python3 scripts/measured_table.py -
"""

from __future__ import annotations

import sys
from pathlib import Path

START, END = "<!-- measured -->\n", "<!-- /measured -->"
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
    return readme[: start + len(START)] + "\n".join(lines) + "\n" + readme[end:]


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
