"""The report artifact's zip: packed from files under a root, unpacked without trusting the
archive (no absolute names, no ``..``, no links, bounded size). Only describes bytes; the
results service protocol is in ``artifacts.py``.
"""

from __future__ import annotations

import hashlib
import shutil
import stat
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from ..errors import InputError

# Kept in memory up to this size, spilled to a temporary file beyond it.
SPOOL_BYTES = 16 * 1024 * 1024
# Bounds when unpacking an archive someone else produced.
MAX_ENTRIES = 10_000
MAX_UNPACKED_BYTES = 1024 * 1024 * 1024
# ``@actions/artifact`` refuses these in paths inside an artifact (NTFS limits); so do we.
INVALID_PATH_CHARACTERS = ('"', ":", "<", ">", "|", "*", "?", "\r", "\n")


class ArchiveError(Exception):
    """An archive that cannot be unpacked safely: the message names the entry."""


@dataclass(frozen=True, kw_only=True)
class Packed:
    """A zip ready to upload: ``file`` is positioned at 0 and must be closed by the caller."""

    file: IO[bytes]
    size: int
    sha256: str
    names: tuple[str, ...]

    @property
    def digest(self) -> str:
        return f"sha256:{self.sha256}"


def archive_name(path: Path, root: Path) -> str:
    """The name ``path`` gets inside the zip: relative to ``root``, with ``/`` separators.

    A file outside ``root`` keeps only its file name (so ``--report-dir`` and a log directory
    elsewhere can go in one artifact).
    """
    resolved, base = path.resolve(), root.resolve()
    try:
        name = resolved.relative_to(base).as_posix()
    except ValueError:
        name = resolved.name
    bad = [c for c in INVALID_PATH_CHARACTERS if c in name]
    if bad:
        raise InputError(f"cannot put {name!r} in an artifact: the name contains {bad[0]!r}")
    return name


def pack(files: Sequence[Path], *, root: Path) -> Packed:
    """Zip ``files`` (deflated) into a spooled temporary file and hash it."""
    if not files:
        raise InputError("no files to put in the report artifact")
    names: dict[str, Path] = {}
    for path in files:
        if not path.is_file():
            raise InputError(f"cannot put {path} in the report artifact: it is not a file")
        name = archive_name(path, root)
        if name in names and names[name].resolve() != path.resolve():
            raise InputError(f"two files would have the same name {name!r} in the report artifact")
        names[name] = path
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (returned)
    try:
        with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, path in names.items():
                archive.write(path, arcname=name)
        size = spool.tell()
        spool.seek(0)
        sha256 = _hash(spool)
        spool.seek(0)
    except OSError as exc:
        spool.close()
        raise InputError(f"cannot pack the report artifact: {exc.strerror or exc}") from None
    except BaseException:
        spool.close()
        raise
    return Packed(file=spool, size=size, sha256=sha256, names=tuple(names))


def _hash(stream: IO[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(1024 * 1024), b""):
        digest.update(chunk)
    return digest.hexdigest()


def safe_member_path(name: str) -> PurePosixPath:
    """The relative path an archive entry may be written to, or ArchiveError."""
    if not name or "\\" in name or "\x00" in name:
        raise ArchiveError(f"unsafe entry name {name!r}")
    path = PurePosixPath(name)
    if path.is_absolute() or any(part in ("..", "") for part in path.parts) or ":" in path.parts[0]:
        raise ArchiveError(f"unsafe entry name {name!r}")
    return path


def unpack(archive_file: IO[bytes], dest: Path) -> list[Path]:
    """Extract a zip into ``dest`` (created), refusing unsafe names, symbolic links, too many
    entries or too many bytes. Returns the files written, in archive order."""
    try:
        archive = zipfile.ZipFile(archive_file)
    except zipfile.BadZipFile as exc:
        raise ArchiveError(f"not a zip archive: {exc}") from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_ENTRIES:
            raise ArchiveError(f"{len(members)} entries, more than {MAX_ENTRIES}")
        if sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
            raise ArchiveError(f"unpacks to more than {MAX_UNPACKED_BYTES} bytes")
        written: list[Path] = []
        dest.mkdir(parents=True, exist_ok=True)
        for member in members:
            relative = safe_member_path(member.filename.rstrip("/") if member.is_dir() else member.filename)
            if stat.S_ISLNK(member.external_attr >> 16):
                raise ArchiveError(f"entry {member.filename!r} is a symbolic link")
            target = dest.joinpath(*relative.parts)
            if member.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                with archive.open(member) as source, target.open("wb") as sink:
                    shutil.copyfileobj(source, sink, 1024 * 1024)
            except (zipfile.BadZipFile, EOFError) as exc:
                raise ArchiveError(f"entry {member.filename!r} is damaged: {exc}") from None
            written.append(target)
        return written
