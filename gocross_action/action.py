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
import shutil
import sys
import traceback
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from .boundary import paths
from .boundary.text import echo_block, neutralise
from .config import REPORT_FORMATS, Config, TargetConfig
from .errors import EXIT_FINDINGS, EXIT_INTERNAL, EXIT_OK, ConfigError, GocrossError, InputError
from .github import cache as go_cache
from .github import commands
from .github import workspace as runner_files
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
    for refused in action_inputs.refused:
        _print(commands.command("warning", f"gocross: {refused}"))
    warning = ctx.pull_request_target_warning()
    if warning:
        _print(commands.command("warning", f"gocross: {warning}"))
    module_dir = (ctx.workspace / action_inputs.working_directory).resolve()
    os.chdir(module_dir)
    # Where this run may write: the workspace and RUNNER_TEMP, never through a symlink.
    roots = paths.roots(module_dir, env)
    config_path = None
    if action_inputs.config:
        try:
            config_path = paths.check_read(Path(action_inputs.config), roots, what="the config file")
        except paths.PathRefused as exc:
            raise ConfigError("action inputs", [f"config: {exc}"]) from None
    config = apply_inputs(config_module.load(config_path, start=module_dir), action_inputs)
    fail_on = config.fail_on
    source = str(config.path) if config.path else "config"
    report_dir = (
        paths.config_target(config.report.dir, key="report.dir", base=module_dir, roots=roots, source=source)
        if config.report.dir
        else module_dir / REPORT_DIR
    )
    # Before anything is built: warm caches under the job's home, and gocross's folders kept out
    # of `git status` (else every binary is stamped vcs.modified=true).
    caches = go_cache.plan(env)
    if caches is not None:
        os.environ.update(caches.env)
    created = runner_files.exclude(module_dir, ctx.workspace, [report_dir, module_dir / config.build.out])

    try:
        if action_inputs.mode == "aggregate":
            report = aggregate(
                action_inputs.report_name, local=report_dir / "aggregate", env=env, roots=roots
            )
        else:
            report = engine_report(action_inputs, config)

        from .output import write_report_dir

        written = write_report_dir(report, report_dir, REPORT_FORMATS, roots)
        files = dict(zip(REPORT_FORMATS, written, strict=True))
        log_report(report)

        artifact = None
        if action_inputs.upload_report:
            artifact = upload(
                report,
                files,
                module_dir=module_dir,
                name=artifact_name(action_inputs, ctx),
                env=env,
                roots=roots,
            )
        from .github.publish import Settings, check_name, publish, report_outputs

        outputs = report_outputs(report, fail_on=fail_on, files=files, workspace=ctx.workspace)
        outputs.update(cache_outputs(report, caches, config=config, module_dir=module_dir))
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
        runner_files.hand_over([*created, *([caches.root] if caches else [])], owner_of=ctx.workspace)
        folders = [caches.root.parent] if caches else []  # e.g. $HOME/.cache, if Go created it
        git_files = runner_files.git_files(module_dir, ctx.workspace)
        runner_files.hand_over([*folders, *git_files], owner_of=ctx.workspace, recursive=False)
    return EXIT_FINDINGS if report.failed(fail_on) else EXIT_OK


def cache_outputs(
    report: Report, caches: go_cache.GoCache | None, *, config: Config, module_dir: Path
) -> dict[str, str]:
    """``cache-key`` and ``cache-path`` for an actions/cache step (README "Caching")."""
    if caches is None:
        return {"cache-key": "", "cache-path": ""}
    version, compilers = go_cache.report_facts(report.environment)
    compilers += [tc.cc for tc in config.targets if tc.cc]
    key = go_cache.cache_key(
        os_name="linux" if sys.platform.startswith("linux") else sys.platform,
        go=version or go_cache.go_version(os.environ, module_dir),
        module_dir=module_dir,
        targets=[str(tc.target) for tc in config.targets],
        compilers=compilers,
    )
    return {"cache-key": key, "cache-path": caches.runner_path}


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


# A report.json larger than this is not read (gocross's own are a few hundred kilobytes).
REPORT_MAX_BYTES = 64 * 1024 * 1024


def aggregate(prefix: str, *, local: Path, env: Mapping[str, str], roots: paths.Roots) -> Report:
    """One report from the run's report artifacts named ``prefix*`` and any report.json already
    under ``local`` (e.g. downloaded by actions/download-artifact from another run).

    Artifacts are written by other jobs, possibly of a pull request: they are downloaded into a
    fresh private folder (not into the workspace, where a committed symlink could redirect them),
    and each report.json is checked against ``schemas/report.schema.json`` before use; one that
    fails is skipped with a warning."""
    import tempfile

    from .github import artifacts
    from .report.model import Context, merge

    temp = env.get("RUNNER_TEMP")
    private = Path(
        tempfile.mkdtemp(prefix="gocross-aggregate-", dir=temp if temp and Path(temp).is_dir() else None)
    )
    try:
        failed: list[str] = []
        try:
            artifacts.download_reports(prefix, dest=private, env=env, skipped=failed)
            for why in failed:
                _print(commands.command("warning", f"gocross: aggregate: skipped an artifact: {why}"))
        except artifacts.ArtifactError as exc:
            _print(commands.command("warning", f"gocross: aggregate: report artifacts not downloaded: {exc}"))
        found = sorted(private.glob("**/report.json"))
        if local.is_dir():
            if paths.inside(local, roots) is not None:
                found += sorted(local.glob("**/report.json"))
            else:
                why = f"{neutralise(str(local))} leads outside the workspace; its reports are not read"
                _print(commands.command("warning", f"gocross: aggregate: {why}"))
        reports = []
        for path in found:
            report = read_report(path, roots.adding(private))
            if isinstance(report, str):
                shown = path.relative_to(private) if path.is_relative_to(private) else path
                _print(
                    commands.command(
                        "warning", f"gocross: aggregate: skipped {neutralise(str(shown))}: {report}"
                    )
                )
            elif report.context.command != "aggregate":
                reports.append(report)
    finally:
        shutil.rmtree(private, ignore_errors=True)
    if not reports:
        raise InputError(
            f"aggregate: no report to merge: no artifact named {prefix}* in this run and no valid "
            f"report.json under {local}"
        )
    _print(f"gocross: merging {len(reports)} reports")
    return merge(reports, context=Context(command="aggregate"))


