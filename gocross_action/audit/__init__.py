"""``gocross audit``: read a repository's Dockerfiles, workflows and Go settings and predict
cross-compile failures before anything is built. Nothing found in the repository is run.

``run`` is the one entry point (the ``audit`` command and ``check`` both call it); it returns the
findings, each located at a file and line, and the facts for the report's environment."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..config import TargetConfig
from ..findings import Finding

if TYPE_CHECKING:
    from . import workflows


@dataclass(frozen=True, kw_only=True)
class Result:
    findings: tuple[Finding, ...]
    environment: Mapping[str, Any] = field(default_factory=dict)


def run(
    root: Path,
    *,
    targets: Sequence[TargetConfig] = (),
    env: Mapping[str, str] | None = None,
    cgroup: Path = Path("/sys/fs/cgroup"),
    binaries: Sequence[Path] = (),
) -> Result:
    """Audit the repository at ``root`` (and the DefaultGODEBUG of ``binaries``, when given)."""
    # The Dockerfile, workflow and bake readers load only when the repository has such files:
    # `check` runs this beside its builds, and most modules have none.
    from . import files, godebug, goenv, sources

    env = dict(os.environ) if env is None else env
    repo = files.Repository(root=root.resolve())
    found = files.discover(repo)
    findings: list[Finding] = []

    parsed: list[workflows.Workflow] = []
    if found.workflows:
        from . import workflow_checks, workflows
    for path in found.workflows:
        text = repo.read(path)
        if text is None:
            continue
        try:
            parsed.append(workflows.parse(text, repo.relative(path)))
        except workflows.WorkflowError as exc:
            repo.skipped.append(str(exc))

    # How each Dockerfile is built: platforms and context, from workflows, bake and compose files.
    declared: dict[str, tuple[set[str], str]] = {}
    for wf in parsed:
        for name, context, platforms, _ in workflow_checks.dockerfile_builds(wf):
            entry = declared.setdefault(name, (set(), context))
            entry[0].update(platforms)
    if found.bake or found.compose:
        from . import bake
    for path in (*found.bake, *found.compose):
        text = repo.read(path)
        if text is None:
            continue
        reader = bake.from_bake if path in found.bake else bake.from_compose
        for build in reader(text, repo.relative(path)):
            entry = declared.setdefault(build.dockerfile, (set(), build.context))
            entry[0].update(build.platforms)

    dockerfiles = {repo.relative(p): p for p in found.dockerfiles}
    for name in declared:
        if name not in dockerfiles and repo.exists(name):
            dockerfiles[name] = repo.root / name
    emulated: dict[str, list[int]] = {}
    docker_facts: dict[str, Any] = {}
    if dockerfiles:
        from . import dockerfile, dockerfile_checks
    for name, path in sorted(dockerfiles.items()):
        text = repo.read(path)
        if text is None:
            continue
        try:
            parsed_df = dockerfile.parse(text)
        except dockerfile.ParseError as exc:
            repo.skipped.append(f"{name}: {exc}")
            continue
        wanted, context = declared.get(name, (set(), ""))
        context_dir = repo.root / context if context else path.parent
        if repo.inside(context_dir) is None:
            context_dir = path.parent
        ctx = dockerfile_checks.Context(
            path=name,
            dockerfile=parsed_df,
            repo=repo,
            context_dir=context_dir,
            platforms=tuple(sorted(wanted)),
        )
        findings += dockerfile_checks.check(ctx)
        emulated[name] = dockerfile_checks.emulated_runs(ctx)
        docker_facts[name] = dockerfile_checks.facts(ctx)

    cgo = sources.cgo_need(repo) if any(j.matrix for wf in parsed for j in wf.jobs) else None
    # `uses: ./` is the gocross action only in the gocross repository itself.
    own = repo.read(repo.root / "action.yml") or ""
    actions = ("gocross-action", "./") if "gocross" in own.lower() else ("gocross-action",)
    for wf in parsed:
        findings += workflow_checks.check(
            workflow_checks.Context(workflow=wf, cgo=cgo, emulated=emulated, gocross_actions=actions)
        )

    layers = goenv.machine_layers(env)
    findings += goenv.findings(layers)
    go_settings = goenv.effective(targets, layers, env) if targets else {}

    predictions: dict[str, Any] = {}
    root_settings: Mapping[str, str] = {}
    for go_mod in sources.go_mod_files(repo):
        prediction = godebug.predict(repo, go_mod)
        if prediction is None:
            continue
        predictions[repo.relative(go_mod)] = dict(prediction.settings)
        if go_mod.parent == repo.root or not root_settings:
            root_settings = prediction.settings
        notice = godebug.prediction_finding(prediction)
        if notice is not None:
            findings.append(notice)

    built: dict[str, Any] = {}
    for binary in binaries:
        read = godebug.from_binary(binary)
        if isinstance(read, str):
            built[str(binary)] = {"error": read}
            continue
        built[str(binary)] = read.to_json()
        notice = godebug.binary_finding(read)
        if notice is not None:
            findings.append(notice)

    toolchain = _toolchain(env)
    quota = godebug.cpu_quota(cgroup)
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    # The binaries given say what runs; otherwise the Go here and the module's go line do.
    runs = [(b["go"], b["default_godebug"]) for b in built.values() if "go" in b] or [
        (toolchain, root_settings)
    ]
    for go, settings in runs:
        warning = godebug.gomaxprocs_finding(
            quota=quota, toolchain=go, settings=settings, cpus=cpus, gomaxprocs=env.get("GOMAXPROCS")
        )
        if warning is not None:
            findings.append(warning)

    worst = min((f.severity.rank for f in findings), default=3)
    environment = {
        "audit": {
            "status": {0: "error", 1: "warning"}.get(worst, "ok"),
            "dockerfiles": docker_facts,
            "workflows": [wf.path for wf in parsed],
            "bake": [repo.relative(p) for p in (*found.bake, *found.compose)],
            "skipped": list(repo.skipped),
            "go_settings": go_settings,
            "godebug": {"modules": predictions, "binaries": built},
            "runtime": {
                "toolchain": toolchain,
                "cpu_quota": quota,
                **{k: env[k] for k in ("GODEBUG", "GOTRACEBACK", "GOMAXPROCS") if env.get(k)},
            },
        }
    }
    return Result(findings=tuple(findings), environment=environment)


def _toolchain(env: Mapping[str, str]) -> str | None:
    from .goenv import goroot

    root = goroot(env)
    if root is None:
        return None
    try:
        with (root / "VERSION").open(encoding="utf-8", errors="replace") as handle:
            first = handle.readline(100).strip()
    except OSError:
        return None
    return first or None
