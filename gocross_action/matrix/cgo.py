"""Which packages need cgo, per target: ``go list -deps`` in the target's environment.

With cgo off, a package's cgo files are not in ``CgoFiles`` but in ``IgnoredGoFiles``; when one
of those imports "C", a second listing with ``CGO_ENABLED=1`` tells exactly which packages have
cgo files for this target. Standard packages are left out: they all have pure-Go fallbacks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..findings import Evidence, Finding, Fix, Severity
from ..targets import Target

if TYPE_CHECKING:
    from .filesets import PackageFiles

_FORMAT = "\t".join(
    (
        "{{.ImportPath}}",
        "{{.Standard}}",
        "{{context.CgoEnabled}}",
        "{{.Dir}}",
        '{{join .CgoFiles " "}}',
        '{{join .IgnoredGoFiles " "}}',
        "{{.Name}}",
        '{{join .GoFiles " "}}',
    )
)
_FIELDS = 8
LIST_TIMEOUT_S = 120


@dataclass(frozen=True, kw_only=True)
class CgoUsage:
    """``enabled``: the effective CGO_ENABLED for the target; ``packages``: the non-standard
    packages that need cgo (None when ``go list`` could not tell)."""

    target: Target
    enabled: bool | None
    packages: tuple[str, ...] | None
    dirs: Mapping[str, str] | None = None
    # Every package's file sets with the target's own settings (cgo as the build had it).
    files: tuple[PackageFiles, ...] = ()
    tags: tuple[str, ...] = ()

    def sentence(self) -> str:
        if self.packages is None:
            return "could not tell which packages need cgo (go list failed)"
        if self.packages:
            return "cgo is needed by " + ", ".join(self.packages)
        return "no package needs cgo for this target: CGO_ENABLED=0 fixes it"

    def to_json(self) -> dict[str, Any]:
        return {
            "cgo_enabled": self.enabled,
            "packages": None if self.packages is None else list(self.packages),
            "summary": self.sentence(),
        }


def required_but_disabled(usage: CgoUsage, log_text: str) -> Finding | None:
    """The cause behind symptoms like "build constraints exclude all Go files" or "undefined: X":
    cgo is off for the target and the failing build names a package whose code is cgo.
    The log may name a package by import path or by directory."""
    if usage.enabled is not False or not usage.packages:
        return None
    dirs = usage.dirs or {}
    named = [p for p in usage.packages if p in log_text or (dirs.get(p) and dirs[p] in log_text)]
    if not named:
        return None
    target = str(usage.target)
    return Finding(
        rule="probe.cgo-usage.required-but-disabled",
        category="cgo-required-but-disabled",
        severity=Severity.ERROR,
        target=target,
        title=f"cgo is off for {target}, but {named[0]} needs it",
        root_cause=(
            f"CGO_ENABLED=0 for {target}, and {usage.sentence()}: with cgo off its cgo files are left "
            "out, so the package has no (or too few) Go files to build."
        ),
        evidence=(
            Evidence(
                source="probe", text=f"go list -deps for {target} with CGO_ENABLED=1: {usage.sentence()}"
            ),
        ),
        fix=Fix(summary=f"Build {target} with CGO_ENABLED=1 and a C compiler for the target"),
        priority=90,
    )


@dataclass(frozen=True, kw_only=True)
class _Row:
    import_path: str
    standard: bool
    cgo_enabled: bool
    directory: str
    cgo_files: tuple[str, ...]
    ignored: tuple[str, ...]
    name: str = ""
    go_files: tuple[str, ...] = ()

    def files(self) -> PackageFiles:
        from .filesets import PackageFiles

        return PackageFiles(
            import_path=self.import_path,
            name=self.name,
            directory=self.directory,
            standard=self.standard,
            go_files=self.go_files,
            cgo_files=self.cgo_files,
            ignored=self.ignored,
        )


def _list(
    go: str, package: str, cwd: Path, env: Mapping[str, str], tags: Sequence[str] = ()
) -> list[_Row] | None:
    from .. import process

    tag_args = ["-tags", ",".join(tags)] if tags else []
    done = process.run(
        [go, "list", "-e", "-deps", *tag_args, "-f", _FORMAT, package],
        timeout=LIST_TIMEOUT_S,
        cwd=cwd,
        env=env,
        nice=process.BACKGROUND,  # alongside the builds
    )
    if done.returncode is None or done.timed_out:
        return None
    rows = []
    for line in done.stdout.decode("utf-8", "replace").splitlines():
        parts = line.split("\t")
        if len(parts) != _FIELDS:
            continue
        rows.append(
            _Row(
                import_path=parts[0],
                standard=parts[1] == "true",
                cgo_enabled=parts[2] == "true",
                directory=parts[3],
                cgo_files=tuple(parts[4].split()),
                ignored=tuple(parts[5].split()),
                name=parts[6],
                go_files=tuple(parts[7].split()),
            )
        )
    return rows or None


def imports_c(path: Path) -> bool:
    """Whether a Go file has ``import "C"`` (the file-set reader's test, bounded and past a C
    preamble whose lines may start with ``const``)."""
    from . import filesets

    return filesets.imports_c(path)


def _candidates(rows: Sequence[_Row]) -> bool:
    return any(
        imports_c(Path(r.directory) / name)
        for r in rows
        if not r.standard and r.directory
        for name in r.ignored
    )


def analyse(
    *,
    target: Target,
    package: str,
    cwd: Path,
    env: Mapping[str, str],
    go: str = "go",
    tags: Sequence[str] = (),
) -> CgoUsage:
    """``go list -deps`` with the target's settings and the build's tags; a second listing with
    cgo on when cgo is off and a left-out file imports "C"."""
    rows = _list(go, package, cwd, env, tags)
    if rows is None:
        return CgoUsage(target=target, enabled=None, packages=None, tags=tuple(tags))
    enabled = rows[0].cgo_enabled
    files = tuple(r.files() for r in rows)
    if not enabled and _candidates(rows):
        with_cgo = _list(go, package, cwd, {**env, "CGO_ENABLED": "1"}, tags)
        if with_cgo is not None:
            rows = with_cgo
    needing = {r.import_path: r.directory for r in rows if not r.standard and r.cgo_files}
    return CgoUsage(
        target=target,
        enabled=enabled,
        packages=tuple(sorted(needing)),
        dirs=needing,
        files=files,
        tags=tuple(tags),
    )


def explain_undefined(usage: CgoUsage, log_text: str, cwd: Path) -> list[Finding]:
    """The target's file sets applied to the log's ``undefined:`` errors (see filesets)."""
    from . import filesets

    if usage.enabled is None or not usage.files:
        return []
    settings = filesets.Settings(target=usage.target, cgo=usage.enabled, tags=usage.tags)
    return filesets.explain(log_text, usage.files, settings, cwd)
