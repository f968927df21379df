"""Which paths gocross may write and read, and writing without following symbolic links.

The roots: the workspace (``GITHUB_WORKSPACE`` under Actions when it holds the module; otherwise
the repository root holding the module, else the module directory) and ``RUNNER_TEMP``.

- **Writes** (report files, logs, binaries, manifests, the ``.gocross`` folder) must land under a
  root. The directories are walked one component at a time from the root with directory file
  descriptors, each opened with ``O_NOFOLLOW`` (created when missing), and the file is opened
  relative to its directory with ``O_NOFOLLOW``: a committed symlink anywhere on the way, or at
  the file itself, is refused, never followed. Every file written is recorded (``written``), so
  the Action uploads only what this run wrote.
- **Config values** naming a place to write (``report.dir``, ``build.out``,
  ``targets[].output``) that land outside the roots are config errors naming the key.
- **Reads** of repository content (logs, binaries, rule files, the discovered config) must
  resolve, symlinks followed, inside a root; a symlink that leaves is refused with a warning.

Paths typed on the command line (``--output``, ``--report-dir``, ``gocross inspect FILE``) are
the user's own choice: callers pass those through ``trusted`` writes and do not check reads.
"""

from __future__ import annotations

import dataclasses
import errno
import os
import stat
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from ..errors import ConfigError, InputError
from . import text

if TYPE_CHECKING:
    from ..config import Config


class PathRefused(InputError):
    """A path gocross will not write or read: outside the roots, or through a symlink."""


@dataclass(frozen=True, kw_only=True)
class Roots:
    """Where gocross may write: the workspace and, under Actions, RUNNER_TEMP."""

    workspace: Path
    temp: Path | None = None
    # Directories gocross created for itself (the scratch folder of --verify-fixes).
    own: tuple[Path, ...] = ()

    def all(self) -> tuple[Path, ...]:
        return (self.workspace, *([self.temp] if self.temp is not None else []), *self.own)

    def adding(self, directory: Path) -> Roots:
        """These roots plus a directory gocross created itself."""
        return dataclasses.replace(self, own=(*self.own, Path(os.path.realpath(directory))))

    def holding(self, path: Path) -> Path | None:
        """The root ``path`` (absolute, normalised) lies under, the deepest one first."""
        for root in sorted(self.all(), key=lambda r: len(r.parts), reverse=True):
            if path == root or path.is_relative_to(root):
                return root
        return None

    def describe(self) -> str:
        where = f"the workspace {text.name(self.workspace)}"
        return where if self.temp is None else f"{where} or RUNNER_TEMP {text.name(self.temp)}"


def _repo_root(start: Path) -> Path | None:
    for directory in (start, *start.parents):
        if (directory / ".git").exists():
            return directory
    return None


def roots(module_dir: Path, env: Mapping[str, str] | None = None) -> Roots:
    """The roots for a run on the module in ``module_dir``."""
    env = os.environ if env is None else env
    module = Path(os.path.realpath(module_dir))
    workspace: Path | None = None
    given = env.get("GITHUB_WORKSPACE")
    if env.get("GITHUB_ACTIONS") == "true" and given:
        candidate = Path(os.path.realpath(given))
        if module == candidate or module.is_relative_to(candidate):
            workspace = candidate
    if workspace is None:
        workspace = _repo_root(module) or module
    temp = env.get("RUNNER_TEMP")
    return Roots(workspace=workspace, temp=Path(os.path.realpath(temp)) if temp else None)


def lexical(path: Path, base: Path | None = None) -> Path:
    """``path`` made absolute against ``base`` (or the current directory) and normalised
    without touching the file system (``..`` removed textually)."""
    joined = path if path.is_absolute() else (base or Path.cwd()) / path
    return Path(os.path.normpath(joined))


