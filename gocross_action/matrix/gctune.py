"""The Go toolchain's garbage collector, tuned for the builds gocross runs side by side.

``compile`` and ``link`` are Go programs: at Go's default ``GOGC=100`` the link of a small binary
spends about a tenth of its CPU collecting garbage, which matters when the builds already share
every core. When the inherited environment sets neither ``GOGC`` nor ``GOMEMLIMIT``, gocross runs
its builds with ``GOGC=400`` and a ``GOMEMLIMIT`` of this machine's available memory divided
among the processes that can run at once (build slots times ``go build``'s own parallelism), so a
large link collects more often instead of taking more than its share. Below ``MIN_SHARE`` per
process Go's defaults are kept. The collector's settings are not build inputs: the binaries are
the same bytes, and no fix or report shows them.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

TUNED_GOGC = "400"
# Less than this per process and the memory limit would make a larger link collect constantly.
MIN_SHARE = 512 << 20
_MEMINFO = Path("/proc/meminfo")
_CGROUP = Path("/sys/fs/cgroup")


def settings(env: Mapping[str, str], processes: int, available: int | None) -> dict[str, str]:
    """``GOGC`` and ``GOMEMLIMIT`` for the builds, or nothing when the user set either (theirs
    apply), the available memory is unknown, or a process's share is below ``MIN_SHARE``."""
    if "GOGC" in env or "GOMEMLIMIT" in env or available is None:
        return {}
    share = available // max(1, processes)
    if share < MIN_SHARE:
        return {}
    return {"GOGC": TUNED_GOGC, "GOMEMLIMIT": f"{share >> 20}MiB"}


def available_memory(meminfo: Path = _MEMINFO, cgroup: Path = _CGROUP) -> int | None:
    """Bytes this process can still use: the kernel's ``MemAvailable``, or less when the cgroup
    (v2) it runs in has a lower limit left. None when neither can be read."""
    found: list[int] = []
    text = _small(meminfo)
    for line in (text or "").splitlines():
        name, _, value = line.partition(":")
        if name == "MemAvailable" and value.split()[:1] and value.split()[0].isdigit():
            found.append(int(value.split()[0]) * 1024)
    limit, current = _small(cgroup / "memory.max"), _small(cgroup / "memory.current")
    if limit and current and limit.strip().isdigit() and current.strip().isdigit():
        found.append(max(0, int(limit) - int(current)))
    return min(found) if found else None


def _small(path: Path) -> str | None:
    """A short kernel file (``/proc``, ``/sys``), or None."""
    try:
        with path.open("rb") as f:
            return f.read(64 << 10).decode("ascii", "replace")
    except OSError:
        return None
