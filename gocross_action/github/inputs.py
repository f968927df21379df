"""The action's inputs: ``INPUT_<NAME>`` variables (upper-cased, hyphens kept) -> validated
``ActionInputs``. Every problem is collected and raised at once as a ``ConfigError`` (exit 2).

Inputs that are also config keys (``CONFIG_KEYS``) are None when empty, so the config file's
value (or its default) applies; the others are action-only settings (``ACTION_ONLY``).
"""

from __future__ import annotations

import glob
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..config import FAIL_ON
from ..errors import ConfigError

MODES = ("check", "diagnose", "inspect", "aggregate")
COMMENT_POLICIES = ("always", "on-failure", "never")
DEFAULT_REPORT_PREFIX = "gocross-report"

# input name -> the config key it overrides (dotted for nested keys).
CONFIG_KEYS = {
    "config": "(the config file itself)",
    "targets": "targets",
    "deploy": "deploy",
    "glibc-max": "glibc-max",
    "require-static": "require-static",
    "smoke": "smoke",
    "verify-fixes": "verify-fixes",
    "fail-on": "fail-on",
    "comment": "github.comment",
    "check-run": "github.check-run",
    "check-name": "github.check-name",
}
ACTION_ONLY = ("token", "working-directory", "mode", "log-file", "binaries", "upload-report", "report-name")

# getBooleanInput of actions/toolkit: the YAML 1.2 core schema's spellings, nothing else.
TRUE = ("true", "True", "TRUE")
FALSE = ("false", "False", "FALSE")
_GLIBC = re.compile(r"^2\.\d{1,3}$")


@dataclass(frozen=True, kw_only=True)
class ActionInputs:
    token: str
    working_directory: str = "."
    config: str | None = None
    mode: str = "check"
    targets: tuple[str, ...] = ()
    log_files: tuple[Path, ...] = ()
    binaries: tuple[Path, ...] = ()
    deploy: tuple[str, ...] = ()
    glibc_max: str | None = None
    require_static: bool | None = None
    smoke: str | None = None
    verify_fixes: bool | None = None
    fail_on: str | None = None
    comment: str | None = None
    check_run: bool | None = None
    check_name: str | None = None
    upload_report: bool = True
    report_name: str = DEFAULT_REPORT_PREFIX
    # Why matched files were not taken (outside the workspace): printed as warnings.
    refused: tuple[str, ...] = ()


def raw(env: Mapping[str, str], name: str) -> str:
    """An input as the runner passes it (``INPUT_WORKING-DIRECTORY``), stripped."""
    return env.get("INPUT_" + name.replace(" ", "_").upper(), "").strip()


def split_list(value: str) -> tuple[str, ...]:
    """A list input: comma- or newline-separated, blanks dropped."""
    return tuple(part.strip() for part in re.split(r"[,\n]", value) if part.strip())


def _bool(env: Mapping[str, str], name: str, problems: list[str]) -> bool | None:
    value = raw(env, name)
    if not value:
        return None
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    problems.append(f"{name}: {value!r} is not a boolean (true or false)")
    return None


def _choice(env: Mapping[str, str], name: str, choices: tuple[str, ...], problems: list[str]) -> str | None:
    value = raw(env, name)
    if value and value not in choices:
        problems.append(f"{name}: {value!r} is not one of {', '.join(choices)}")
        return None
    return value or None


def _files(
    patterns: tuple[str, ...], base: Path, name: str, problems: list[str], refused: list[str]
) -> tuple[Path, ...]:
    """Paths and glob patterns relative to ``base``; each must match at least one file. The
    patterns come from the workflow, the files they match from the repository: a match that
    resolves outside the workspace and RUNNER_TEMP (a committed symlink, ``..``, an absolute
    path) is refused with a warning, not read."""
    from ..boundary import paths

    roots = paths.roots(base)
    found: list[Path] = []
    for pattern in patterns:
        matches = sorted(glob.glob(str(base / pattern), recursive=True))  # noqa: PTH207 (absolute too)
        files = []
        for match in matches:
            try:
                paths.check_read(Path(match), roots, what=name)
            except paths.PathRefused as exc:
                refused.append(str(exc))
                continue
            if Path(match).is_file():
                files.append(Path(match))
        if not files:
            problems.append(f"{name}: {pattern!r} matches no file it may read under {base}")
        found.extend(f for f in files if f not in found)
    return tuple(found)


