"""`gocross rules list` prints the rule base; `gocross rules test [FILE]` runs the examples of a
rules file, or of the built-in rules plus the config's user rules when no file is given."""

from __future__ import annotations

import argparse
from pathlib import Path


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = sub.add_parser("list", help="print every rule: id, category, severity, priority, title")
    listing.add_argument("--format", choices=("text", "json"), default="text")
    test = sub.add_parser("test", help="check every rule's match/no_match examples")
    test.add_argument("file", nargs="?", metavar="FILE", help="a rules file (default: built-in + config)")


def _load(args: argparse.Namespace, *, file: str | None) -> list[object]:
    from .. import config as config_module
    from ..diagnose.rules import load_rules, read_rules_file

    if file:
        return list(read_rules_file(Path(file)))
    config = config_module.load(Path(args.config) if args.config else None, start=Path.cwd())
    return list(load_rules(config.rules).rules)


def run(args: argparse.Namespace) -> int:
    from ..diagnose.rules import Rule
    from ..output import write_stdout

    lines: list[str] = []

    rules = [r for r in _load(args, file=getattr(args, "file", None)) if isinstance(r, Rule)]
    if args.action == "list":
        if args.format == "json":
            import json

            write_stdout(json.dumps([r.to_json() for r in rules], indent=1) + "\n", "json")
        else:
            for r in sorted(rules, key=lambda r: (r.category, -r.priority, r.id)):
                row = f"{r.id:<44} {r.category:<30} {r.severity.value:<8} {r.priority:>3}  {r.title}"
                lines.append(row)
            categories = len({r.category for r in rules})
            lines.append(f"{len(rules)} rules in {categories} categories")
            # User rules come from the repository: their text is no workflow command.
            write_stdout("".join(line + "\n" for line in lines))
        return 0
    from ..diagnose.examples import check

    count, failures = check(rules)
    lines += [f"FAIL {failure}" for failure in failures]
    lines.append(f"{len(rules)} rules, {count} examples, {len(failures)} failed")
    write_stdout("".join(line + "\n" for line in lines))
    return 1 if failures else 0
