"""One ``go build`` per target, in parallel threads, each with its own log.

The environment is inherited (a workflow's CC, CGO_ENABLED, GOFLAGS apply); the target's
GOOS/GOARCH/variant and the config's per-target settings override it. Binaries land at
``<out>/<name>_<goos>_<goarch>[_<variant>][.exe]``; a manifest in ``<out>`` records the files this
tool wrote, and a file it did not write is never overwritten.
"""

from __future__ import annotations

import json
import queue
import re
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from .. import gomod, process
from ..boundary import paths
from ..boundary.paths import Roots
from ..config import BUILD_TIMEOUT_S, Config, TargetConfig
from ..targets import Target

MANIFEST = ".gocross-manifest.json"
# The line a timed-out build's log ends with (the rule log.oom.build-timeout reads it).
TIMEOUT_LINE = (
    "gocross: build timed out after {seconds}s (build.timeout) and was killed; still running: {hung}"
)


@dataclass(frozen=True, kw_only=True)
class BuildJob:
    """Everything one ``go build`` needs; ``overrides`` is what gocross set on top of the
    inherited environment (the report shows it)."""

    target: Target
    argv: tuple[str, ...]
    env: Mapping[str, str]
    overrides: Mapping[str, str]
    cwd: Path
    output: Path
    log: Path
    # Where the build may write (the output and the log): never through a symlink, never outside.
    roots: Roots | None = None
    timeout_s: int = BUILD_TIMEOUT_S

    def with_changes(
        self, *, env: Mapping[str, str], flags: Sequence[str], output: Path, log: Path
    ) -> BuildJob:
        """The same build with extra environment and flags, writing elsewhere (``--verify-fixes``)."""
        argv = list(self.argv)
        argv[argv.index("-o") + 1] = str(output)
        package = argv.pop()
        argv = [*argv, *flags, package]
        return BuildJob(
            target=self.target,
            argv=tuple(argv),
            env={**self.env, **env},
            overrides={**self.overrides, **env},
            cwd=self.cwd,
            output=output,
            log=log,
            # The rebuild writes its binary into a scratch directory gocross made for it.
            roots=self.roots.adding(output.parent) if self.roots is not None else None,
            timeout_s=self.timeout_s,
        )


@dataclass(frozen=True, kw_only=True)
class BuildOutcome:
    job: BuildJob
    status: str  # passed | failed
    duration_s: float
    returncode: int
    timed_out: bool = False
    hung: tuple[str, ...] = ()  # command lines still running at the deadline, stuck ones first


@dataclass(kw_only=True)
class Manifest:
    """The files gocross wrote into an output directory, with the size and mtime it left them at."""

    path: Path
    files: dict[str, dict[str, int]] = field(default_factory=dict)
    roots: Roots | None = None

    @classmethod
    def load(cls, out_dir: Path, roots: Roots | None = None) -> Manifest:
        path = out_dir / MANIFEST
        try:
            if roots is not None:
                with paths.open_read(path, roots) as fh:
                    files = json.loads(fh.read(1024 * 1024)).get("files", {})
            else:
                files = json.loads(path.read_text(encoding="utf-8")).get("files", {})
        except (OSError, ValueError, AttributeError, paths.PathRefused):
            files = {}
        return cls(path=path, files=dict(files) if isinstance(files, dict) else {}, roots=roots)

    def _key(self, output: Path) -> str:
        """A file's name in the manifest: relative to the manifest's folder when inside it, so the
        manifest stays valid where the folder is mounted elsewhere (the Action's container)."""
        resolved = output.resolve()
        try:
            return resolved.relative_to(self.path.parent.resolve()).as_posix()
        except ValueError:
            return str(resolved)

    def may_write(self, output: Path) -> bool:
        """True when ``output`` is absent, or is the very file this tool wrote last time."""
        try:
            st = output.stat()
        except FileNotFoundError:
            return True
        # Manifests written before names were relative used the absolute path.
        mine = self.files.get(self._key(output)) or self.files.get(str(output.resolve()))
        return mine is not None and mine == {"size": st.st_size, "mtime_ns": st.st_mtime_ns}

    def record(self, output: Path) -> None:
        st = output.stat()
        self.files.pop(str(output.resolve()), None)
        self.files[self._key(output)] = {"size": st.st_size, "mtime_ns": st.st_mtime_ns}

    def remove_stale(self, output: Path) -> None:
        """A target that failed this time leaves no binary from an earlier run: the file is
        removed when it is the very one this tool wrote (never a file someone else put there)."""
        keys = [k for k in dict.fromkeys((self._key(output), str(output.resolve()))) if k in self.files]
        if keys and self.may_write(output):
            output.unlink(missing_ok=True)
            for key in keys:
                del self.files[key]

    def save(self) -> None:
        content = json.dumps({"files": self.files}, indent=1, sort_keys=True)
        if self.roots is not None:
            paths.write_text(self.path, content, self.roots)
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(content, encoding="utf-8")


