"""``--smoke ARGS``: run each built binary once, natively or under qemu-user.

A foreign Linux architecture runs through binfmt_misc when an enabled ``qemu-<arch>`` entry is
registered, else by calling ``qemu-<arch>-static -L <sysroot>`` directly. Other systems are not
run. qemu's library prefix is chosen so that the program loader and the C library come from the
same package: Debian's cross libc (``libc6-arm64-cross`` in ``/usr/<triplet>``) or the multiarch
one (``libc6:arm64`` in ``/lib/<triplet>``). With both installed, ``-L /usr/<triplet>`` would load
the cross loader, which then finds the multiarch libc through the host's ``/etc/ld.so.cache``: a
mix that can fail or spin. Then the multiarch libc is used (no prefix: its loader and
ld.so.cache entries agree). A run that times out is killed with its whole process group.
"""

from __future__ import annotations

import errno
import shutil
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..findings import Evidence, Finding, Fix, Severity
from ..targets import Target, arch_info, cross_toolchain
from .host import host_goarch, host_goos

SMOKE_TIMEOUT_S = 60
OUTPUT_TAIL = 2000


@dataclass(frozen=True, kw_only=True)
class Runner:
    """How a binary is run here: ``how`` is native, binfmt, qemu or none (with ``reason``)."""

    how: str
    prefix: tuple[str, ...] = ()
    env: Mapping[str, str] | None = None
    reason: str | None = None
    # The target's C libraries found here (cross sysroot, multiarch) and which one qemu uses.
    libraries: tuple[str, ...] = ()
    library_choice: str | None = None


@dataclass(frozen=True, kw_only=True)
class SmokeResult:
    target: str
    binary: str
    how: str
    command: tuple[str, ...]
    returncode: int | None
    output: str
    duration_s: float
    # exec-format | no-loader | qemu-no-loader | qemu-libc-mix | qemu-crash | timeout | exit
    problem: str | None = None
    libraries: tuple[str, ...] = ()
    library_choice: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "binary": self.binary,
            "how": self.how,
            "command": list(self.command),
            "exit_code": self.returncode,
            "duration_s": round(self.duration_s, 3),
            "problem": self.problem,
            "output": self.output,
            "libraries": list(self.libraries),
            "library_choice": self.library_choice,
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


@dataclass(frozen=True, kw_only=True)
class Libraries:
    """The target's C libraries here and the prefix qemu should use (None: the host's paths)."""

    prefix: Path | None
    found: tuple[str, ...]
    choice: str | None


def multiarch_libc(target: Target, interpreter: str | None, root: Path = Path("/")) -> Path | None:
    """Debian multiarch's C library for the target (``libc6:arm64``): its libc in
    ``/lib/<triplet>`` and, when the binary names one, its loader at that path."""
    gnu = cross_toolchain(target).get("gnu")
    if not gnu:
        return None
    for base in ("lib", "usr/lib"):
        directory = root / base / gnu
        if (directory / "libc.so.6").exists():
            if interpreter and not (root / interpreter.lstrip("/")).exists():
                return None
            return directory
    return None


def libraries(target: Target, interpreter: str | None, root: Path = Path("/")) -> Libraries:
    """Choose qemu's library prefix so that loader and libc match (see the module docstring)."""
    cross = sysroot(target, root)
    multiarch = multiarch_libc(target, interpreter, root)
    found = tuple(
        f"{kind} ({path})" for kind, path in (("cross sysroot", cross), ("multiarch", multiarch)) if path
    )
    if cross is not None and multiarch is not None:
        return Libraries(
            prefix=None,
            found=found,
            choice=f"multiarch ({multiarch}): with both installed, -L {cross} would pair the cross "
            "loader with the multiarch libc listed in /etc/ld.so.cache",
        )
    if cross is not None:
        return Libraries(prefix=cross, found=found, choice=f"cross sysroot ({cross})")
    if multiarch is not None:
        return Libraries(prefix=None, found=found, choice=f"multiarch ({multiarch})")
    return Libraries(prefix=None, found=found, choice=None)


