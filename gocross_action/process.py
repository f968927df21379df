"""Run a child process with a deadline that holds for everything it starts.

A build runs code from the repository: ``go build`` starts compilers, a ``CC`` script may start
anything, and any of them may never return. ``subprocess.run(timeout=...)`` kills only the
direct child and then waits for its pipes, which a surviving grandchild keeps open, so it can
wait forever. Here every child gets its own session (its own process group); at the deadline
the command lines of the group's processes still running are read from ``/proc`` (the ones
with no running child of their own are the ones that hung) and the whole group is killed.
Stragglers left in the group after a normal exit are killed too.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

# The nice increment of tools run alongside builds (go list, probes): they take the CPU time
# the builds leave, and run at full speed once the builds are done.
BACKGROUND = 19

# After the group is killed, how long to wait for the pipes to close (a process that left the
# group with setsid may still hold them: then they are abandoned).
DRAIN_S = 5.0
# Output kept per stream of a child (the rest is read and dropped).
OUTPUT_LIMIT = 16 << 20
COMMAND_MAX = 300


@dataclass(frozen=True, kw_only=True)
class Finished:
    """A finished child: ``returncode`` None when it could not start (``error`` says why);
    ``timed_out`` when the deadline killed it, with ``hung`` the processes that were stuck then,
    each with the chain of processes that started it (``hung_commands``)."""

    returncode: int | None
    stdout: bytes = b""
    stderr: bytes = b""
    timed_out: bool = False
    hung: tuple[str, ...] = ()
    error: str | None = None
    errno: int | None = None


def _group_members(pgid: int) -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, command line) of the running processes in group ``pgid``."""
    members: dict[int, tuple[int, str]] = {}
    try:
        entries = [p.name for p in Path("/proc").iterdir()]
    except OSError:
        return members
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_bytes()
            # pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses.
            fields = stat[stat.rfind(b")") + 2 :].split()
            state, ppid, pgrp = fields[0], int(fields[1]), int(fields[2])
            if pgrp != pgid or state == b"Z":
                continue
            raw = Path(f"/proc/{entry}/cmdline").read_bytes()[: COMMAND_MAX * 4]
        except (OSError, ValueError, IndexError):
            continue
        command = raw.rstrip(b"\0").replace(b"\0", b" ").decode("utf-8", "replace")
        members[int(entry)] = (ppid, command[:COMMAND_MAX] or f"[pid {entry}]")
    return members


def hung_commands(pgid: int) -> tuple[str, ...]:
    """One entry per stuck process of the group (a running process with no running child): its
    command line, then the ones that started it, ``sleep 1 <- /bin/sh ./cc -c x.c <- go build``."""
    members = _group_members(pgid)
    parents = {ppid for ppid, _ in members.values()}
    chains = []
    for pid in sorted(members):
        if pid in parents:
            continue
        chain, seen = [], set()
        while pid in members and pid not in seen:
            seen.add(pid)
            ppid, command = members[pid]
            chain.append(command)
            pid = ppid
        chains.append(" <- ".join(chain))
    return tuple(dict.fromkeys(chains))


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


class _Drain:
    """Reads a pipe to its end on a thread, keeping at most ``limit`` bytes (the rest is read
    and dropped, so the child never blocks on a full pipe and memory stays bounded)."""

    def __init__(self, pipe: IO[bytes] | None, limit: int) -> None:
        self.chunks: list[bytes] = []
        self.kept = 0
        self.dropped = 0
        self.pipe = pipe
        self.limit = limit
        self.thread = threading.Thread(target=self._read, daemon=True) if pipe is not None else None
        if self.thread is not None:
            self.thread.start()

    def _read(self) -> None:
        assert self.pipe is not None
        try:
            while chunk := self.pipe.read1(1 << 16):  # type: ignore[attr-defined]
                room = self.limit - self.kept
                if room > 0:
                    self.chunks.append(chunk[:room])
                    self.kept += min(room, len(chunk))
                self.dropped += max(0, len(chunk) - max(room, 0))
        except (OSError, ValueError):
            return

    def join(self, timeout: float) -> bool:
        """Whether the pipe reached its end within ``timeout``."""
        if self.thread is None:
            return True
        self.thread.join(timeout)
        return not self.thread.is_alive()

    def close(self) -> None:
        if self.pipe is not None:
            self.pipe.close()

    def data(self) -> bytes:
        return b"".join(self.chunks)


