"""Fixes that change the repository's go.mod, proven without touching it.

A fix of this kind is a ``go mod edit`` command (``Changes.go_mod``). ``--verify-fixes`` proves
it on a copy: the module's go.mod and go.sum are read through the trust boundary (regular files,
bounded) into a scratch directory, the edit is run on the copy, and the trial build reads the
copy with ``-modfile`` (go reads and writes the .sum beside it). The user's files stay as they
are; the fix's cost says it changes repository files, and how to undo it.

The one such fix derived from the facts so far: go.mod's ``go`` line newer than the Go in use
(with ``GOTOOLCHAIN=local`` no other Go is fetched) is set to the language version of the Go in
use. The rebuild shows whether the code needs anything newer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from .. import process
from ..boundary.read import read_bounded
from ..errors import InputError
from ..findings import Changes, Cost, Snippet

GO_MOD_LIMIT = 4 << 20
GO_SUM_LIMIT = 64 << 20
EDIT_TIMEOUT_S = 60

# cmd/go's gover.TooNewError for the main module: "go.mod requires go >= 1.999 (running go
# 1.26.8; GOTOOLCHAIN=local)". A dependency's says "module x@v requires go >= ...": not ours to edit.
_TOO_NEW = re.compile(
    r"(?:^|[\s:])(?:\S*/)?go\.mod requires go >= (?P<need>\d+\.\d+[\w.+-]*) "
    r"\(running go (?P<have>\d+\.\d+)[\w.+-]*; GOTOOLCHAIN=[^)]*\)",
    re.MULTILINE,
)


def go_line(log_text: str) -> tuple[Changes, str] | None:
    """go.mod's ``go`` line set to the Go in use, when the log says go.mod asks for a newer one."""
    m = _TOO_NEW.search(log_text)
    if m is None:
        return None
    have, need = m.group("have"), m.group("need")
    summary = (
        f"Set go.mod's go line to {have} (go mod edit -go={have}), the Go in use, "
        f"if the code needs nothing from go {need}"
    )
    return Changes(go_mod=(f"-go={have}",)), summary


def snippet(changes: Changes) -> Snippet:
    return Snippet(language="bash", code=f"go mod edit {' '.join(changes.go_mod)}\n")


def cost(changes: Changes, *, target: str, log_text: str) -> Cost:
    """A go.mod edit: no root, a repository change, undone by the reverse edit when it is known."""
    m = _TOO_NEW.search(log_text)
    reverse = [f"-go={m.group('need')}"] if m and any(f.startswith("-go=") for f in changes.go_mod) else []
    undo = f"go mod edit {' '.join(reverse)}" if reverse else "git checkout -- go.mod go.sum"
    return Cost(needs_root=False, targets=(target,), changes_repo=True, undo=undo)


def source_modfile(argv: Sequence[str], cwd: Path) -> Path:
    """The go.mod a build reads: its own ``-modfile``, else the module's."""
    given = [a.split("=", 1)[1] for a in argv if a.startswith("-modfile=")]
    return cwd / given[-1] if given else cwd / "go.mod"


def scratch_modfile(
    source: Path, into: Path, *, edit: Sequence[str], go: str, env: Mapping[str, str]
) -> Path:
    """A copy of ``source`` (and the go.sum beside it) in ``into``, with ``go mod edit`` run on the
    copy; ``InputError`` when the files cannot be read or the edit fails."""
    into.mkdir(parents=True, exist_ok=True)
    modfile = into / "go.mod"
    modfile.write_bytes(read_bounded(source, limit=GO_MOD_LIMIT, what="go.mod"))
    sums = source.with_suffix(".sum")
    if sums.is_file():
        (into / "go.sum").write_bytes(read_bounded(sums, limit=GO_SUM_LIMIT, what="go.sum"))
    if edit:
        # The local Go edits the copy: no toolchain switch (the copy may still name a Go that does
        # not exist), no GOFLAGS from the build (a -modfile there would name another file).
        ran = process.run(
            [go, "mod", "edit", *edit, str(modfile)],
            timeout=EDIT_TIMEOUT_S,
            cwd=into,
            env={**env, "GOTOOLCHAIN": "local", "GOFLAGS": ""},
        )
        if ran.returncode != 0:
            why = ran.error or ran.stderr.decode("utf-8", errors="replace").strip()[-300:]
            raise InputError(f"go mod edit {' '.join(edit)} failed on a copy of {source.name}: {why}")
    return modfile
