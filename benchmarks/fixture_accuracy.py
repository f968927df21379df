"""Score `gocross check` on the fixture modules that fail for real reasons, target by target.

Each directory of tests/fixtures/diagnosis is a small Go module with a gocross.yml and an
expect.json: the environment to build it in, empty directories to create first (git keeps
none), and per target the expected status and top category (the first finding of severity
error or warning for that target, in report order; null for none). The real CLI runs each module
in a scratch copy; a target is a hit when both status and top category are as expected.

    python3 benchmarks/fixture_accuracy.py [FIXTURES_DIR] [--verbose] [--json] [--tree=DIR]

``--tree=DIR`` runs the gocross of another checkout (e.g. the main branch, for a before/after).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FIXTURES = ROOT / "tests" / "fixtures" / "diagnosis"


def top_category(report: dict[str, Any], target: str) -> str | None:
    for finding in report["findings"]:
        if finding.get("target") == target and finding["severity"] in ("error", "warning"):
            return str(finding["category"])
    return None


def run_fixture(source: Path, scratch: Path, tree: Path = ROOT) -> tuple[dict[str, Any], dict[str, Any]]:
    """Copy the module, create its files, run `gocross check --format json`; (expect, report)."""
    expect: dict[str, Any] = json.loads((source / "expect.json").read_text(encoding="utf-8"))
    module = scratch / source.name
    shutil.copytree(source, module, ignore=shutil.ignore_patterns("expect.json", ".gocross"))
    for rel in expect.get("create_dirs") or ():
        (module / rel).mkdir(parents=True, exist_ok=True)  # empty directories cannot be committed
    env = {**os.environ, "PYTHONPATH": str(tree), **expect.get("env", {})}
    proc = subprocess.run(
        [sys.executable, "-m", "gocross_action.cli", "check", str(module), "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=module,
        timeout=600,
        check=False,
    )
    if proc.returncode not in (0, 1):
        problem = proc.stderr.strip()
        raise SystemExit(f"gocross check failed on {source.name} (exit {proc.returncode}): {problem}")
    report: dict[str, Any] = json.loads(proc.stdout)
    return expect, report


def score(fixtures: Path, *, verbose: bool = False, tree: Path = ROOT) -> dict[str, Any]:
    rows = []
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="gocross-fixtures-") as scratch:
        for source in sorted(p for p in fixtures.iterdir() if (p / "expect.json").is_file()):
            needs = json.loads((source / "expect.json").read_text(encoding="utf-8")).get("requires") or {}
            missing = [t for t in needs.get("tools", ()) if shutil.which(t) is None]
            if missing:
                print(f"skip {source.name}: {', '.join(missing)} not installed")
                continue
            expect, report = run_fixture(source, Path(scratch), tree)
            statuses = {t["target"]: t["status"] for t in report["targets"]}
            for target, wanted in expect["targets"].items():
                got = {"status": statuses.get(target), "category": top_category(report, target)}
                hit = got == {k: wanted[k] for k in ("status", "category")}
                rows.append(
                    {"fixture": source.name, "target": target, "expected": wanted, "got": got, "hit": hit}
                )
                if verbose or not hit:
                    mark = "hit " if hit else "MISS"
                    print(
                        f"{mark} {source.name:28} {target:14} {got['status'] or '-':7} "
                        f"{got['category'] or '-':28}"
                        + ("" if hit else f" expected {wanted['status']} {wanted['category']}")
                    )
    failed = [r for r in rows if r["expected"]["status"] == "failed"]
    passed = [r for r in rows if r["expected"]["status"] == "passed"]
    skipped = [r for r in rows if r["expected"]["status"] == "skipped"]
    false_errors = [
        r
        for r in passed
        if r["got"]["status"] == "passed" and r["expected"]["category"] is None and r["got"]["category"]
    ]
    return {
        "modules": len({r["fixture"] for r in rows}),
        "targets": len(rows),
        "hits": sum(r["hit"] for r in rows),
        "failed_targets": len(failed),
        "failed_hits": sum(r["hit"] for r in failed),
        "passed_targets": len(passed),
        "passed_hits": sum(r["hit"] for r in passed),
        "skipped_targets": len(skipped),
        "skipped_hits": sum(r["hit"] for r in skipped),
        "categories": sorted({r["expected"]["category"] for r in rows if r["expected"]["category"]}),
        "false_findings_on_clean_targets": len(false_errors),
        "seconds": round(time.monotonic() - started, 1),
        "rows": rows,
    }


def main(argv: list[str]) -> int:
    paths = [a for a in argv if not a.startswith("--")]
    trees = [a.split("=", 1)[1] for a in argv if a.startswith("--tree=")]
    result = score(
        Path(paths[0]) if paths else DEFAULT_FIXTURES,
        verbose="--verbose" in argv,
        tree=Path(trees[0]).resolve() if trees else ROOT,
    )
    if "--json" in argv:
        print(json.dumps(result, indent=2))
        return 0
    print(
        f"modules: {result['modules']}, targets: {result['targets']}, "
        f"categories: {len(result['categories'])} ({', '.join(result['categories'])})"
    )
    print(
        f"status and top category right: {result['hits']}/{result['targets']} = "
        f"{100.0 * result['hits'] / result['targets']:.1f}% "
        f"(failed targets {result['failed_hits']}/{result['failed_targets']}, "
        f"passed targets {result['passed_hits']}/{result['passed_targets']}, "
        f"refused before building {result['skipped_hits']}/{result['skipped_targets']}); "
        f"{result['seconds']} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