def parse(env: Mapping[str, str], *, workspace: Path) -> ActionInputs:
    """Validate every input; raise ``ConfigError`` listing every problem."""
    from ..errors import UsageError
    from ..targets import target_problems
    from .artifacts import validate_name

    problems: list[str] = []
    mode = _choice(env, "mode", MODES, problems) or "check"
    working_directory = raw(env, "working-directory") or "."
    module_dir = (workspace / working_directory).resolve()
    if not module_dir.is_dir():
        problems.append(f"working-directory: {working_directory!r} is not a directory in the workspace")
    elif not module_dir.is_relative_to(workspace.resolve()):
        problems.append(f"working-directory: {working_directory!r} lies outside the workspace")

    targets = split_list(raw(env, "targets"))
    for target in targets:
        problems.extend(f"targets: {p}" for p in target_problems(target))
    if mode in ("diagnose", "inspect") and len(targets) > 1:
        problems.append(f"targets: {mode} mode takes one target, got {len(targets)}")

    deploy = split_list(raw(env, "deploy"))
    if deploy:
        from ..deploy import resolve

        for spec in deploy:
            try:
                resolve(spec)
            except UsageError as exc:
                problems.append(f"deploy: {exc}")

    glibc_max = raw(env, "glibc-max") or None
    if glibc_max and not _GLIBC.match(glibc_max):
        problems.append(f"glibc-max: {glibc_max!r} is not a glibc version such as 2.31")

    log_patterns = split_list(raw(env, "log-file"))
    binary_patterns = split_list(raw(env, "binaries"))
    if mode == "diagnose" and not log_patterns:
        problems.append("log-file: required in diagnose mode (the build log to diagnose)")
    if mode == "inspect" and not binary_patterns:
        problems.append("binaries: required in inspect mode (the binaries to inspect)")
    refused: list[str] = []
    log_files = _files(log_patterns, module_dir, "log-file", problems, refused) if module_dir.is_dir() else ()
    binaries = (
        _files(binary_patterns, module_dir, "binaries", problems, refused) if module_dir.is_dir() else ()
    )

    report_name = raw(env, "report-name") or DEFAULT_REPORT_PREFIX
    try:
        validate_name(report_name)
    except UsageError as exc:
        problems.append(f"report-name: {exc}")

    check_run = _bool(env, "check-run", problems)
    comment = _choice(env, "comment", COMMENT_POLICIES, problems)
    token = raw(env, "token")
    if not token and (check_run is not False or comment != "never"):
        problems.append(
            "token: required to post check runs and comments (default: ${{ github.token }}); "
            "set check-run: false and comment: never to run without one"
        )

    inputs = ActionInputs(
        token=token,
        working_directory=working_directory,
        config=raw(env, "config") or None,
        mode=mode,
        targets=targets,
        log_files=log_files,
        binaries=binaries,
        deploy=deploy,
        glibc_max=glibc_max,
        require_static=_bool(env, "require-static", problems),
        smoke=raw(env, "smoke") or None,
        verify_fixes=_bool(env, "verify-fixes", problems),
        fail_on=_choice(env, "fail-on", FAIL_ON, problems),
        comment=comment,
        check_run=check_run,
        check_name=raw(env, "check-name") or None,
        upload_report=_bool(env, "upload-report", problems) is not False,
        report_name=report_name,
        refused=tuple(refused),
    )
    if problems:
        # What was refused explains a pattern that matched nothing it may read.
        raise ConfigError("action inputs", [*problems, *refused])
    return inputs
