"""Reports that exercise every renderer path: what a failed ``check`` run, a clean run and an
``inspect`` run produce. Built through ``Report.build`` like the commands do; the tool version is
pinned so golden files do not change with each release."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from gocross_action.findings import Changes, Evidence, Finding, Fix, Location, Severity, Snippet
from gocross_action.report.model import Context, Report, TargetResult

TOOL_VERSION = "0.0.0-test"

HOSTILE = "@octocat <script>alert(1)</script> <!-- gocross-comment --> ``` ### not a heading | cell"


def _binary(**over: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "path": ".gocross/dist/hello_linux_amd64",
        "format": "elf",
        "goos": "linux",
        "goarch": "amd64",
        "variant": "v1",
        "bits": 64,
        "endian": "little",
        "linkage": "dynamic",
        "interpreter": "/lib64/ld-linux-x86-64.so.2",
        "needed": ["libc.so.6"],
        "glibc_required": "2.34",
        "pie": False,
        "stripped": False,
        "error": None,
        "go": {
            "version": "go1.26.0",
            "path": "example.com/hello",
            "main": {"path": "example.com/hello", "version": "(devel)", "sum": None},
            "settings": {"CGO_ENABLED": "1", "GOOS": "linux", "GOARCH": "amd64", "GOAMD64": "v1"},
            "deps": [],
        },
    }
    base.update(over)
    return base


# What an unreadable file leaves unknown.
_UNREAD = ("goos", "goarch", "variant", "bits", "endian", "linkage", "interpreter")
_UNREAD += ("glibc_required", "pie", "stripped", "go")


def _pin(report: Report) -> Report:
    return dataclasses.replace(report, tool_version=TOOL_VERSION)


def _environment() -> dict[str, Any]:
    """What the probes record on a Debian machine whose user ran ``go env -w CC=gcc``."""
    return {
        "toolchain": {
            "status": "ok",
            "go_version": "go1.26.0",
            "goroot": "/usr/local/go",
            "go_mod_go": "1.22",
            "go_mod_toolchain": None,
            "gotoolchain": "local",
            "gotoolchain_source": "/usr/local/go/go.env",
        },
        "cgo": {
            "status": "error",
            "zig": {"path": None, "version": None},
            "targets": {
                "linux/amd64": {
                    "cgo": True,
                    "cgo_source": "default: on for native builds",
                    "cc": "gcc",
                    "cc_source": "go env file /home/dev/.config/go/env",
                    "cc_path": "/usr/bin/gcc",
                    "cc_machine": "x86_64-linux-gnu",
                    "cc_fits": True,
                },
                "linux/arm64": {
                    "cgo": True,
                    "cgo_source": "CGO_ENABLED=1 (environment)",
                    "cc": "aarch64-linux-gnu-gcc",
                    "cc_source": "config cc",
                    "cc_path": None,
                    "cc_machine": None,
                    "cc_fits": None,
                },
                "windows/amd64": {"cgo": False, "cgo_source": "default: off when cross-compiling"},
            },
        },
        "libc": {
            "status": "ok",
            "family": "glibc",
            "glibc_version": "2.36",
            "distribution": "debian",
            "distribution_version": "12",
        },
        "modules": {
            "status": "ok",
            "goflags": "-buildvcs=false",
            "goproxy": "https://proxy.golang.org,direct",
            "sources": {"GOFLAGS": "go env file /home/dev/.config/go/env", "GOPROXY": "/usr/local/go/go.env"},
        },
        "cache": {
            "status": "ok",
            "home": "/home/dev",
            "gocache": "/home/dev/.cache/go-build",
            "gomodcache": "/home/dev/go/pkg/mod",
            "sources": {"GOCACHE": "default", "GOMODCACHE": "default"},
        },
        "container": {"status": "ok", "in_container": False},
    }


def check_failed() -> Report:
    """A check run: one target passed, one failed for want of a cross compiler, one skipped."""
    cc_missing = Finding(
        rule="log.cgo-cc-not-found",
        category="cgo-no-c-compiler",
        severity=Severity.ERROR,
        target="linux/arm64",
        title="The C cross compiler aarch64-linux-gnu-gcc is not installed",
        root_cause="cgo is enabled for linux/arm64 and go build ran aarch64-linux-gnu-gcc, "
        "which is not on PATH.",
        fix=Fix(
            summary="Install Debian's cross compiler for arm64",
            snippets=(Snippet(language="bash", code="sudo apt-get install -y gcc-aarch64-linux-gnu\n"),),
            changes=Changes(env={"CC": "aarch64-linux-gnu-gcc"}),
            verified=True,
        ),
        evidence=(
            Evidence(source="log", text='cgo: C compiler "aarch64-linux-gnu-gcc" not found', line=12),
            Evidence(source="probe", text="CC=aarch64-linux-gnu-gcc: not found in PATH"),
        ),
        confidence=0.95,
        priority=90,
    )
    platform_api = Finding(
        rule="log.undefined-platform-symbol",
        category="platform-api",
        severity=Severity.ERROR,
        target="windows/amd64",
        title="syscall.Stat_t does not exist on windows",
        root_cause="main.go uses syscall.Stat_t, which only Unix systems define.",
        fix=Fix(
            summary="Move the Unix-only code into a file with a //go:build unix constraint",
            snippets=(Snippet(language="go", code="//go:build unix\n\npackage main\n"),),
        ),
        evidence=(
            Evidence(
                source="log",
                text="./main.go:11:27: undefined: syscall.Stat_t",
                line=4,
                location=Location(path="main.go", line=11, column=27),
            ),
        ),
        confidence=0.9,
    )
    outside = Finding(
        rule="log.cgo-header-missing",
        category="cgo-headers-libs",
        severity=Severity.ERROR,
        target="linux/arm64",
        title="zlib.h is missing for linux/arm64",
        root_cause="The cross compiler works, but the arm64 zlib headers are not installed.",
        fix=Fix(
            summary="Install the arm64 zlib development package",
            snippets=(Snippet(language="bash", code="sudo apt-get install -y zlib1g-dev:arm64"),),
        ),
        evidence=(
            Evidence(
                source="log",
                text="/root/go/pkg/mod/example.com/z@v1.0.0/z.go:3:10: fatal error: zlib.h: No such file",
                line=20,
                location=Location(path="/root/go/pkg/mod/example.com/z@v1.0.0/z.go", line=3, column=10),
            ),
        ),
        confidence=0.8,
        priority=40,
    )
    vcs = Finding(
        rule="probe.vcs-dubious-ownership",
        category="vcs-stamping",
        severity=Severity.WARNING,
        target=None,
        title="git refuses the repository: it belongs to another user",
        root_cause="The workspace is owned by uid 1001 while the build runs as root, so git reports "
        "dubious ownership and go cannot stamp VCS information.",
        fix=Fix(
            summary="Mark the workspace as safe, or build with -buildvcs=false",
            snippets=(
                Snippet(language="bash", code='git config --global --add safe.directory "$GITHUB_WORKSPACE"'),
            ),
            changes=Changes(flags=("-buildvcs=false",)),
            verified=None,
        ),
        evidence=(Evidence(source="probe", text=HOSTILE),),
        confidence=1.0,
    )
    notice = Finding(
        rule="artifact.dynamic-no-deploy",
        category="glibc-version-mismatch",
        severity=Severity.NOTICE,
        target="linux/amd64",
        title="No deploy system declared for a dynamically linked binary",
        root_cause="The binary needs GLIBC_2.34, so it will not start on Debian 11 or Ubuntu 20.04.",
    )
    return _pin(
        Report.build(
            context=Context(command="check", config=".github/gocross.yml", go_mod="go.mod"),
            targets=[
                TargetResult(
                    target="linux/amd64",
                    status="passed",
                    duration_s=1.234,
                    binary=".gocross/dist/hello_linux_amd64",
                    log=".gocross/logs/linux_amd64.log",
                ),
                TargetResult(
                    target="linux/arm64",
                    status="failed",
                    duration_s=0.5,
                    log=".gocross/logs/linux_arm64.log",
                ),
                TargetResult(target="windows/amd64", status="failed", duration_s=0.7),
                TargetResult(target="plan9/arm", status="skipped"),
            ],
            binaries=[_binary()],
            environment={
                **_environment(),
                "vcs": {"status": "warning", "safe_directory": False},
                "emulation": {"status": "skipped", "skipped": "no foreign Linux target"},
                "build": {
                    "go_version": "go1.26.0",
                    "jobs": 2,
                    "out": ".gocross/dist",
                    "targets": {
                        "linux/amd64": {
                            "command": "go build -o /work/app/.gocross/dist/hello_linux_amd64 .",
                            "env": {"GOOS": "linux", "GOARCH": "amd64"},
                        },
                        "linux/arm64": {
                            "command": "go build -o /work/app/.gocross/dist/hello_linux_arm64 .",
                            "env": {"GOOS": "linux", "GOARCH": "arm64"},
                        },
                    },
                },
                "smoke": {
                    "linux/amd64": {
                        "binary": "/work/app/.gocross/dist/hello_linux_amd64",
                        "how": "native",
                        "command": ["/work/app/.gocross/dist/hello_linux_amd64", "--version"],
                        "exit_code": 0,
                        "duration_s": 0.004,
                        "problem": None,
                        "output": "::set-env name=X::1\nhello 1.0\n",
                    }
                },
                "verify-fixes": {
                    "linux/arm64": {
                        "rule": "log.cgo-cc-not-found",
                        "changes": {"env": {"CC": "aarch64-linux-gnu-gcc"}, "flags": []},
                        "command": "CC=aarch64-linux-gnu-gcc go build -o /tmp/gocross-verify/hello .",
                        "status": "passed",
                        "duration_s": 1.5,
                        "log": "/work/app/.gocross/logs/linux_arm64.verify.log",
                    }
                },
            },
            findings=[notice, vcs, outside, platform_api, cc_missing],
        )
    )


def clean() -> Report:
    """A check run where everything built and nothing was found."""
    return _pin(
        Report.build(
            context=Context(command="check", config=None, go_mod="examples/hello/go.mod"),
            targets=[
                TargetResult(target="linux/amd64", status="passed", duration_s=0.9),
                TargetResult(target="linux/arm/7", status="passed", duration_s=1.1),
            ],
            environment={"toolchain": {"status": "ok"}},
        )
    )


def inspect_run() -> Report:
    """An inspect run: a binary for the wrong architecture and a file that is not a binary."""
    wrong_arch = Finding(
        rule="artifact.wrong-target",
        category="exec-format-error",
        severity=Severity.ERROR,
        target="linux/amd64",  # what the binary is; the title names the expectation
        title="Built for linux/amd64, expected linux/arm64",
        root_cause="Running it on linux/arm64 fails with exec format error; GOARCH was probably not "
        "passed to the build.",
        evidence=(Evidence(source="artifact", text="ELF 64-bit LSB, machine EM_X86_64 (62)"),),
    )
    return _pin(
        Report.build(
            context=Context(command="inspect"),
            binaries=[
                _binary(path="dist/app", linkage="static", interpreter=None, needed=[], glibc_required=None),
                _binary(
                    path="dist/README",
                    format="unknown",
                    goos=None,
                    goarch=None,
                    variant=None,
                    bits=None,
                    endian=None,
                    linkage=None,
                    interpreter=None,
                    needed=[],
                    glibc_required=None,
                    pie=None,
                    stripped=None,
                    error="not an executable (no ELF, PE, Mach-O, XCOFF, Plan 9 or wasm header)",
                    go=None,
                ),
                _binary(
                    path="::error::missing",
                    format="unknown",
                    **dict.fromkeys(_UNREAD, None),
                    needed=[],
                    error="cannot read: No such file or directory",
                ),
            ],
            findings=[wrong_arch],
        )
    )


def probe_run() -> Report:
    """A probe run: the facts, and a host gcc that CC (set with go env -w) points linux/arm64 at."""
    environment = _environment()
    environment["cgo"]["targets"]["linux/arm64"] = {
        "cgo": True,
        "cgo_source": "config cgo",
        "cc": "gcc",
        "cc_source": "go env file /home/dev/.config/go/env",
        "cc_path": "/usr/bin/gcc",
        "cc_machine": "x86_64-linux-gnu",
        "cc_fits": False,
    }
    environment["emulation"] = {
        "status": "ok",
        "binfmt_misc_mounted": True,
        "binfmt_misc_enabled": True,
        "registered": [{"name": "qemu-aarch64", "interpreter": "/usr/bin/qemu-aarch64-static"}],
        "configured": [],
        "targets": {
            "linux/arm64": {
                "qemu": "/usr/bin/qemu-aarch64-static",
                "binfmt": "qemu-aarch64",
                "binfmt_enabled": True,
            }
        },
    }
    wrong_cc = Finding(
        rule="probe.cgo.cc-wrong-target",
        category="cgo-wrong-compiler",
        severity=Severity.ERROR,
        target="linux/arm64",
        title="CC=gcc builds for x86_64-linux-gnu, not linux/arm64",
        root_cause="cgo is on for linux/arm64 but CC is the host's gcc, which builds x86-64 code.",
        fix=Fix(
            summary="Point CC at the arm64 cross compiler",
            snippets=(Snippet(language="bash", code="go env -w CC=aarch64-linux-gnu-gcc\n"),),
            changes=Changes(env={"CC": "aarch64-linux-gnu-gcc"}),
        ),
        evidence=(Evidence(source="probe", text="CC=gcc (go env file); -dumpmachine: x86_64-linux-gnu"),),
    )
    return _pin(
        Report.build(
            context=Context(command="probe", config="gocross.yml", go_mod="go.mod"),
            environment=environment,
            findings=[wrong_cc],
        )
    )


def diagnose_run() -> Report:
    """A diagnose run on a log that names its target only in the -o file name."""
    missing = Finding(
        rule="log.cgo.c-compiler-not-found",
        category="cgo-no-c-compiler",
        severity=Severity.ERROR,
        target="linux/arm64",
        title='C compiler "aarch64-linux-gnu-gcc-99" not found',
        root_cause="cgo is enabled for linux/arm64 but the C compiler it runs, aarch64-linux-gnu-gcc-99, "
        "is not installed.",
        fix=Fix(
            summary="Install the cross C compiler for linux/arm64 and point CC at it",
            snippets=(Snippet(language="bash", code="sudo apt-get install -y gcc-aarch64-linux-gnu\n"),),
            changes=Changes(env={"CC": "aarch64-linux-gnu-gcc", "CGO_ENABLED": "1"}),
        ),
        evidence=tuple(
            Evidence(source="log", text=f'cgo: C compiler "aarch64-linux-gnu-gcc-99" not found ({n})', line=n)
            for n in (3, 9, 15, 21)
        ),
        confidence=0.95,
    )
    return _pin(Report.build(context=Context(command="diagnose"), findings=[missing]))


SAMPLES: dict[str, Callable[[], Report]] = {
    "check-failed": check_failed,
    "clean": clean,
    "inspect": inspect_run,
    "probe": probe_run,
    "diagnose": diagnose_run,
}
