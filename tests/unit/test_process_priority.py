"""Tools that run alongside the builds (go list, the probes' compilers) run at a lower CPU
priority, so the builds get the cores first; what they start inherits it."""

from __future__ import annotations

import os
import sys

import pytest

from gocross_action import process

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")

# The nice value of the shell, then of a process it starts (field 19 of /proc/PID/stat), read
# once the priority is set (it is set right after the start).
_NICE = "sleep 0.1; cut -d' ' -f19 /proc/$$/stat; sh -c 'cut -d\" \" -f19 /proc/$$/stat'"


def test_a_background_tool_and_what_it_starts_run_at_lower_priority() -> None:
    mine = os.getpriority(os.PRIO_PROCESS, 0)
    done = process.run(["sh", "-c", _NICE], timeout=10, nice=process.BACKGROUND)
    assert done.returncode == 0
    expected = str(min(19, mine + process.BACKGROUND))
    assert done.stdout.decode().split() == [expected, expected]


def test_other_tools_keep_this_process_priority() -> None:
    done = process.run(["sh", "-c", _NICE], timeout=10)
    mine = str(os.getpriority(os.PRIO_PROCESS, 0))
    assert done.stdout.decode().split() == [mine, mine]


def test_the_exit_code_is_read_as_soon_as_the_child_ends() -> None:
    done = process.run(["sh", "-c", "exit 7"], timeout=10)
    assert (done.returncode, done.timed_out) == (7, False)