def _lower_priority(pid: int, nice: int) -> None:
    """The child's nice value raised by ``nice`` (what it starts inherits it); best effort."""
    try:
        os.setpriority(os.PRIO_PROCESS, pid, min(19, os.getpriority(os.PRIO_PROCESS, 0) + nice))
    except (AttributeError, OSError):
        pass


def _ended(proc: subprocess.Popen[bytes], timeout: float) -> bool:
    """Whether ``proc`` exits within ``timeout`` seconds, seen the moment it exits: a pidfd is
    readable then (``Popen.wait`` with a timeout polls, and sees an exit up to 50 ms late: a
    build slot would stand idle that long). Where there is no pidfd, ``Popen.wait`` does."""
    try:
        pidfd = os.pidfd_open(proc.pid)
    except (AttributeError, OSError):
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return False
        return True
    try:
        poller = select.poll()
        poller.register(pidfd, select.POLLIN)
        ready = poller.poll(max(0, int(timeout * 1000)))
    finally:
        os.close(pidfd)
    if not ready:
        return False
    proc.wait()
    return True


def run(
    argv: Sequence[str],
    *,
    timeout: float,
    cwd: Path | str | None = None,
    env: Mapping[str, str] | None = None,
    stdout: IO[bytes] | int = subprocess.PIPE,
    stderr: IO[bytes] | int = subprocess.PIPE,
    max_output: int = OUTPUT_LIMIT,
    nice: int = 0,
    started: Callable[[], object] | None = None,
) -> Finished:
    """Run ``argv`` (stdin from /dev/null) and wait at most ``timeout`` seconds for it, every
    process it starts and the end of its output; never raises for the child's failure. Output
    goes to ``stdout`` and ``stderr``: pipes by default, returned in ``Finished`` (at most
    ``max_output`` bytes of each), or open files. ``nice`` lowers the child's CPU priority by
    that much (``BACKGROUND``: work that runs alongside builds and must not slow them).
    ``started`` is called once the child runs (not when it cannot start)."""
    try:
        proc = subprocess.Popen(
            list(argv),
            cwd=cwd,
            env=dict(env) if env is not None else None,
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,
        )
    except OSError as exc:
        return Finished(returncode=None, error=exc.strerror or str(exc), errno=exc.errno)
    pgid = proc.pid  # a new session: the child leads its own process group
    if nice > 0:
        _lower_priority(proc.pid, nice)
    drains = (_Drain(proc.stdout, max_output), _Drain(proc.stderr, max_output))
    deadline = time.monotonic() + timeout
    try:
        if started is not None:
            started()
        if _ended(proc, timeout):
            done = all(d.join(max(0.0, deadline - time.monotonic())) for d in drains)
        else:
            done = False
        if not done:
            hung = hung_commands(pgid)
            _kill_group(pgid)
            proc.wait()
            for drain in drains:
                # A pipe still open now is held by a process that left the group (setsid): its
                # reader thread is abandoned (a daemon), the rest is returned.
                if drain.join(DRAIN_S):
                    drain.close()
            out, err = (d.data() for d in drains)
            return Finished(returncode=proc.returncode, stdout=out, stderr=err, timed_out=True, hung=hung)
    except BaseException:
        _kill_group(pgid)
        proc.wait()
        for drain in drains:
            if drain.join(DRAIN_S):
                drain.close()
        raise
    _kill_group(pgid)  # whatever it left running in its group
    for drain in drains:
        drain.close()
    out, err = (d.data() for d in drains)
    return Finished(returncode=proc.returncode, stdout=out, stderr=err)
