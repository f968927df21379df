"""`gocross audit` speed: this repository, and every repository of the audit corpus.

Three figures, each the median of ``--rounds`` runs:
- ``gocross audit`` on this repository end to end (a new process each time: Python start-up,
  the walk, parsing and checks, the text report), next to ``python3 -c pass`` for start-up alone;
- the audit itself on this repository, in process (what ``gocross check`` adds to a run);
- the audit of all corpus repositories (tests/audit/testdata), in process.

    python3 benchmarks/audit_speed.py [--rounds 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "audit" / "testdata"


def _timed(run: object) -> float:
    start = time.perf_counter()
    run()  # type: ignore[operator]
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from gocross_action import audit

    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    cli = [sys.executable, "-m", "gocross_action.cli", "audit", str(ROOT), "--fail-on", "never"]
    bare = [sys.executable, "-c", "pass"]
    cases = sorted(p for p in CORPUS.iterdir() if p.is_dir())
    times: dict[str, list[float]] = {"cli": [], "python": [], "repo": [], "corpus": []}
    for _ in range(args.rounds):  # interleaved, so machine load hits every figure alike
        times["cli"].append(_timed(lambda: subprocess.run(cli, env=env, capture_output=True, check=True)))
        times["python"].append(_timed(lambda: subprocess.run(bare, capture_output=True, check=True)))
        times["repo"].append(_timed(lambda: audit.run(ROOT)))
        times["corpus"].append(_timed(lambda: [audit.run(case, env={"PATH": ""}) for case in cases]))
    median = {k: statistics.median(v) for k, v in times.items()}
    print(f"gocross audit on this repository, end to end: {median['cli'] * 1000:.0f} ms")
    print(f"  of which Python start-up alone:              {median['python'] * 1000:.0f} ms")
    print(f"the audit of this repository, in process:      {median['repo'] * 1000:.0f} ms")
    print(
        f"the audit of the {len(cases)} corpus repositories:       {median['corpus'] * 1000:.0f} ms "
        f"({median['corpus'] / len(cases) * 1000:.1f} ms each)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