def runner(
    target: Target, *, root: Path = Path("/"), path: str | None = None, interpreter: str | None = None
) -> Runner:
    if target.goos != host_goos():
        return Runner(how="none", reason=f"{target.goos} binaries cannot run on {host_goos()}")
    native = {host_goarch()} | ({"386"} if host_goarch() == "amd64" else set())
    if target.goarch in native:
        return Runner(how="native")
    qemu = (arch_info(target.goarch) or {}).get("qemu")
    if not qemu:
        return Runner(how="none", reason=f"no qemu-user emulator is known for {target.goarch}")
    libs = libraries(target, interpreter, root)
    prefix_dir = libs.prefix
    if _binfmt_enabled(str(qemu), root):
        # Set either way: a QEMU_LD_PREFIX inherited from the environment must not mix libraries.
        env = {"QEMU_LD_PREFIX": str(prefix_dir) if prefix_dir else "/"}
        return Runner(how="binfmt", env=env, libraries=libs.found, library_choice=libs.choice)
    binary = shutil.which(f"{qemu}-static", path=path) or shutil.which(str(qemu), path=path)
    if binary is None:
        return Runner(
            how="none", reason=f"{qemu}-static is not installed and binfmt_misc has no {qemu} entry"
        )
    prefix = (binary, "-L", str(prefix_dir)) if prefix_dir else (binary,)
    return Runner(how="qemu", prefix=prefix, libraries=libs.found, library_choice=libs.choice)


_LIBC_MIX = ("GLIBC_PRIVATE", "relocation error", "symbol lookup error")


def _classify(how: str, code: int | None, output: str) -> str | None:
    if code == 0:
        return None
    if how in ("qemu", "binfmt"):
        if "Could not open" in output and ("ld-" in output or "No such file" in output):
            return "qemu-no-loader"
        if any(marker in output for marker in _LIBC_MIX):
            return "qemu-libc-mix"
        if "uncaught target signal" in output or "qemu: " in output:
            return "qemu-crash"
    return "exit"


def _interpreter(binary: Path) -> str | None:
    try:
        from ..inspect import read

        return read(binary).interpreter
    except Exception:  # an unreadable binary is run anyway; the run reports what happens
        return None


def run(
    target: Target,
    binary: Path,
    args: Sequence[str],
    *,
    env: Mapping[str, str],
    root: Path = Path("/"),
    timeout_s: float = SMOKE_TIMEOUT_S,
) -> SmokeResult:
    how = runner(target, root=root, path=env.get("PATH"), interpreter=_interpreter(binary))
    command = (*how.prefix, str(binary.resolve()), *args)
    base = SmokeResult(
        target=str(target),
        binary=str(binary),
        how=how.how,
        command=command,
        returncode=None,
        output="",
        duration_s=0,
        libraries=how.libraries,
        library_choice=how.library_choice,
    )
    if how.how == "none":
        return replace(base, output=how.reason or "")
    started = time.monotonic()
    from .. import process

    # A new session, killed as a whole group at the deadline: a program, or qemu, that ignores
    # SIGTERM or leaves children must not outlive the run.
    done = process.run(command, timeout=timeout_s, env={**env, **(how.env or {})})
    took = time.monotonic() - started
    output = (done.stdout + done.stderr).decode("utf-8", errors="replace")[-OUTPUT_TAIL:]
    if done.timed_out:
        # Under emulation with two C libraries for the target, a hang is the loader/libc mix-up.
        mixed = how.how in ("qemu", "binfmt") and len(how.libraries) > 1
        return replace(base, output=output, duration_s=took, problem="qemu-libc-mix" if mixed else "timeout")
    if done.returncode is None:
        failure = {errno.ENOEXEC: "exec-format", errno.ENOENT: "no-loader"}.get(done.errno or 0, "exit")
        if failure == "no-loader" and not binary.exists():
            failure = "exit"
        return replace(base, returncode=None, output=done.error or "", duration_s=took, problem=failure)
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
        "qemu-libc-mix": (
            "artifact.smoke-qemu-libc-mix",
            "binfmt-qemu",
            Severity.WARNING,
            f"{t} binary could not be emulated: qemu mixed two C libraries for the target",
            "The emulated program loader and C library came from different packages ("
            + (", ".join(result.libraries) or "two C libraries for the target are installed")
            + "): the cross loader found the multiarch libc through the host's /etc/ld.so.cache, or "
            "the reverse. The run hung or failed in the loader, which says nothing about the binary "
            "or the smoke arguments.",
            "Give qemu one C library: QEMU_LD_PREFIX (or -L) pointing at a sysroot whose loader and "
            "libc match, with LD_LIBRARY_PATH=<sysroot>/lib; or remove one of libc6-<arch>-cross and "
            "libc6:<arch>",
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
