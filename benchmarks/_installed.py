"""The environment a benchmark runs gocross in: this checkout's package first on PYTHONPATH, and
gocross run from compiled bytecode, as when installed (pip compiles it). The first, untimed run
writes the bytecode to a cache directory even where PYTHONDONTWRITEBYTECODE is set machine-wide."""

from __future__ import annotations

import os
import tempfile
from collections.abc import MutableMapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYCACHE = Path(tempfile.gettempdir()) / "gocross-bench-pycache"


def as_installed(env: MutableMapping[str, str]) -> MutableMapping[str, str]:
    """``env`` (changed in place, and returned) set up to run gocross from this checkout."""
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    return env
