"""The environment a benchmark runs gocross in: this checkout's package first on PYTHONPATH, and
gocross run from compiled bytecode, as when installed (pip compiles it). The first, untimed run
writes the bytecode to a cache directory even where PYTHONDONTWRITEBYTECODE is set machine-wide.

``python()`` is the interpreter of the timed runs: a virtual environment holding gocross's locked
dependencies (``requirements/image.txt``) and nothing else, as ``pipx install`` or the Action's
image give. The interpreter a benchmark is started with may carry start-up work of its machine
(``.pth`` hooks in its site-packages: an editable install's finder, a sandbox's certificate
hook), which no user's gocross runs; on this machine they add about 40 ms to every start."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import MutableMapping
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYCACHE = Path(tempfile.gettempdir()) / "gocross-bench-pycache"
VENV = ROOT / ".cache" / "bench-venv"
LOCK = ROOT / "requirements" / "image.txt"


def as_installed(env: MutableMapping[str, str]) -> MutableMapping[str, str]:
    """``env`` (changed in place, and returned) set up to run gocross from this checkout."""
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    return env


@cache
def python() -> str:
    """The clean environment's interpreter, made on first use (about 15 s from pip's cache) and
    again when the lock or this Python changes; this interpreter, with a note on stderr, where it
    cannot be made (no network, no wheels for this platform)."""
    binary = VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    stamp = VENV / "made-from.txt"
    want = f"{sys.version}\n{hashlib.sha256(LOCK.read_bytes()).hexdigest()}\n"
    try:
        if binary.exists() and stamp.read_text(encoding="utf-8") == want:
            return str(binary)
    except OSError:
        pass
    shutil.rmtree(VENV, ignore_errors=True)
    steps = (
        [sys.executable, "-m", "venv", str(VENV)],
        [str(binary), "-m", "pip", "install", "--quiet", "--require-hashes", "-r", str(LOCK)],
    )
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True)
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            note = f"no clean environment for the timed runs ({last}); using {sys.executable}"
            sys.stderr.write(f"note: {note}\n")
            shutil.rmtree(VENV, ignore_errors=True)
            return sys.executable
    stamp.write_text(want, encoding="utf-8")
    return str(binary)
