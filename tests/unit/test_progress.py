"""progress.Progress: what a terminal, GitHub Actions and a plain log each get on stderr."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from gocross_action.matrix.progress import Progress


def test_plain_stream_gets_one_line_per_finished_target(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    out = io.StringIO()
    progress = Progress(["linux/amd64"], stream=out)
    progress.start()
    progress.building("linux/amd64")
    progress.finished("linux/amd64", "passed", 1.25)
    assert out.getvalue() == "gocross: linux/amd64: passed 1.2s\n"


def test_live_table_redraws_every_target_in_place(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    out = io.StringIO()
    progress = Progress(["linux/amd64", "windows/amd64"], stream=out, live=True)
    progress.start()
    progress.building("windows/amd64")
    text = out.getvalue()
    assert "\x1b[2A" in text, "the second draw moves back up over the two lines"
    assert text.rstrip().endswith("windows/amd64  building...")


def test_github_actions_gets_a_group_per_target_with_its_log(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    log = tmp_path / "linux_amd64.log"
    log.write_text("# example.com/x\n::error::not a command\n")
    Progress(["linux/amd64"]).finished("linux/amd64", "failed", 2.0, log)
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "::group::gocross linux/amd64: failed 2.0s"
    assert err[-1] == "::endgroup::"
    assert not any(line.startswith("::error::") for line in err), "log lines cannot issue workflow commands"