def config_target(value: str, *, key: str, base: Path, roots: Roots, source: str) -> Path:
    """The absolute path a config value names (``build.out``, ``report.dir``, a target's
    ``output``), relative to ``base``; a ``ConfigError`` naming ``key`` when it lands outside the
    roots. Symlinks on the way are refused later, when the path is written."""
    path = lexical(Path(value), base)
    if roots.holding(path) is None:
        raise ConfigError(
            source,
            [f"{key}: {text.quoted(value)} lies outside {roots.describe()}; gocross writes only there"],
        )
    return path


def config_write_problems(config: Config, *, module_dir: Path, cwd: Path | None = None) -> list[str]:
    """Every config value naming a place to write that lands outside the roots: ``build.out``
    (relative to the module), each target's ``output`` (relative to ``build.out``) and
    ``report.dir`` (relative to the current directory)."""
    roots_here = roots(module_dir)
    source = str(config.path) if config.path else "config"
    problems: list[str] = []
    out_dir = lexical(Path(config.build.out), module_dir)
    values = [("build.out", config.build.out, module_dir)]
    values += [
        (f"targets[{i}].output", tc.output, out_dir) for i, tc in enumerate(config.targets) if tc.output
    ]
    if config.report.dir:
        values.append(("report.dir", config.report.dir, cwd or Path.cwd()))
    for key, value, base in values:
        try:
            config_target(value, key=key, base=base, roots=roots_here, source=source)
        except ConfigError as exc:
            problems.extend(exc.problems)
    return problems


# --------------------------------------------------------------------------- writing

_written: set[Path] = set()
_lock = threading.Lock()


def written() -> list[Path]:
    """Every file gocross wrote in this process through this module, sorted."""
    with _lock:
        return sorted(_written)


def _record(path: Path) -> None:
    with _lock:
        _written.add(path)


def _refused(path: Path, why: str) -> PathRefused:
    return PathRefused(f"refusing to write {text.name(path)}: {why}")


_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def _open_dir(path: Path, roots: Roots, *, create: bool) -> int:
    """A file descriptor of directory ``path`` reached from its root one component at a time,
    never through a symlink; missing directories are created when ``create``."""
    path = lexical(path)
    root = roots.holding(path)
    if root is None:
        raise _refused(path, f"it lies outside {roots.describe()}")
    if create and root in roots.own:
        root.mkdir(parents=True, exist_ok=True)  # a folder the user named, or gocross's own scratch
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0))
    here = root
    try:
        for part in path.relative_to(root).parts:
            here = here / part
            try:
                child = os.open(part, _DIR_FLAGS, dir_fd=fd)
            except FileNotFoundError:
                if not create:
                    raise
                try:
                    os.mkdir(part, 0o777, dir_fd=fd)
                except FileExistsError:
                    pass
                child = os.open(part, _DIR_FLAGS, dir_fd=fd)
            except OSError as exc:
                if exc.errno in (errno.ELOOP, errno.ENOTDIR, errno.EMLINK):
                    raise _refused(path, f"{text.name(here)} is a symbolic link or not a directory") from None
                raise
            os.close(fd)
            fd = child
    except BaseException:
        os.close(fd)
        raise
    return fd


def make_dirs(path: Path, roots: Roots) -> Path:
    """``mkdir -p`` under a root that never follows a symlink; returns the normalised path."""
    path = lexical(path)
    try:
        os.close(_open_dir(path, roots, create=True))
    except PathRefused:
        raise
    except OSError as exc:
        raise InputError(f"cannot create {text.name(path)}: {exc.strerror or exc}") from None
    return path


def _open_file(path: Path, roots: Roots, flags: int) -> int:
    path = lexical(path)
    directory = _open_dir(path.parent, roots, create=True)
    try:
        fd = os.open(
            path.name,
            flags | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0) | os.O_NONBLOCK,
            0o666,
            dir_fd=directory,
        )
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.EMLINK):
            raise _refused(path, "it is a symbolic link") from None
        if exc.errno in (errno.ENXIO, errno.EISDIR):
            raise _refused(path, "it is not a regular file") from None
        raise
    finally:
        os.close(directory)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise _refused(path, "it is not a regular file")
    os.set_blocking(fd, True)
    _record(path)
    return fd


