"""A build that never returns costs ``build.timeout``, not the job's lifetime: the whole process
group is killed, the finding names the process that hung, nothing is left running; a target
listed many times is built once."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from gocross_action import process
from tests.conftest import run_gocross
from tests.integration.checkrun import copy_fixture


def running_with(marker: str) -> list[str]:
    """Command lines of the running processes that mention ``marker``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "stat").read_text().rsplit(")", 1)[-1].split()[0] == "Z":
                continue
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if marker in command:
            found.append(command)
    return found


def hanging_compiler(directory: Path) -> Path:
    """A C compiler that never returns (and never reads its input)."""
    script = directory / "hang-cc"
    script.write_text(f"#!{sys.executable}\nimport time\nwhile True:\n    time.sleep(60)\n", encoding="utf-8")
    script.chmod(0o755)
    return script


def test_a_compiler_that_never_returns_is_killed_at_build_timeout_and_named(tmp_path: Path) -> None:
    module = copy_fixture("cgo-needed", tmp_path)
    (module / "gocross.yml").write_text("build:\n  timeout: 5\n", encoding="utf-8")
    cc = hanging_compiler(tmp_path)
    started = time.monotonic()
    result = run_gocross(
        ["check", str(module), "--targets", "linux/amd64", "--format", "json"],
        env={"CGO_ENABLED": "1", "CC": str(cc)},
    )
    took = time.monotonic() - started
    assert result.code == 1, result.stderr
    assert took < 120
    report = json.loads(result.stdout)
    (row,) = report["targets"]
    assert row["status"] == "failed"
    top = next(f for f in report["findings"] if f["target"] == "linux/amd64")
    assert top["rule"] == "log.oom.build-timeout"
    assert "5s" in top["title"]
    assert str(cc) in top["root_cause"]  # the process that hung, by its command line
    assert running_with(str(cc)) == []  # the whole group was killed


def test_fifty_copies_of_a_target_run_one_build(tmp_path: Path) -> None:
    module = copy_fixture("pure", tmp_path)
    targets = ",".join(["linux/amd64"] * 50)
    result = run_gocross(["check", str(module), "--targets", targets, "--format", "json"])
    assert result.code == 0, result.stderr
    report = json.loads(result.stdout)
    assert [row["target"] for row in report["targets"]] == ["linux/amd64"]
    logs = module / ".gocross" / "logs"
    assert list(logs.iterdir()) == [logs / "linux_amd64.log"]


def test_a_grandchild_holding_the_output_pipe_does_not_outlive_the_deadline(tmp_path: Path) -> None:
    marker = f"gocross-test-grandchild-{os.getpid()}"
    script = f"sleep 3600 & exec -a {marker} sleep 3600"
    started = time.monotonic()
    done = process.run(["bash", "-c", script], timeout=1)
    assert time.monotonic() - started < 30  # subprocess.run(timeout=) waits on the open pipe forever
    assert done.timed_out
    assert any(marker in command for command in done.hung)
    assert running_with(marker) == []


def test_processes_left_behind_by_a_finished_child_are_killed(tmp_path: Path) -> None:
    marker = f"gocross-test-straggler-{os.getpid()}"
    done = process.run(
        ["bash", "-c", f"(exec -a {marker} sleep 3600) >/dev/null 2>&1 & echo started"], timeout=30
    )
    assert done.returncode == 0 and not done.timed_out
    assert done.stdout == b"started\n"
    deadline = time.monotonic() + 5
    while running_with(marker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert running_with(marker) == []


def test_a_tool_waiting_for_input_gets_end_of_file_instead_of_hanging(tmp_path: Path) -> None:
    done = process.run([sys.executable, "-c", "import sys; print(len(sys.stdin.read()))"], timeout=30)
    assert not done.timed_out
    assert done.stdout == b"0\n"


def test_a_child_printing_without_end_costs_bounded_memory() -> None:
    done = process.run(
        ["bash", "-c", "yes gocross-output-flood | head -c 100000000"], timeout=120, max_output=1 << 20
    )
    assert not done.timed_out
    assert done.returncode == 0
    assert len(done.stdout) == 1 << 20
