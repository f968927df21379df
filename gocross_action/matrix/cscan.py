"""Every C header and library a target's cgo packages are missing, found at once.

A failed build names the first missing header only (``Xcursor.h``; install it, and the next run
names ``Xrandr.h``). Here each cgo file's preamble is run through the target's own C preprocessor
with ``-M -MG``, which lists a missing header instead of stopping at it, with the package's
``#cgo CFLAGS`` as ``go list`` evaluates them for the target; each ``-l`` of its ``#cgo LDFLAGS``
is looked up with ``-print-file-name``. Bounded: at most ``MAX_FILES`` files, each call timed out.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .filesets import head_of

MAX_FILES = 40
CALL_TIMEOUT_S = 20
_SEP = '"\\x1f"'  # a Go template string: fields joined by the unit separator
_FORMAT = "\t".join(
    (
        "{{.ImportPath}}",
        "{{.Dir}}",
        f"{{{{join .CgoFiles {_SEP}}}}}",
        f"{{{{join .CgoCFLAGS {_SEP}}}}}",
        f"{{{{join .CgoLDFLAGS {_SEP}}}}}",
    )
)
_IMPORT_C = re.compile(r'^import\s+"C"', re.MULTILINE)
_COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.DOTALL)


@dataclass(frozen=True, kw_only=True)
class Missing:
    """What the target's compiler could not find: headers as the sources include them, libraries
    as ``-l`` names."""

    headers: tuple[str, ...] = ()
    libraries: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.headers or self.libraries)


def preamble(source: str) -> str | None:
    """The comment right before ``import "C"`` (cgo's preamble), without its ``#cgo`` lines."""
    m = _IMPORT_C.search(source)
    if m is None:
        return None
    prefix = source[: m.start()]
    group: list[str] = []
    end = 0
    for c in _COMMENT.finditer(prefix):
        gap = prefix[end : c.start()]
        contiguous = group and gap.strip() == "" and gap.count("\n") <= 1
        if not contiguous:
            group = []
        group.append(c.group(0))
        end = c.end()
    if not group or prefix[end:].strip():
        return None
    lines = []
    for comment in group:
        text = comment[2:-2] if comment.startswith("/*") else comment[2:]
        lines.extend(text.splitlines())
    return "\n".join(line for line in lines if not line.lstrip().startswith("#cgo")) + "\n"


def _dependencies(output: str) -> list[str]:
    text = output.replace("\\\n", " ")
    _, _, deps = text.partition(":")
    return deps.split()


def _headers(
    cc: Sequence[str], cflags: Sequence[str], directory: str, code: str, env: Mapping[str, str]
) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="gocross-cscan-") as scratch:
        source = Path(scratch) / "preamble.c"
        source.write_text(code, encoding="utf-8")
        argv = [*cc, "-M", "-MG", *cflags, "-iquote", directory, "-I", directory, str(source)]
        try:
            proc = subprocess.run(
                argv,
                env=dict(env),
                capture_output=True,
                text=True,
                timeout=CALL_TIMEOUT_S,
                stdin=subprocess.DEVNULL,
                cwd=scratch,
            )
        except (OSError, subprocess.TimeoutExpired):
            return []
    if proc.returncode != 0:
        return []
    return [d for d in _dependencies(proc.stdout) if not d.startswith("/") and not d.endswith(".c")]


def _library_missing(cc: Sequence[str], ldflags: Sequence[str], name: str, env: Mapping[str, str]) -> bool:
    search = [f for f in ldflags if f.startswith("-L")]
    for candidate in (f"lib{name}.so", f"lib{name}.a"):
        try:
            proc = subprocess.run(
                [*cc, *search, f"-print-file-name={candidate}"],
                env=dict(env),
                capture_output=True,
                text=True,
                timeout=CALL_TIMEOUT_S,
                stdin=subprocess.DEVNULL,
            )
        except (OSError, subprocess.TimeoutExpired):
            return False
        if proc.returncode != 0:
            return False
        if proc.stdout.strip() != candidate:
            return False
    return True


def _listing(
    packages: Sequence[str], cwd: Path, env: Mapping[str, str], go: str
) -> list[tuple[str, list[str], list[str], list[str]]]:
    try:
        proc = subprocess.run(
            [go, "list", "-e", "-f", _FORMAT, *packages],
            cwd=cwd,
            env={**env, "CGO_ENABLED": "1"},
            capture_output=True,
            text=True,
            timeout=120,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired):
        return []
    rows = []
    for line in proc.stdout.splitlines():
        parts = line.split("\t")
        if len(parts) != 5 or not parts[1]:
            continue
        files, cflags, ldflags = (p.split("\x1f") if p else [] for p in parts[2:])
        rows.append((parts[1], files, cflags, ldflags))
    return rows


def missing(
    *, packages: Sequence[str], cc: str, cwd: Path, env: Mapping[str, str], go: str = "go"
) -> Missing:
    """The headers and libraries ``cc`` cannot find for the cgo ``packages`` of a target (the
    target's GOOS/GOARCH are in ``env``)."""
    words = shlex.split(cc) if cc else []
    if not words or not packages:
        return Missing()
    headers: dict[str, None] = {}
    libraries: dict[str, None] = {}
    budget = MAX_FILES
    for directory, files, cflags, ldflags in _listing(packages, cwd, env, go):
        for name in files:
            if budget <= 0:
                break
            budget -= 1
            code = preamble(head_of(Path(directory) / name))
            if code and "#include" in code:
                headers.update(dict.fromkeys(_headers(words, cflags, directory, code, env)))
        for flag in ldflags:
            name = flag[2:]
            wanted = flag.startswith("-l") and name and name not in libraries
            if wanted and _library_missing(words, ldflags, name, env):
                libraries[name] = None
    return Missing(headers=tuple(headers), libraries=tuple(libraries))
