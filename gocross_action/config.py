"""YAML config -> JSON Schema validation -> frozen ``Config``. Defaults live here, once.

Discovery: ``--config PATH``, else ``.github/gocross.yml`` or ``gocross.yml`` from the module
directory up to the repository root (the first directory holding ``.git``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .targets import Target

CONFIG_NAMES = (".github/gocross.yml", ".github/gocross.yaml", "gocross.yml", "gocross.yaml")
FAIL_ON = ("error", "warning", "never")
REPORT_FORMATS = ("json", "markdown", "sarif")
# Seconds one target's go build (and every compiler it starts) may take before it is killed.
BUILD_TIMEOUT_S = 600


@dataclass(frozen=True, kw_only=True)
class TargetConfig:
    """One build target and its per-target overrides (``None`` means: inherit)."""

    target: Target
    cgo: bool | None = None
    cc: str | None = None
    env: Mapping[str, str] = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    ldflags: str | None = None
    output: str | None = None


@dataclass(frozen=True, kw_only=True)
class BuildConfig:
    """The ``build`` section: flags for every target's go build."""

    flags: tuple[str, ...] = ()
    ldflags: str | None = None
    tags: tuple[str, ...] = ()
    trimpath: bool = False
    out: str = ".gocross/dist"
    timeout: int = BUILD_TIMEOUT_S


@dataclass(frozen=True, kw_only=True)
class ReportConfig:
    """The ``report`` section: which report files to write, and where."""

    formats: tuple[str, ...] = REPORT_FORMATS
    dir: str | None = None


@dataclass(frozen=True, kw_only=True)
class GithubConfig:
    """The ``github`` section: the PR comment, the check run, the annotations."""

    comment: str = "on-failure"
    check_run: bool = True
    check_name: str = "gocross"
    annotations: bool = True


@dataclass(frozen=True, kw_only=True)
class UserRules:
    """User rules: each entry an inline rule object, or a rules file resolved against the config."""

    inline: tuple[Mapping[str, Any], ...] = ()
    files: tuple[Path, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Config:
    """A whole config file, defaults filled in (``Config()`` when there is none)."""

    path: Path | None = None
    targets: tuple[TargetConfig, ...] = ()
    package: str = "."
    build: BuildConfig = field(default_factory=BuildConfig)
    deploy: tuple[str | Mapping[str, str], ...] = ()
    glibc_max: str | None = None
    require_static: bool = False
    smoke: tuple[str, ...] | None = None
    verify_fixes: bool = False
    rules: UserRules = field(default_factory=UserRules)
    report: ReportConfig = field(default_factory=ReportConfig)
    github: GithubConfig = field(default_factory=GithubConfig)
    fail_on: str = "error"


def find_config(start: Path) -> Path | None:
    """The config file found from ``start`` up to the repository root, if any. A file there
    that leads outside the workspace (a committed symlink) is refused with a warning."""
    here = start.resolve()
    for directory in (here, *here.parents):
        for name in CONFIG_NAMES:
            candidate = directory / name
            if candidate.is_file():
                from .boundary import paths  # only when there is a file to check

                try:
                    paths.check_read(candidate, paths.roots(here), what="the config file")
                except paths.PathRefused as exc:
                    from .console import warn

                    warn(str(exc))
                    continue
                return candidate
        if (directory / ".git").exists():
            return None
    return None


def load(path: Path | None, *, start: Path | None = None) -> Config:
    """Load ``path``, or the config discovered from ``start``; defaults when there is none."""
    if path is None and start is not None:
        path = find_config(start)
    if path is None:
        return Config()
    from .boundary.read import CONFIG_LIMIT, read_text_bounded

    return parse(read_text_bounded(path, limit=CONFIG_LIMIT, what="config"), source=path)


def parse(text: str, *, source: Path) -> Config:
    """Validate YAML text against ``schemas/config.schema.json`` and build a ``Config``; every
    problem is raised at once, each at its ``line:column`` in the file."""
    from . import config_schema

    known = config_schema.accepted_before(text)
    if known is not None and not config_schema.problem_list(known, base=source.parent, schema_checked=True):
        return config_schema.to_config(known, source=source)
    document = config_schema.load_document(text, source=str(source))
    found = config_schema.problem_list(document.data, base=source.parent)
    if found:
        raise ConfigError(
            str(source),
            [config_schema.format_problem(p.path, p.message) for p in found],
            marks=[document.mark(p.path) for p in found],
        )
    config_schema.remember_accepted(text, document.data)
    return config_schema.to_config(document.data, source=source)


def require_valid_fail_on(value: str) -> str:
    if value not in FAIL_ON:
        raise ConfigError("fail-on", [f"{value!r} is not one of {', '.join(FAIL_ON)}"])
    return value
