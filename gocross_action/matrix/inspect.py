"""Inspect: read a built binary from its bytes and judge it against its target and the deploy
systems (``inspect/`` describes, ``checks/binary.py`` judges); the report names it relative to
the module, as the targets table does."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..findings import Finding
from ..targets import Target


def relative(path: Path, base: Path) -> str:
    """``path`` relative to ``base`` when it lies under it, else as given."""
    try:
        return str(path.resolve().relative_to(base))
    except ValueError:
        return str(path)


def binary(
    output: Path, *, target: Target, module_dir: Path, judging: Mapping[str, Any]
) -> tuple[dict[str, Any], list[Finding]]:
    """The binary's facts (JSON, for the report) and the findings about it."""
    from ..checks.binary import judge
    from ..inspect import read

    info = dataclasses.replace(read(output), path=relative(output, module_dir))
    return info.to_json(), judge(info, expect=target, target=str(target), **judging)


def trial_judge(judging: Mapping[str, Any]) -> Any:
    """How a trial rebuild's binary is judged: as the original was, against the same systems."""
    from ..checks.binary import judge
    from ..inspect import read

    def judge_trial(trial: Any) -> list[Finding]:
        return judge(read(trial.output), expect=trial.target, target=str(trial.target), **judging)

    return judge_trial