_MAJOR = re.compile(r"^v[0-9]+$")


def module_path(module_dir: Path) -> str | None:
    """The ``module`` line of ``go.mod``, if there is one."""
    parsed = gomod.parse(module_dir / "go.mod")
    return parsed.module if parsed else None


def binary_name(module_dir: Path, package: str) -> str:
    """The last element of the main package's import path (a ``/vN`` major suffix skipped, as
    ``go build`` does)."""
    if package.startswith("."):
        base = module_path(module_dir) or module_dir.resolve().name
        rel = package.strip("/").removeprefix(".").strip("/")
        import_path = f"{base}/{rel}" if rel else base
    else:
        import_path = package
    parts = [p for p in import_path.split("/") if p and p != "..."]
    if len(parts) > 1 and _MAJOR.match(parts[-1]):
        parts.pop()
    return parts[-1] if parts else "main"


def slug(target: Target) -> str:
    """``linux/arm/7`` -> ``linux_arm_7`` (file names)."""
    return re.sub(r"[^A-Za-z0-9._-]", "-", str(target).replace("/", "_"))


def output_path(out_dir: Path, name: str, tc: TargetConfig) -> Path:
    """The target's ``output`` (a file name in ``out_dir``, or a path) or the default name."""
    if tc.output:
        return out_dir / tc.output
    return out_dir / f"{name}_{slug(tc.target)}{tc.target.exe_suffix}"


def target_overrides(tc: TargetConfig) -> dict[str, str]:
    """What the target sets on top of the inherited environment, in the order it applies."""
    env = tc.target.env()
    if tc.cgo is not None:
        env["CGO_ENABLED"] = "1" if tc.cgo else "0"
    if tc.cc:
        env["CC"] = tc.cc
    env.update(tc.env)
    return env


def build_argv(config: Config, tc: TargetConfig, output: Path, *, go: str = "go") -> tuple[str, ...]:
    argv = [go, "build", "-o", str(output), *config.build.flags]
    if config.build.trimpath and "-trimpath" not in argv:
        argv.append("-trimpath")
    tags = [*config.build.tags, *tc.tags]
    if tags:
        argv += ["-tags", ",".join(tags)]
    ldflags = tc.ldflags if tc.ldflags is not None else config.build.ldflags
    if ldflags:
        argv += ["-ldflags", ldflags]
    argv.append(config.package)
    return tuple(argv)


def make_job(
    *,
    module_dir: Path,
    config: Config,
    tc: TargetConfig,
    base_env: Mapping[str, str],
    out_dir: Path,
    log_dir: Path,
    name: str,
    go: str = "go",
    roots: Roots | None = None,
) -> BuildJob:
    overrides = target_overrides(tc)
    output = output_path(out_dir, name, tc)
    return BuildJob(
        target=tc.target,
        argv=build_argv(config, tc, output, go=go),
        env={**base_env, **overrides},
        overrides=overrides,
        cwd=module_dir,
        output=output,
        log=log_dir / f"{slug(tc.target)}.log",
        roots=roots,
        timeout_s=config.build.timeout,
    )


