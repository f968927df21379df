"""Whether the build runs in a container, its seccomp mode, cgroup version and memory limit, and
(on the live machine only) whether seccomp blocks the newer syscalls glibc and Go rely on."""

from __future__ import annotations

import ctypes
import errno
import os
import sys
from typing import Any

from ..findings import Evidence, Finding, Fix, Severity, Snippet
from . import system
from .model import ProbeContext, ProbeResult, result

NAME = "container"
UNLIMITED = 1 << 62
_RUNTIME_MARKERS = ("docker", "kubepods", "containerd", "libpod", "lxc", "actions_job")


def detect(ctx: ProbeContext) -> tuple[bool, str | None, list[str]]:
    """(in a container, runtime name if known, the evidence)."""
    evidence: list[str] = []
    runtime: str | None = None
    if ctx.path("/.dockerenv").exists():
        evidence.append("/.dockerenv exists")
        runtime = "docker"
    if ctx.path("/run/.containerenv").exists():
        evidence.append("/run/.containerenv exists")
        runtime = runtime or "podman"
    marker = ctx.env.get("container")
    if marker:
        evidence.append(f"container={marker} in the environment")
        runtime = runtime or marker
    cgroup = system.read_text(ctx, "/proc/1/cgroup") or ""
    for word in _RUNTIME_MARKERS:
        if word in cgroup:
            evidence.append(f"/proc/1/cgroup mentions {word}")
            runtime = runtime or word
            break
    for line in (system.read_text(ctx, "/proc/self/mountinfo") or "").splitlines():
        fields = line.split(" - ")
        if len(fields) == 2 and fields[0].split()[4:5] == ["/"] and fields[1].startswith("overlay"):
            evidence.append("the root filesystem is an overlay")
            break
    return bool(evidence), runtime, evidence


def seccomp(ctx: ProbeContext) -> tuple[str | None, bool | None]:
    """The seccomp mode and no_new_privs of the probing process (``/proc/self/status``)."""
    modes = system.data()["seccomp_modes"]
    mode = nnp = None
    for line in (system.read_text(ctx, "/proc/self/status") or "").splitlines():
        key, _, value = line.partition(":")
        if key == "Seccomp":
            mode = modes.get(value.strip(), value.strip())
        elif key == "NoNewPrivs":
            nnp = value.strip() == "1"
    return mode, nnp


def cgroup(ctx: ProbeContext) -> dict[str, Any]:
    """cgroup version and this process's memory limit in MiB (None: no limit or unknown)."""
    own = ""
    v1_memory = ""
    for line in (system.read_text(ctx, "/proc/self/cgroup") or "").splitlines():
        parts = line.split(":", 2)
        if len(parts) == 3 and parts[0] == "0":
            own = parts[2]
        elif len(parts) == 3 and "memory" in parts[1].split(","):
            v1_memory = parts[2]
    if ctx.path("/sys/fs/cgroup/cgroup.controllers").is_file():
        version = "2"
        candidates = [f"/sys/fs/cgroup{own.rstrip('/')}/memory.max", "/sys/fs/cgroup/memory.max"]
    elif ctx.path("/sys/fs/cgroup/memory").is_dir():
        version = "1"
        candidates = [
            f"/sys/fs/cgroup/memory{v1_memory.rstrip('/')}/memory.limit_in_bytes",
            "/sys/fs/cgroup/memory/memory.limit_in_bytes",
        ]
    else:
        return {"version": None, "memory_limit_mib": None}
    limit: int | None = None
    for candidate in candidates:
        text = system.read_text(ctx, candidate)
        if text is None:
            continue
        value = text.strip()
        if value.isdigit() and int(value) < UNLIMITED:
            limit = int(value) // (1024 * 1024)
        break
    return {"version": version, "memory_limit_mib": limit}


def blocked_syscalls() -> dict[str, str]:
    """How clone3 and faccessat2 answer this process, called with arguments that make the
    kernel reject them harmlessly (EINVAL) or succeed without side effects. EPERM means a
    seccomp profile blocks them; ENOSYS is fine (glibc falls back)."""
    if not sys.platform.startswith("linux"):
        return {}
    libc = ctypes.CDLL(None, use_errno=True)
    numbers = system.data()["syscalls"]
    calls = {
        "clone3": (ctypes.c_long(numbers["clone3"]), ctypes.c_void_p(0), ctypes.c_size_t(0)),
        "faccessat2": (
            ctypes.c_long(numbers["faccessat2"]),
            ctypes.c_int(-100),  # AT_FDCWD
            ctypes.c_char_p(b"/"),
            ctypes.c_int(os.F_OK),
            ctypes.c_int(0),
        ),
    }
    answers: dict[str, str] = {}
    for name, args in calls.items():
        ctypes.set_errno(0)
        code = libc.syscall(*args)
        err = ctypes.get_errno()
        answers[name] = "ok" if code == 0 or err not in (errno.EPERM, errno.ENOSYS) else errno.errorcode[err]
    return answers


def probe(ctx: ProbeContext) -> ProbeResult:
    inside, runtime, why = detect(ctx)
    mode, nnp = seccomp(ctx)
    groups = cgroup(ctx)
    facts: dict[str, Any] = {
        "in_container": inside,
        "runtime": runtime,
        "evidence": why,
        "seccomp": mode,
        "no_new_privs": nnp,
        "cgroup_version": groups["version"],
        "memory_limit_mib": groups["memory_limit_mib"],
    }
    findings: list[Finding] = []
    if ctx.live:
        answers = blocked_syscalls()
        facts["syscalls"] = answers
        denied = sorted(name for name, answer in answers.items() if answer == "EPERM")
        if denied:
            findings.append(_seccomp_blocks(denied, mode))
    limit = groups["memory_limit_mib"]
    if limit is not None and limit < int(system.data()["memory_warn_mib"]):
        findings.append(_memory(limit))
    return result(NAME, facts, findings)


def _seccomp_blocks(denied: list[str], mode: str | None) -> Finding:
    return Finding(
        rule="probe.container.seccomp-blocks-syscalls",
        category="seccomp-container-runtime",
        severity=Severity.WARNING,
        title=f"the container's seccomp profile answers {', '.join(denied)} with EPERM",
        root_cause="An old container runtime's seccomp profile rejects syscalls that glibc 2.33+ and newer "
        "toolchains use, instead of reporting them as missing, so threads and file checks fail "
        "('runtime: failed to create new OS thread', 'Operation not permitted').",
        fix=Fix(
            summary="Update the container runtime (Docker >= 20.10.10, containerd >= 1.5.7), or run the "
            "container with a newer seccomp profile.",
            snippets=(Snippet(language="bash", code="docker run --security-opt seccomp=unconfined ...\n"),),
        ),
        evidence=(Evidence(source="probe", text=f"seccomp: {mode}; EPERM from {', '.join(denied)}"),),
        priority=60,
    )


def _memory(limit: int) -> Finding:
    return Finding(
        rule="probe.container.memory-low",
        category="resources-oom",
        severity=Severity.WARNING,
        title=f"the build's memory limit is {limit} MiB",
        root_cause="The cgroup memory limit is low for linking Go binaries, several at once; the kernel "
        "kills the linker with 'signal: killed' when it is reached.",
        fix=Fix(
            summary="Raise the container's memory limit, or build fewer targets at once (--jobs 1).",
            snippets=(Snippet(language="bash", code="gocross check --jobs 1\n"),),
        ),
        evidence=(Evidence(source="probe", text=f"cgroup memory limit: {limit} MiB"),),
        confidence=0.6,
        priority=30,
    )