def read_report(path: Path, roots: paths.Roots) -> Report | str:
    """A report.json someone else wrote, as a Report; or why it cannot be used (a symlink that
    leaves the roots, too large, not JSON, not valid against the report schema, text no report
    holds), in words that quote nothing from the file."""
    if paths.inside(path, roots) is None:
        return "it is a symbolic link that leads outside the workspace"
    try:
        with path.open("rb") as fh:
            raw = fh.read(REPORT_MAX_BYTES + 1)
    except OSError as exc:
        return f"cannot read it: {exc.strerror or exc}"
    if len(raw) > REPORT_MAX_BYTES:
        return f"larger than {REPORT_MAX_BYTES} bytes"
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return "not a JSON document in UTF-8"
    bad = _unusable_text(data)
    if bad:
        return bad
    problems = report_schema_problems(data)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        return f"does not match the report schema: {problems[0]}{more}"
    try:
        return Report.from_json(data)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        return f"not a usable report ({type(exc).__name__})"


def report_schema_problems(data: object) -> list[str]:
    """Where ``data`` breaks ``schemas/report.schema.json``, each as a JSON path and the kind of
    problem (never the offending value)."""
    import jsonschema

    from .data_files import schema

    validator = jsonschema.Draft202012Validator(schema("report"))
    errors = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    return [f"{e.json_path}: {e.validator} check failed" for e in errors]


def _unusable_text(data: object, depth: int = 0) -> str | None:
    """A string no gocross report holds: NUL, or undecodable surrogates."""
    if depth > 64:
        return "nested too deeply"
    if isinstance(data, str):
        if "\x00" in data or any("\ud800" <= c <= "\udfff" for c in data):
            return "a text holds a NUL or an unpaired surrogate"
        return None
    items: list[object] = []
    if isinstance(data, dict):
        items = [*data.keys(), *data.values()]
    elif isinstance(data, list):
        items = list(data)
    for item in items:
        found = _unusable_text(item, depth + 1)
        if found:
            return found
    return None


def artifact_name(given: ActionInputs, ctx: GithubContext) -> str:
    """``<report-name>-<job>-<targets>``: distinct per matrix job, sharing the prefix aggregate
    mode collects; the aggregate job's own report is ``<report-name>-combined``, which aggregate
    mode skips (its report's command is ``aggregate``)."""
    from .github.artifacts import report_artifact_name

    if given.mode == "aggregate":
        return f"{given.report_name}-combined"
    return report_artifact_name(given.report_name, ctx.job, given.targets or (given.mode,))


def upload(
    report: Report,
    files: Mapping[str, Path],
    *,
    module_dir: Path,
    name: str,
    env: Mapping[str, str],
    roots: paths.Roots,
) -> str | None:
    """Upload the report files and per-target logs as an artifact; the artifact's name, or None
    when the service is unavailable (then the files stay in the workspace).

    Only files gocross wrote in this run go up, each checked again right before: still a
    regular file, reached without a symlink, inside the workspace."""
    import requests

    from .github import artifacts

    candidates = [paths.lexical(p) for p in files.values()]
    for target in report.targets:
        if target.log:
            candidates.append(paths.lexical(Path(target.log), module_dir))
    mine = set(paths.written())
    chosen = []
    for path in dict.fromkeys(candidates):
        if path in mine and paths.still_mine(path, roots):
            chosen.append(path)
        elif os.path.lexists(path):  # a log another job wrote (aggregate mode) is simply absent
            _print(
                commands.command(
                    "warning", f"gocross: not uploaded: {neutralise(str(path))} is not a file this run wrote"
                )
            )
    try:
        ref = artifacts.upload_report(chosen, name=name, root=module_dir, env=env)
    except (GocrossError, OSError, requests.RequestException) as exc:
        _print(commands.command("warning", f"gocross: the report artifact was not uploaded: {exc}"))
        return None
    return ref.name if ref is not None else None


def log_report(report: Report) -> None:
    """The text report in the log, folded; no line of it can act as a workflow command."""
    from .report.render import render

    _print(commands.group("gocross report"))
    for line in echo_block(render(report, "text").splitlines()):
        _print(line)
    _print(commands.endgroup())


def give_back(workspace: Path, paths: Sequence[Path]) -> None:
    """Files created in the workspace belong to the container's root: hand them (recursively) to
    the workspace's owner so later steps on the runner can change and delete them. Only what lies
    inside the workspace is handed over."""
    inside = [p for p in paths if p.exists() and p.resolve().is_relative_to(workspace.resolve())]
    runner_files.hand_over(inside, owner_of=workspace)
