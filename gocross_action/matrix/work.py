"""What the stages learned about one target: the one record the schedule's threads fill in, each
field written by one stage (plan: ``tc``, ``job``, ``skip_reason``; build: ``outcome``; cgo
analysis: ``usage``; inspect: ``binary``, ``findings``; smoke: ``smoke``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..config import TargetConfig
from ..errors import InputError

if TYPE_CHECKING:
    from ..findings import Finding

# Build logs are read whole for the file-set, probe-fact and fix analyses; past this size only
# the head is (the rules stream the whole log).
LOG_TEXT_LIMIT = 16 * 1024 * 1024


@dataclass(kw_only=True)
class TargetWork:
    """One target's state through the stages (mutable: the stages run on different threads, but
    each field has one writer)."""

    tc: TargetConfig
    job: Any = None  # build.BuildJob
    outcome: Any = None  # build.BuildOutcome
    usage: Any = None  # cgo.CgoUsage
    binary: Mapping[str, Any] | None = None
    smoke: Any = None  # smoke.SmokeResult
    findings: list[Finding] = field(default_factory=list)
    skip_reason: str | None = None
    _log_text: str | None = field(default=None, init=False, repr=False)  # not copied by replace()

    @property
    def target(self) -> str:
        return str(self.tc.target)

    @property
    def passed(self) -> bool:
        return self.outcome is not None and self.outcome.status == "passed"

    @property
    def failed(self) -> bool:
        return self.outcome is not None and self.outcome.status == "failed"

    def log_text(self) -> str:
        """The build log's text, read once (its first LOG_TEXT_LIMIT bytes: the build decides
        the log's size) for the analyses that need it whole."""
        if self._log_text is None:
            self._log_text = read_log(self.outcome.job.log)
        return self._log_text


def read_log(log: Path) -> str:
    """A build log's head as text; empty when it cannot be read."""
    from ..boundary.read import read_head

    try:
        return read_head(log, limit=LOG_TEXT_LIMIT, what="build log").decode("utf-8", errors="replace")
    except InputError:
        return ""