def open_write(path: Path, roots: Roots, *, binary: bool = False, append: bool = False) -> IO[Any]:
    """Open ``path`` for writing (truncated, or appended to) under a root, never through a
    symlink; a FIFO or device there is refused rather than blocked on."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if append else os.O_TRUNC)
    try:
        fd = _open_file(path, roots, flags)
    except PathRefused:
        raise
    except OSError as exc:
        raise InputError(f"cannot write {text.name(path)}: {exc.strerror or exc}") from None
    if binary:
        return os.fdopen(fd, "ab" if append else "wb")
    return os.fdopen(fd, "a" if append else "w", encoding="utf-8")


def write_text(path: Path, content: str, roots: Roots) -> Path:
    with open_write(path, roots) as fh:
        fh.write(content)
    return lexical(path)


def copy_file(source: Path, dest: Path, roots: Roots) -> Path:
    """Copy a file gocross wrote (a build log) to ``dest`` under a root, not through a symlink."""
    source = lexical(source)
    dest = lexical(dest)
    if source == dest:
        return dest
    with open_read(source, roots) as src, open_write(dest, roots, binary=True) as sink:
        while chunk := src.read(1024 * 1024):
            sink.write(chunk)
    return dest


def prepare_output(path: Path, roots: Roots) -> Path:
    """Make ready a path another program (``go build -o``) will write: its directories exist
    and hold no symlink, and the file itself is absent or a regular file, not a symlink. Checked
    right before the program starts."""
    path = lexical(path)
    directory = _open_dir(path.parent, roots, create=True)
    try:
        info = os.lstat(path.name, dir_fd=directory)
    except FileNotFoundError:
        return path
    finally:
        os.close(directory)
    if stat.S_ISLNK(info.st_mode):
        raise _refused(path, "it is a symbolic link")
    if not stat.S_ISREG(info.st_mode):
        raise _refused(path, "it is not a regular file")
    return path


def trusted_write(path: Path, content: str) -> None:
    """Write a file the user named on the command line (``--output``): their choice, followed
    as given."""
    try:
        path.write_text(content, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write {text.name(path)}: {exc.strerror or exc}") from None


# --------------------------------------------------------------------------- reading


def still_mine(path: Path, roots: Roots) -> bool:
    """True when ``path`` is still a regular file under a root reached without a symlink (the
    re-check before a file gocross wrote is uploaded)."""
    path = lexical(path)
    try:
        directory = _open_dir(path.parent, roots, create=False)
    except (OSError, PathRefused):
        return False
    try:
        info = os.lstat(path.name, dir_fd=directory)
    except OSError:
        return False
    finally:
        os.close(directory)
    return stat.S_ISREG(info.st_mode)


def open_read(path: Path, roots: Roots) -> IO[bytes]:
    """Open a file under a root for reading, never through a symlink (files gocross wrote)."""
    path = lexical(path)
    directory = _open_dir(path.parent, roots, create=False)
    try:
        fd = os.open(
            path.name,
            os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0) | os.O_NONBLOCK,
            dir_fd=directory,
        )
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.EMLINK):
            raise PathRefused(f"refusing to read {text.name(path)}: it is a symbolic link") from None
        raise
    finally:
        os.close(directory)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise PathRefused(f"refusing to read {text.name(path)}: it is not a regular file")
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


def inside(path: Path, roots: Roots) -> Path | None:
    """``path`` with every symlink resolved, when that lies under a root; else None."""
    resolved = Path(os.path.realpath(lexical(path)))
    return resolved if roots.holding(resolved) is not None else None


def check_read(path: Path, roots: Roots, *, what: str) -> Path:
    """A repository file to read (a log, a binary, a rules file, the config): the resolved path
    when it lies under a root, else ``PathRefused`` saying so (and never what the file holds)."""
    resolved = inside(path, roots)
    if resolved is None:
        linked = lexical(path) != Path(os.path.realpath(lexical(path)))
        why = "it is a symbolic link that leads outside" if linked else "it lies outside"
        raise PathRefused(f"refusing to read {what} {text.name(path)}: {why} {roots.describe()}")
    return resolved
