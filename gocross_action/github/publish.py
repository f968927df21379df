"""Publishing a report on GitHub: check run, sticky comment, job summary, outputs and
workflow-command annotations. Each step degrades on its own: a refused check run falls back to
annotations, a refused comment to the summary, each with a warning naming the permission."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..boundary.text import marker_id, printable
from ..findings import Finding
from ..report.model import Report
from . import commands
from .commands import Annotation
from .context import GithubContext

# The sticky comment's hidden marker: a hash of the check name, never the name itself (a name
# holding ``-->`` would otherwise end the HTML comment and show whatever follows it).
COMMENT_MARKER = "<!-- gocross-report {id} -->"


def comment_marker(check_name: str) -> str:
    return COMMENT_MARKER.format(id=marker_id(check_name))


@dataclass(frozen=True, kw_only=True)
class Settings:
    check_name: str
    check_run: bool
    comment: str  # always | on-failure | never
    annotations: bool
    fail_on: str
    working_directory: str = "."
    more: str | None = None  # where the full report is, for truncated renderings


@dataclass(kw_only=True)
class Outcome:
    """What was published, and the log lines (workflow commands included) to print."""

    log: list[str] = field(default_factory=list)
    check_run_url: str | None = None
    comment_url: str | None = None
    annotations_emitted: int = 0


def annotation(finding: Finding, ctx: GithubContext, working_directory: str) -> Annotation:
    """A finding as an annotation: at its first source position, if it has one inside the repo."""
    location = finding.locations[0] if finding.locations else None
    path = ctx.repo_path(location.path, working_directory=working_directory) if location else None
    message = finding.root_cause
    if finding.fix is not None:
        message += f"\n\nFix: {finding.fix.summary}"
    prefix = f"[{finding.target}] " if finding.target else ""
    details = "\n".join(e.text for e in finding.evidence) or None
    return Annotation(
        severity=finding.severity,
        title=f"{prefix}{finding.title}",
        message=message,
        path=path,
        start_line=location.line if path and location else None,
        start_column=location.column if path and location else None,
        raw_details=details,
    )


def title(report: Report) -> str:
    def plural(n: int, word: str) -> str:
        return f"{n} {word}" + ("" if n == 1 else "s")

    targets = f", {plural(len(report.targets), 'target')}" if report.targets else ""
    return f"{plural(report.errors, 'error')}, {plural(report.warnings, 'warning')}{targets}"


def markdown(report: Report, limit: int | None, more: str | None) -> str:
    from ..report import markdown as renderer

    return renderer.render(report, limit=limit, more=more)


def check_name(base: str, targets: Sequence[str]) -> str:
    """A job that checks a single target gets the target appended: matrix jobs get distinct,
    stable names (required status checks match by name). The name may come from the repository's
    config: it is kept to one line of printable text."""
    base = " ".join(printable(base).split()) or "gocross"
    return f"{base} ({targets[0]})" if len(targets) == 1 else base


def publish(
    report: Report,
    *,
    ctx: GithubContext,
    settings: Settings,
    api: Callable[[], object] | None,
    env: Mapping[str, str],
    outputs: Mapping[str, str],
) -> Outcome:
    """Every publication step; ``api`` builds the ``GithubApi`` (None without a token)."""
    from .api import ApiError, GithubApi

    outcome = Outcome()
    failed = report.failed(settings.fail_on)
    client = api() if api is not None else None
    assert client is None or isinstance(client, GithubApi)
    annotations = [annotation(f, ctx, settings.working_directory) for f in report.findings]

    fallback = settings.annotations
    if settings.check_run and client is not None and ctx.repository and ctx.head_sha:
        try:
            result = client.publish_check_run(
                name=settings.check_name,
                head_sha=ctx.head_sha,
                conclusion="failure" if failed else "success",
                title=title(report),
                summary=markdown(report, 65_000, settings.more),
                annotations=annotations,
                external_id=f"gocross-{uuid.uuid4()}",
                details_url=ctx.run_url,
            )
            outcome.check_run_url = result.url
            # Annotations of findings without a source position show only as workflow commands.
            annotations = [a for a in annotations if not (a.path and a.start_line)]
        except ApiError as exc:
            outcome.log.append(commands.command("warning", f"gocross: {exc}; annotations go to the log"))
            fallback = True
    if fallback and annotations:
        shown, left = commands.rank_for_display(annotations)
        outcome.log.extend(a.to_command() for a in shown)
        outcome.annotations_emitted = len(shown)
        if left:
            outcome.log.append(
                commands.command("notice", f"gocross: {len(left)} more findings are in the job summary")
            )

    pr = ctx.pull_request
    if settings.comment != "never" and pr is not None and client is not None:
        marker = comment_marker(settings.check_name)
        body = marker + "\n" + markdown(report, 65_536 - len(marker) - 1, settings.more)
        create = settings.comment == "always" or failed
        try:
            outcome.comment_url = client.upsert_comment(pr.number, marker=marker, body=body, create=create)
        except ApiError as exc:
            outcome.log.append(
                commands.command("warning", f"gocross: {exc}; the report is in the job summary")
            )

    summary_path = env.get("GITHUB_STEP_SUMMARY")
    if summary_path:
        summary = commands.fit_bytes(lambda limit: markdown(report, limit, settings.more))
        with open(summary_path, "a", encoding="utf-8") as fh:
            fh.write(summary + "\n")
    output_path = env.get("GITHUB_OUTPUT")
    if output_path:
        with open(output_path, "a", encoding="utf-8") as fh:
            fh.write(commands.file_entries(outputs))
    return outcome


def report_outputs(
    report: Report, *, fail_on: str, files: Mapping[str, Path], workspace: Path
) -> dict[str, str]:
    """The action's outputs: status, counts, and report paths relative to the workspace (later
    steps run outside the container, where /github/workspace does not exist)."""

    def rel(path: Path | None) -> str:
        if path is None:
            return ""
        try:
            return path.resolve().relative_to(workspace.resolve()).as_posix()
        except ValueError:
            return str(path)

    return {
        "status": report.status(fail_on),
        "errors": str(report.errors),
        "warnings": str(report.warnings),
        "report": rel(files.get("json")),
        "sarif": rel(files.get("sarif")),
        "markdown": rel(files.get("markdown")),
    }
