"""Score `gocross diagnose` on the labelled corpus of real failure logs, the way users meet it.

For each log in labels.json: `gocross diagnose --format json --log FILE [--target T]` (the real
CLI, in a subprocess); a hit is when the first finding of severity error or warning has the
labelled category, or the secondary label when there is one. No finding is a miss.

    python3 benchmarks/corpus_accuracy.py [CORPUS_DIR] [--verbose]
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# ../shared beside the repository; a git worktree one level deeper finds it one level up.
DEFAULT_CORPUS = next(
    (p / "shared" / "corpus" / "logs" for p in (ROOT.parent, ROOT.parent.parent) if (p / "shared").is_dir()),
    ROOT.parent / "shared" / "corpus" / "logs",
)


def first_category(report: dict[str, object]) -> str | None:
    findings = report.get("findings")
    assert isinstance(findings, list)
    for finding in findings:
        if finding["severity"] in ("error", "warning"):
            return str(finding["category"])
    return None


def diagnose(log: Path, target: str | None) -> dict[str, object]:
    args = [sys.executable, "-m", "gocross_action.cli", "diagnose", "--format", "json", "--log", str(log)]
    if target:
        args += ["--target", target]
    proc = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, timeout=120, check=False)
    if proc.returncode not in (0, 1):
        problem = proc.stderr.strip()
        raise SystemExit(f"gocross diagnose failed on {log.name} (exit {proc.returncode}): {problem}")
    report: dict[str, object] = json.loads(proc.stdout)
    return report


def main(argv: list[str]) -> int:
    verbose = "--verbose" in argv
    paths = [a for a in argv if not a.startswith("--")]
    corpus = Path(paths[0]) if paths else DEFAULT_CORPUS
    labels = json.loads((corpus / "labels.json").read_text(encoding="utf-8"))
    hits = 0
    for entry in labels:
        got = first_category(diagnose(corpus / entry["file"], entry.get("target")))
        wanted = {entry["category"], entry.get("secondary")} - {None}
        hit = got in wanted
        hits += hit
        if verbose or not hit:
            mark = "hit " if hit else "MISS"
            print(f"{mark} {entry['file']}: got {got}, labelled {' / '.join(sorted(wanted))}")
    total = len(labels)
    print(f"accuracy: {hits}/{total} = {100.0 * hits / total:.1f}%")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
