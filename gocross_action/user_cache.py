"""gocross's own cache on this machine (``$XDG_CACHE_HOME/gocross``, else ``~/.cache/gocross``):
facts that change only when their inputs do (the ports of a Go binary, the configs the schema
accepted). Losing it, or being unable to write it, costs the next run time, never a result."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


def configured() -> Path | None:
    """``$XDG_CACHE_HOME/gocross``, else ``~/.cache/gocross``; None when neither variable is set."""
    base = os.environ.get("XDG_CACHE_HOME") or (
        str(Path(os.environ["HOME"]) / ".cache") if os.environ.get("HOME") else None
    )
    return Path(base) / "gocross" if base else None


def directory() -> Path:
    """The cache directory: ``configured()``, else ``/tmp/gocross``."""
    return configured() or Path("/tmp") / "gocross"


def read_json(name: str) -> Any:
    """The cached value, or None when there is none (or it cannot be read)."""
    try:
        return json.loads((directory() / name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_json(name: str, value: Any, *, keep: tuple[str, int] | None = None) -> None:
    """Replace the cached value at once (a reader sees the old file or the new one).
    ``keep=(prefix, n)``: of the files named ``prefix...``, only the ``n`` newest stay."""
    path = directory() / name
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(value), encoding="utf-8")
        tmp.replace(path)
        if keep is not None:
            _prune(path.parent, *keep)
    except OSError:
        pass


def _prune(folder: Path, prefix: str, kept: int) -> None:
    entries = []
    with os.scandir(folder) as found:
        for entry in found:
            if entry.name.startswith(prefix) and entry.name.endswith(".json") and entry.is_file():
                entries.append((entry.stat().st_mtime_ns, Path(entry.path)))
    for _, stale in sorted(entries, reverse=True)[kept:]:
        stale.unlink(missing_ok=True)
