"""VCS stamping: go build runs git in the repository around the module (-buildvcs=auto), and git
refuses a repository owned by another user unless safe.directory allows it, which is the usual
case for a container action whose workspace was checked out by the runner's uid."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..findings import Evidence, Finding, Severity
from . import system
from .fixes import flags_fix, shell
from .model import ProbeContext, ProbeResult, result, skipped

NAME = "vcs"
CATEGORY = "vcs-stamping"


def buildvcs(ctx: ProbeContext) -> str:
    """The -buildvcs value from GOFLAGS (go's default is auto)."""
    flags = (system.go_env(ctx).get("GOFLAGS") or ctx.env.get("GOFLAGS") or "").split()
    value = "auto"
    for flag in flags:
        if flag.startswith(("-buildvcs", "--buildvcs")):
            value = flag.split("=", 1)[1] if "=" in flag else "true"
    return value


def probe(ctx: ProbeContext) -> ProbeResult:
    repo = system.repo_root(ctx.module_dir)
    if repo is None:
        return skipped(NAME, "the module is not in a git repository")
    stamping = buildvcs(ctx)
    owner = repo.stat().st_uid
    facts: dict[str, Any] = {
        "repository": str(repo),
        "owner_uid": owner,
        "uid": ctx.euid,
        "buildvcs": stamping,
    }
    if stamping == "false":
        return skipped(NAME, "-buildvcs=false", facts)
    git = system.which(ctx, "git")
    facts["git"] = git
    if git is None:
        if stamping == "true":
            return result(NAME, facts, [_git_missing()])
        return result(NAME, {**facts, "stamping": "omitted: git is not installed"}, [])
    ran = system.run(ctx, [git, "-C", str(repo), "rev-parse", "--git-dir"])
    facts["git_ok"] = ran.ok
    if ran.ok:
        return result(NAME, facts, [])
    message = " ".join(ran.err.strip().split("\n")[0].split())
    if "dubious ownership" in ran.err:
        return result(NAME, facts, [_dubious(repo, owner, ctx.euid, message)])
    return result(
        NAME,
        facts,
        [
            Finding(
                rule="probe.vcs.git-error",
                category=CATEGORY,
                severity=Severity.WARNING,
                title="git cannot read the repository around the module",
                root_cause="go build stamps VCS information by running git, and git fails here, so the build "
                "will stop with 'error obtaining VCS status'.",
                fix=flags_fix("Build with -buildvcs=false, or repair the checkout.", ["-buildvcs=false"]),
                evidence=(Evidence(source="probe", text=f"git rev-parse: {message}"),),
                confidence=0.7,
                priority=50,
            )
        ],
    )


def _dubious(repo: Path, owner: int, uid: int, message: str) -> Finding:
    return Finding(
        rule="probe.vcs.dubious-ownership",
        category=CATEGORY,
        severity=Severity.ERROR,
        title=f"git refuses the repository: it belongs to uid {owner}, the build runs as uid {uid}",
        root_cause="go build runs git to stamp VCS information, and git rejects a repository owned by "
        "another user ('detected dubious ownership') unless safe.directory lists it; the build stops with "
        "'error obtaining VCS status: exit status 128'.",
        fix=flags_fix(
            f"Mark the checkout as safe (git config --global --add safe.directory {repo}), "
            "or build with -buildvcs=false to skip VCS stamping.",
            ["-buildvcs=false"],
            before=(shell(f"git config --global --add safe.directory {repo}"),),
        ),
        evidence=(
            Evidence(source="probe", text=message),
            Evidence(source="probe", text=f"{repo}: owner uid {owner}; build uid {uid}"),
        ),
        priority=80,
    )


def _git_missing() -> Finding:
    return Finding(
        rule="probe.vcs.git-missing",
        category=CATEGORY,
        severity=Severity.ERROR,
        title="-buildvcs=true but git is not installed",
        root_cause="GOFLAGS asks go to stamp VCS information, which needs git, and git is not on PATH.",
        fix=flags_fix("Install git, or build with -buildvcs=auto/false.", ["-buildvcs=false"]),
        evidence=(Evidence(source="probe", text="-buildvcs=true; git: not on PATH"),),
        priority=70,
    )
