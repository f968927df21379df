"""Probe unit tests: a prepared machine in a tmp tree (``root``), real small executables on PATH
standing in for compilers, and a given ``go env`` (unit tests never run the Go toolchain)."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import pytest

from gocross_action.config import TargetConfig
from gocross_action.findings import Finding
from gocross_action.probe import ProbeContext
from gocross_action.targets import Target


class Machine:
    """A fake machine: ``root`` for /proc, /sys, /etc; ``bin`` on PATH; a module directory."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.root = base / "root"
        self.bin = base / "bin"
        self.module = base / "module"
        for d in (self.root, self.bin, self.module):
            d.mkdir(parents=True, exist_ok=True)
        self.go_env: dict[str, str] = {
            "GOVERSION": "go1.26.8",
            "GOROOT": str(base / "goroot"),
            "GOHOSTOS": "linux",
            "GOHOSTARCH": "amd64",
            "GOENV": str(base / "goenv"),
            "GOCACHE": str(base / "gocache"),
            "GOMODCACHE": str(base / "gomodcache"),
            "GOFLAGS": "",
            "GOPROXY": "https://proxy.golang.org,direct",
            "GOSUMDB": "sum.golang.org",
        }
        self.env: dict[str, str] = {"PATH": str(self.bin), "HOME": str(base / "home")}

    def file(self, path: str, text: str | bytes) -> Path:
        """Write a file of the machine (``path`` absolute there, or relative to the module)."""
        target = self.root / path.lstrip("/") if path.startswith("/") else self.module / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            target.write_bytes(text)
        else:
            target.write_text(text, encoding="utf-8")
        return target

    def tool(self, name: str, script: str) -> Path:
        path = self.bin / name
        path.write_text("#!/bin/sh\n" + script, encoding="utf-8")
        path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        return path

    def compiler(
        self,
        name: str,
        triplet: str,
        *,
        include: Sequence[Path] = (),
        crt_dirs: Mapping[str, str] | None = None,
    ) -> Path:
        """A C compiler that answers -dumpmachine, -E -v (its include search list) and
        -print-file-name=crt1.o (per -m32/-m64 flag, from ``crt_dirs``), logging each call."""
        search = "".join(f" {d}\\n" for d in include)
        crt = "".join(
            f'  case "$*" in *{flag}*) echo {path}/crt1.o; exit 0;; esac\n'
            for flag, path in (crt_dirs or {}).items()
        )
        log = self.base / f"{name}.calls"
        return self.tool(
            name,
            f'echo "$*" >> {log}\n'
            'case "$*" in *-dumpmachine*) echo ' + triplet + "; exit 0;; esac\n"
            'case "$*" in *-print-file-name=crt1.o*)\n' + crt + "  echo crt1.o; exit 0;; esac\n"
            'case "$*" in *-E*-v*) printf "#include <...> search starts here:\\n'
            + search
            + 'End of search list.\\n" >&2; exit 0;; esac\n'
            "exit 1\n",
        )

    def calls(self, name: str) -> list[str]:
        log = self.base / f"{name}.calls"
        return log.read_text(encoding="utf-8").splitlines() if log.exists() else []

    def ctx(
        self, *targets: str | TargetConfig, env: Mapping[str, str] | None = None, uid: int | None = None
    ) -> ProbeContext:
        configs = [
            t if isinstance(t, TargetConfig) else TargetConfig(target=Target.parse(t)) for t in targets
        ]
        return ProbeContext(
            module_dir=self.module,
            targets=configs,
            env={**self.env, **(env or {})},
            root=self.root,
            go_env=dict(self.go_env),
            uid=uid,
        )


@pytest.fixture
def machine(tmp_path: Path) -> Machine:
    return Machine(tmp_path)


MachineFactory = Callable[[], Machine]


def rules(findings: Sequence[Finding]) -> list[str]:
    return [f.rule for f in findings]


def is_root() -> bool:
    return os.geteuid() == 0
