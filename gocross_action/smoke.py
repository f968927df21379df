"""``--smoke ARGS``: run each built binary once, natively or under qemu-user.

A foreign Linux architecture runs through binfmt_misc when an enabled ``qemu-<arch>`` entry is
registered, else by calling ``qemu-<arch>-static -L <sysroot>`` directly (the sysroot is
Debian's ``/usr/<triplet>`` when the cross libc is installed). Other systems are not run.
"""

from __future__ import annotations

import errno
import platform
import shutil
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .findings import Evidence, Finding, Fix, Severity
from .targets import Target, arch_info, cross_toolchain

SMOKE_TIMEOUT_S = 60
OUTPUT_TAIL = 2000

_MACHINE_TO_GOARCH = {
    "x86_64": "amd64",
    "amd64": "amd64",
    "aarch64": "arm64",
    "arm64": "arm64",
    "i386": "386",
    "i686": "386",
    "armv7l": "arm",
    "armv6l": "arm",
    "riscv64": "riscv64",
    "ppc64le": "ppc64le",
    "s390x": "s390x",
}


def host_goarch() -> str:
    return _MACHINE_TO_GOARCH.get(platform.machine(), platform.machine())


def host_goos() -> str:
    return platform.system().lower()


@dataclass(frozen=True, kw_only=True)
class Runner:
    """How a binary is run here: ``how`` is native, binfmt, qemu or none (with ``reason``)."""

    how: str
    prefix: tuple[str, ...] = ()
    env: Mapping[str, str] | None = None
    reason: str | None = None


@dataclass(frozen=True, kw_only=True)
class SmokeResult:
    target: str
    binary: str
    how: str
    command: tuple[str, ...]
    returncode: int | None
    output: str
    duration_s: float
    problem: str | None = None  # exec-format | no-loader | qemu-no-loader | qemu-crash | timeout | exit

    def to_json(self) -> dict[str, Any]:
        return {
            "binary": self.binary,
            "how": self.how,
            "command": list(self.command),
            "exit_code": self.returncode,
            "duration_s": round(self.duration_s, 3),
            "problem": self.problem,
            "output": self.output,
        }


def _binfmt_enabled(name: str, root: Path) -> bool:
    try:
        first = (root / "proc/sys/fs/binfmt_misc" / name).read_text(encoding="utf-8").splitlines()[:1]
    except OSError:
        return False
    return first == ["enabled"]


def sysroot(target: Target, root: Path = Path("/")) -> Path | None:
    gnu = cross_toolchain(target).get("gnu")
    candidate = root / "usr" / gnu if gnu else None
    return candidate if candidate is not None and candidate.is_dir() else None


def runner(target: Target, *, root: Path = Path("/"), path: str | None = None) -> Runner:
    if target.goos != host_goos():
        return Runner(how="none", reason=f"{target.goos} binaries cannot run on {host_goos()}")
    native = {host_goarch()} | ({"386"} if host_goarch() == "amd64" else set())
    if target.goarch in native:
        return Runner(how="native")
    qemu = (arch_info(target.goarch) or {}).get("qemu")
    if not qemu:
        return Runner(how="none", reason=f"no qemu-user emulator is known for {target.goarch}")
    prefix_dir = sysroot(target, root)
    if _binfmt_enabled(str(qemu), root):
        env = {"QEMU_LD_PREFIX": str(prefix_dir)} if prefix_dir else {}
        return Runner(how="binfmt", env=env)
    binary = shutil.which(f"{qemu}-static", path=path) or shutil.which(str(qemu), path=path)
    if binary is None:
        return Runner(
            how="none", reason=f"{qemu}-static is not installed and binfmt_misc has no {qemu} entry"
        )
    prefix = (binary, "-L", str(prefix_dir)) if prefix_dir else (binary,)
    return Runner(how="qemu", prefix=prefix)


def _classify(how: str, code: int | None, output: str) -> str | None:
    if code == 0:
        return None
    if how in ("qemu", "binfmt"):
        if "Could not open" in output and ("ld-" in output or "No such file" in output):
            return "qemu-no-loader"
        if "uncaught target signal" in output or "qemu: " in output:
            return "qemu-crash"
    return "exit"