def run(job: BuildJob, *, spawned: Callable[[], object] | None = None) -> BuildOutcome:
    """Run one build; its combined output goes to ``job.log``. Never raises for a failed build.
    At ``job.timeout_s`` the build and every process it started are killed, and the log ends
    with ``TIMEOUT_LINE`` naming the processes that were still running. ``spawned`` is called
    once ``go build`` runs."""
    started = time.monotonic()
    with _open_log(job) as log:
        try:
            _prepare_output(job)
        except paths.PathRefused as exc:
            log.write(f"gocross: {exc}\n".encode())
            return BuildOutcome(job=job, status="failed", duration_s=0.0, returncode=126)
        done = process.run(
            job.argv,
            timeout=job.timeout_s,
            cwd=job.cwd,
            env=job.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            started=spawned,
        )
        if done.error is not None:
            log.write(f"gocross: cannot run {job.argv[0]}: {done.error}\n".encode())
        elif done.timed_out:
            hung = "; ".join(done.hung) or "(none left)"
            log.write(("\n" + TIMEOUT_LINE.format(seconds=job.timeout_s, hung=hung) + "\n").encode())
    code = 127 if done.returncode is None else done.returncode
    duration = time.monotonic() - started
    passed = code == 0 and not done.timed_out and job.output.is_file()
    return BuildOutcome(
        job=job,
        status="passed" if passed else "failed",
        duration_s=duration,
        returncode=code,
        timed_out=done.timed_out,
        hung=done.hung,
    )


def _open_log(job: BuildJob) -> IO[bytes]:
    if job.roots is not None:
        log: IO[bytes] = paths.open_write(job.log, job.roots, binary=True)
        return log
    job.log.parent.mkdir(parents=True, exist_ok=True)
    return job.log.open("wb")


def _prepare_output(job: BuildJob) -> None:
    """Right before go build starts: the output's folders exist and hold no symlink, and the
    output is not a symlink (go build would write through it)."""
    if job.roots is not None:
        paths.prepare_output(job.output, job.roots)
    else:
        job.output.parent.mkdir(parents=True, exist_ok=True)


def run_all(
    jobs: Sequence[BuildJob],
    *,
    workers: int,
    on_start: Callable[[BuildJob], None] | None = None,
    on_spawned: Callable[[BuildJob], None] | None = None,
    on_done: Callable[[BuildOutcome], None] | None = None,
    after: Callable[[BuildOutcome], object] | None = None,
) -> list[BuildOutcome]:
    """Run builds on ``workers`` threads, each taking the next job as its last one ends.
    ``after`` (analysis and inspection of a finished build) runs on one more thread, so a build
    slot is free for the next build as soon as one ends. Results keep job order; the first
    exception of a callback is raised here once every thread has ended (no new build starts
    after it).

    Plain threads, not ``concurrent.futures``: its import (logging and all) would stand between
    the start of ``gocross`` and the first ``go build``."""
    if not jobs:
        return []
    outcomes: list[BuildOutcome | None] = [None] * len(jobs)
    errors: list[BaseException] = []
    lock = threading.Lock()
    queued = iter(range(len(jobs)))
    finished: queue.SimpleQueue[BuildOutcome | None] = queue.SimpleQueue()

    def take() -> int | None:
        with lock:
            return None if errors else next(queued, None)

    def slot() -> None:
        while (index := take()) is not None:
            job = jobs[index]
            try:
                if on_start:
                    on_start(job)
                outcome = run(job, spawned=_bound(on_spawned, job))
                outcomes[index] = outcome
                if on_done:
                    on_done(outcome)
                if after:
                    finished.put(outcome)
            except BaseException as exc:
                with lock:
                    errors.append(exc)
                return

    def analyse() -> None:
        while (outcome := finished.get()) is not None:
            if after is None or errors:
                continue
            try:
                after(outcome)
            except BaseException as exc:
                with lock:
                    errors.append(exc)

    count = min(max(1, workers), len(jobs))
    slots = [threading.Thread(target=slot, name=f"gocross-build-{n}") for n in range(count)]
    analyst = threading.Thread(target=analyse, name="gocross-after")
    analyst.start()
    for thread in slots:
        thread.start()
    for thread in slots:
        thread.join()
    finished.put(None)
    analyst.join()
    if errors:
        raise errors[0]
    return [outcome for outcome in outcomes if outcome is not None]


def _bound(callback: Callable[[BuildJob], None] | None, job: BuildJob) -> Callable[[], None] | None:
    return None if callback is None else lambda: callback(job)
