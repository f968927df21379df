"""The GitHub Action: INPUT_* and GITHUB_* -> validated inputs -> the same engine as the CLI
(a command module's ``build_report``) -> report files, artifact, check run, sticky comment, job
summary, outputs -> exit code from the findings and ``fail-on``.

Exit codes are the CLI's: 0 passed, 1 a finding reached ``fail-on``, 2 bad inputs or config
(each problem as an ``::error::``), 3 a bug. Publishing never changes the exit code: a refused
check run or comment degrades to annotations and the summary, with a warning.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import traceback
import uuid
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from .config import REPORT_FORMATS, Config, TargetConfig
from .console import neutralise
from .errors import EXIT_FINDINGS, EXIT_INTERNAL, EXIT_OK, ConfigError, GocrossError, InputError
from .github import commands
from .github.context import GithubContext
from .github.inputs import ActionInputs
from .report.model import Report

# Secrets the action reads once and keeps out of every child process (go build runs user code).
SECRET_VARIABLES = ("INPUT_TOKEN", "ACTIONS_RUNTIME_TOKEN")
REPORT_DIR = ".gocross"


def _print(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main() -> int:
    env = dict(os.environ)
    token = env.get("INPUT_TOKEN", "").strip()
    if token:
        _print(commands.add_mask(token))
    for name in SECRET_VARIABLES:
        os.environ.pop(name, None)
    # The workspace belongs to the runner's user, not to the container's root: without this git
    # refuses it ("dubious ownership") and go build fails to stamp VCS information.
    os.environ.update(
        {"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "safe.directory", "GIT_CONFIG_VALUE_0": "*"}
    )
    try:
        return run(env)
    except ConfigError as exc:
        for line in config_error_commands(exc, workspace=env.get("GITHUB_WORKSPACE", "")):
            _print(line)
        return exc.exit_code
    except GocrossError as exc:
        _print(commands.command("error", f"gocross: {exc}"))
        return exc.exit_code
    except Exception as exc:
        _print(
            commands.command("error", f"gocross: internal error (this is a bug): {type(exc).__name__}: {exc}")
        )
        _print(commands.group("traceback"))
        for line in traceback.format_exception(type(exc), exc, exc.__traceback__):
            for part in line.rstrip("\n").splitlines():
                _print(neutralise(part))
        _print(commands.endgroup())
        return EXIT_INTERNAL


def config_error_commands(exc: ConfigError, *, workspace: str) -> list[str]:
    """One ``::error`` per config problem, placed at its file, line and column when known (the
    file named relative to the workspace, as annotations want it)."""
    file = exc.source
    if workspace and Path(file).is_absolute():
        try:
            file = str(Path(file).relative_to(workspace))
        except ValueError:
            pass
    lines = []
    for problem, mark in zip(exc.problems, exc.marks, strict=True):
        properties: dict[str, str | int | None] | None = None
        if mark is not None:
            properties = {"file": file, "line": mark.line, "col": mark.column}
        where = f"{exc.source}:{mark}" if mark is not None else exc.source
        lines.append(commands.command("error", f"gocross: {where}: {problem}", properties))
    return lines


def run(env: Mapping[str, str]) -> int:
    from . import config as config_module
    from .github import context, inputs

    ctx = context.load(env)
    action_inputs = inputs.parse(env, workspace=ctx.workspace)
    warning = ctx.pull_request_target_warning()
    if warning:
        _print(commands.command("warning", f"gocross: {warning}"))
    module_dir = (ctx.workspace / action_inputs.working_directory).resolve()
    os.chdir(module_dir)
    config_path = Path(action_inputs.config) if action_inputs.config else None
    config = apply_inputs(config_module.load(config_path, start=module_dir), action_inputs)
    fail_on = config.fail_on
    report_dir = module_dir / (config.report.dir or REPORT_DIR)

    try:
        if action_inputs.mode == "aggregate":
            report = aggregate(action_inputs.report_name, dest=report_dir / "aggregate", env=env)
        else:
            report = engine_report(action_inputs, config)

        from .output import write_report_dir

        written = write_report_dir(report, report_dir, REPORT_FORMATS)
        files = dict(zip(REPORT_FORMATS, written, strict=True))
        log_report(report)

        artifact = None
        if action_inputs.upload_report:
            artifact = upload(
                report, files, module_dir=module_dir, name=artifact_name(action_inputs, ctx), env=env
            )
        from .github.publish import Settings, check_name, publish, report_outputs

        outputs = report_outputs(report, fail_on=fail_on, files=files, workspace=ctx.workspace)
        where = (
            f"the `{artifact}` artifact of" if artifact else f"`{outputs['markdown']}` in the workspace of"
        )
        more = f"{where} {ctx.run_url or 'this run'}"

        targets = [str(t.target) for t in config.targets]
        settings = Settings(
            check_name=check_name(
                config.github.check_name, targets if action_inputs.mode != "aggregate" else []
            ),
            check_run=config.github.check_run,
            comment=config.github.comment,
            annotations=config.github.annotations,
            fail_on=fail_on,
            working_directory=action_inputs.working_directory,
            more=more,
        )
        outcome = publish(
            report,
            ctx=ctx,
            settings=settings,
            api=_api_factory(action_inputs.token, ctx),
            env=env,
            outputs=outputs,
        )
        for line in outcome.log:
            _print(line)
    finally:
        give_back(ctx.workspace, [report_dir, module_dir / config.build.out])
    return EXIT_FINDINGS if report.failed(fail_on) else EXIT_OK


def _api_factory(token: str, ctx: GithubContext) -> Callable[[], object] | None:
    if not token or not ctx.repository:
        return None

    def make() -> object:
        from .github.api import GithubApi

        return GithubApi(token=token, repository=ctx.repository, api_url=ctx.api_url)

    return make


def apply_inputs(config: Config, given: ActionInputs) -> Config:
    """The config with the inputs that are config keys laid over it (an empty input keeps the
    config's value). A target named in both keeps the config's per-target settings."""
    from .targets import Target

    changes: dict[str, object] = {}
    if given.targets:
        by_name = {str(t.target): t for t in config.targets}
        changes["targets"] = tuple(
            by_name.get(name) or TargetConfig(target=Target.parse(name)) for name in given.targets
        )
    if given.deploy:
        changes["deploy"] = given.deploy
    if given.glibc_max:
        changes["glibc_max"] = given.glibc_max
    if given.require_static is not None:
        changes["require_static"] = given.require_static
    if given.smoke is not None:
        changes["smoke"] = smoke_setting(given.smoke)
    if given.verify_fixes is not None:
        changes["verify_fixes"] = given.verify_fixes
    if given.fail_on:
        changes["fail_on"] = given.fail_on
    github = {
        key: value
        for key, value in (
            ("comment", given.comment),
            ("check_run", given.check_run),
            ("check_name", given.check_name),
        )
        if value is not None
    }
    if github:
        changes["github"] = dataclasses.replace(config.github, **github)  # type: ignore[arg-type]
    return dataclasses.replace(config, **changes)  # type: ignore[arg-type]


def smoke_setting(value: str) -> tuple[str, ...] | None:
    """``smoke``: false turns smoke runs off, true runs the binaries without arguments, anything
    else is the arguments, split like a shell would (as the config's ``smoke``)."""
    import shlex

    from .github.inputs import FALSE, TRUE

    if value in FALSE:
        return None
    if value in TRUE:
        return ()
    return tuple(shlex.split(value))


def command_argv(given: ActionInputs, fail_on: str) -> list[str]:
    """The CLI arguments for the mode (everything that is a config key travels in the Config)."""
    argv = [given.mode]
    if given.mode == "check":
        argv.append(".")
    elif given.mode == "diagnose":
        for log in given.log_files:
            argv += ["--log", str(log)]
        if given.targets:
            argv += ["--target", given.targets[0]]
        if given.working_directory not in ("", "."):
            # Source positions in the log are relative to the module: make them repo-relative.
            argv += ["--source-prefix", given.working_directory]
    elif given.mode == "inspect":
        argv += [str(p) for p in given.binaries]
        if given.targets:
            argv += ["--expect", given.targets[0]]
    return [*argv, "--fail-on", fail_on, "--format", "json"]


def engine_report(given: ActionInputs, config: Config) -> Report:
    """The report of the CLI command the mode names, through the command's ``build_report``."""
    import importlib

    from .cli import COMMANDS, build_parser

    # No --report-dir: the action writes the report files itself (run() below), and per-target
    # logs already lie under .gocross/logs, inside the report folder.
    args = build_parser(given.mode).parse_args(command_argv(given, config.fail_on))
    module = importlib.import_module(COMMANDS[given.mode][0])
    report: Report = module.build_report(args, config)
    return report


def aggregate(prefix: str, *, dest: Path, env: Mapping[str, str]) -> Report:
    """One report from the run's report artifacts named ``prefix*`` and any report.json already
    under ``dest`` (e.g. downloaded by actions/download-artifact from another run)."""
    from .github import artifacts
    from .report.model import Context, merge

    try:
        artifacts.download_reports(prefix, dest=dest, env=env)
    except artifacts.ArtifactError as exc:
        _print(commands.command("warning", f"gocross: aggregate: report artifacts not downloaded: {exc}"))
    paths = sorted(dest.glob("**/report.json"))
    reports = []
    for path in paths:
        try:
            report = Report.from_json(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise InputError(f"cannot read the report {path}: {exc}") from None
        if report.context.command != "aggregate":
            reports.append(report)
    if not reports:
        raise InputError(
            f"aggregate: no report to merge: no artifact named {prefix}* in this run and no report.json "
            f"under {dest}"
        )
    _print(f"gocross: merging {len(reports)} reports")
    return merge(reports, context=Context(command="aggregate"))


def artifact_name(given: ActionInputs, ctx: GithubContext) -> str:
    """``<report-name>-<job>-<targets>``: distinct per matrix job, sharing the prefix aggregate
    mode collects; the aggregate job's own report is ``<report-name>-combined``, which aggregate
    mode skips (its report's command is ``aggregate``)."""
    from .github.artifacts import report_artifact_name

    if given.mode == "aggregate":
        return f"{given.report_name}-combined"
    return report_artifact_name(given.report_name, ctx.job, given.targets or (given.mode,))


def upload(
    report: Report, files: Mapping[str, Path], *, module_dir: Path, name: str, env: Mapping[str, str]
) -> str | None:
    """Upload the report files (and per-target logs inside the module) as an artifact; the
    artifact's name, or None when the service is unavailable (then the files stay in the
    workspace)."""
    import requests

    from .github import artifacts

    paths = list(files.values())
    for target in report.targets:
        if target.log:
            log = (module_dir / target.log).resolve()
            if log.is_file() and log.is_relative_to(module_dir):
                paths.append(log)
    try:
        ref = artifacts.upload_report(paths, name=name, root=module_dir, env=env)
    except (GocrossError, OSError, requests.RequestException) as exc:
        _print(commands.command("warning", f"gocross: the report artifact was not uploaded: {exc}"))
        return None
    return ref.name if ref is not None else None


def log_report(report: Report) -> None:
    """The text report in the log, folded; no line of it can act as a workflow command."""
    from .report.render import render

    token = uuid.uuid4().hex
    _print(commands.group("gocross report"))
    _print(commands.stop_commands(token))
    for line in render(report, "text").splitlines():
        _print(neutralise(line))
    _print(commands.resume_commands(token))
    _print(commands.endgroup())


def give_back(workspace: Path, paths: Sequence[Path]) -> None:
    """Files created in the workspace belong to the container's root: hand them (recursively) to
    the workspace's owner so later steps on the runner can change and delete them."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return
    try:
        owner = workspace.stat()
    except OSError:
        return
    if owner.st_uid == 0 and owner.st_gid == 0:
        return
    for top in paths:
        if not top.exists() or not top.resolve().is_relative_to(workspace.resolve()):
            continue
        for path in [top, *(top.rglob("*") if top.is_dir() else [])]:
            try:
                stat = path.lstat()
                if (stat.st_uid, stat.st_gid) != (owner.st_uid, owner.st_gid):
                    os.lchown(path, owner.st_uid, owner.st_gid)
            except OSError:
                continue