def run(
    target: Target, binary: Path, args: Sequence[str], *, env: Mapping[str, str], root: Path = Path("/")
) -> SmokeResult:
    how = runner(target, root=root, path=env.get("PATH"))
    command = (*how.prefix, str(binary.resolve()), *args)
    base = SmokeResult(
        target=str(target),
        binary=str(binary),
        how=how.how,
        command=command,
        returncode=None,
        output="",
        duration_s=0,
    )
    if how.how == "none":
        return replace(base, output=how.reason or "")
    started = time.monotonic()
    from . import process

    done = process.run(command, timeout=SMOKE_TIMEOUT_S, env={**env, **(how.env or {})})
    took = time.monotonic() - started
    if done.timed_out:
        return replace(base, returncode=None, output="", duration_s=took, problem="timeout")
    if done.returncode is None:
        failure = {errno.ENOEXEC: "exec-format", errno.ENOENT: "no-loader"}.get(done.errno or 0, "exit")
        if failure == "no-loader" and not binary.exists():
            failure = "exit"
        return replace(base, returncode=None, output=done.error or "", duration_s=took, problem=failure)
    output = (done.stdout + done.stderr).decode("utf-8", errors="replace")[-OUTPUT_TAIL:]
    problem = _classify(how.how, done.returncode, output)
    return replace(base, returncode=done.returncode, output=output, duration_s=took, problem=problem)


def finding(result: SmokeResult) -> Finding | None:
    """What a failed smoke run means, or None when it passed or was not run."""
    if result.problem is None:
        return None
    shown = " ".join(Path(c).name if i == 0 else c for i, c in enumerate(result.command))
    evidence = (Evidence(source="artifact", text=f"$ {shown}\n{result.output.strip()}"[:OUTPUT_TAIL]),)
    t = result.target
    table: dict[str, tuple[str, str, Severity, str, str, str]] = {
        "exec-format": (
            "artifact.smoke-exec-format",
            "exec-format-error",
            Severity.ERROR,
            f"{t} binary does not run here: exec format error",
            "The kernel refused the file as an executable for this machine: it was not built for the "
            f"intended target {t}, or the target does not match this runner.",
            "Check GOOS/GOARCH of the build (gocross inspect shows what the file is)",
        ),
        "no-loader": (
            "artifact.smoke-no-loader",
            "libc-musl-glibc-mismatch",
            Severity.ERROR,
            f"{t} binary cannot start: its program loader is missing",
            "The binary is dynamically linked against a C library whose loader (ELF interpreter) "
            "this system does not have, as when a glibc binary meets a musl system or the reverse.",
            "Build with CGO_ENABLED=0 for a static binary, or build against the C library of the systems "
            "it runs on",
        ),
        "qemu-no-loader": (
            "artifact.smoke-qemu-sysroot",
            "binfmt-qemu",
            Severity.WARNING,
            f"{t} binary could not be emulated: qemu found no loader for it",
            "qemu-user ran the binary, but the target's C library (its loader) is not in the sysroot "
            "qemu searched, so this run says nothing about the binary itself.",
            "Install the target's libc for emulation (e.g. libc6-arm64-cross) or build statically",
        ),
        "qemu-crash": (
            "artifact.smoke-qemu-crash",
            "binfmt-qemu",
            Severity.WARNING,
            f"{t} binary crashed under qemu-user",
            "qemu-user failed while emulating the binary; emulation bugs and real crashes look alike "
            "here, so confirm on real hardware.",
            "Try a newer qemu-user-static, or run the smoke test on a native runner",
        ),
        "timeout": (
            "artifact.smoke-timeout",
            "other",
            Severity.ERROR,
            f"{t} binary did not finish its smoke run within {SMOKE_TIMEOUT_S}s",
            "The smoke command did not exit in time: it may wait for input or a server.",
            "Pass --smoke arguments that make the program exit, such as --version",
        ),
        "exit": (
            "artifact.smoke-failed",
            "other",
            Severity.ERROR,
            f"{t} binary exited with status {result.returncode} in its smoke run",
            f"The binary started ({result.how}) but failed with the smoke arguments.",
            "Run the same command locally and read its output",
        ),
    }
    rule, category, severity, title, cause, fix = table[result.problem]
    return Finding(
        rule=rule,
        category=category,
        severity=severity,
        target=t,
        title=title,
        root_cause=cause,
        evidence=evidence,
        fix=Fix(summary=fix),
    )
