"""``--verify-fixes``: prove a target's top fix by rebuilding with it.

A fix is machine-applicable when it carries ``changes`` (environment overrides, ``go build``
flags). Findings from rules that know the cause but not this machine get their changes here,
from the facts: CGO_ENABLED=0 when no package needs cgo, CC set to an installed cross compiler
(or ``zig cc -target ...``, with a glibc version for a binary whose floor is too new),
``-buildvcs=false``, ``GOFLAGS=-mod=mod``, a writable GOCACHE, the Go proxy when GOPROXY=off,
go.mod's go line set to the Go in use (``repofix``). A package-install fix is stood in for by
the packages unpacked in a scratch directory (``sysroot``); a go.mod edit is made on a copy.

The rebuild runs in a scratch copy of the environment and writes to a scratch directory. When it
fails, its log is diagnosed and the next cause's fix added (``prove``: at most ``MAX_STEPS``
rebuilds); a rebuilt binary is judged again. The fix is ``verified`` only when the chain ends in
a build that passes (and a binary that no longer has the problem).
"""

from __future__ import annotations

import dataclasses
import re
import shlex
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..findings import Changes, Evidence, Finding, Fix, Snippet
from ..targets import Target, cross_toolchain
from . import build, repofix
from .cgo import CgoUsage
from .host import host_goarch, host_goos

_CGO_TOOLCHAIN = {"cgo-no-c-compiler", "cgo-wrong-compiler", "windows-toolchain"}


def cross_compiler(target: Target, path: str | None) -> str | None:
    """The installed C cross compiler for a target (Debian's names), if any."""
    cc = cross_toolchain(target).get("cc")
    return cc if cc and shutil.which(cc, path=path) else None


def zig_cc(target: Target, path: str | None) -> str | None:
    if shutil.which("zig", path=path) is None:
        return None
    triple = cross_toolchain(target).get("zig")
    return f"zig cc -target {triple}" if triple else None


def _compiler_for(target: Target, env: Mapping[str, str]) -> str | None:
    path = env.get("PATH")
    found = cross_compiler(target, path) or zig_cc(target, path)
    current = env.get("CC")
    return None if found is None or found == current else found


def _goflags_mod(env: Mapping[str, str]) -> str:
    kept = [f for f in shlex.split(env.get("GOFLAGS", "")) if not f.startswith("-mod=")]
    return " ".join([*kept, "-mod=mod"])


def derive(
    finding: Finding, *, target: Target, usage: CgoUsage | None, env: Mapping[str, str], log_text: str
) -> tuple[Changes, str] | None:
    """Machine-applicable changes for a finding, from the facts; None when none fits."""
    category = finding.category
    cross = target.pair != f"{host_goos()}/{host_goarch()}"
    if category in _CGO_TOOLCHAIN or category == "darwin-ios-android-toolchain":
        if usage is not None and usage.packages == ():
            return Changes(env={"CGO_ENABLED": "0"}), f"Set CGO_ENABLED=0: no package needs cgo for {target}"
        if category == "darwin-ios-android-toolchain":
            return None
        cc = _compiler_for(target, env)
        if cc:
            return Changes(env={"CGO_ENABLED": "1", "CC": cc}), f"Set CC={cc} (installed here) for {target}"
        return None
    if category == "cgo-required-but-disabled":
        changes = {"CGO_ENABLED": "1"}
        if cross:
            cc = _compiler_for(target, env)
            if cc is None:
                return None
            changes["CC"] = cc
        needed = f" ({usage.sentence()})" if usage and usage.packages else ""
        words = " and ".join(f"{k}={v}" for k, v in changes.items())
        return Changes(env=changes), f"Set {words} for {target}{needed}"
    if category in ("glibc-version-mismatch", "static-linking", "libc-musl-glibc-mismatch"):
        return _artifact_changes(finding, target=target, usage=usage)
    if category == "vcs-stamping":
        return Changes(
            flags=("-buildvcs=false",)
        ), "Build with -buildvcs=false (or mark the checkout safe in git)"
    if category == "module-proxy-sum":
        if re.search(r"GOFLAGS=-mod=vendor|dial tcp|lookup .* on ", log_text):
            return None  # vendored or unreachable: no local change makes the modules appear
        if "module lookup disabled by GOPROXY=off" in log_text:
            return Changes(env={"GOPROXY": GO_DEFAULT_PROXY}), (
                f"Set GOPROXY={GO_DEFAULT_PROXY} (Go's default) so go may download the modules "
                "the module cache lacks"
            )
        goflags = _goflags_mod(env)
        return Changes(env={"GOFLAGS": goflags}), f"Set GOFLAGS={goflags} so go may update go.mod and go.sum"
    if category == "gocache-home":
        base = env.get("RUNNER_TEMP") or "/tmp"
        changes = {"GOCACHE": f"{base}/gocross-gocache"}
        if not env.get("HOME") and not env.get("GOPATH") and not env.get("GOMODCACHE"):
            changes["GOMODCACHE"] = f"{base}/gocross-gomodcache"
        words = " and ".join(f"{k}={v}" for k, v in changes.items())
        return Changes(env=changes), f"Set {words} (a writable directory)"
    if category == "go-version-toolchain":
        return repofix.go_line(log_text)
    return None


# What GOPROXY is when nothing sets it.
GO_DEFAULT_PROXY = "https://proxy.golang.org,direct"

_HAS_GLIBC = re.compile(r"has glibc (?P<version>\d+\.\d+)")


def _artifact_changes(
    finding: Finding, *, target: Target, usage: CgoUsage | None
) -> tuple[Changes, str] | None:
    """A binary that does not fit where it runs: without cgo when nothing needs it; for a glibc
    floor that is too new, zig cc linking against the deploy system's glibc."""
    if usage is not None and usage.packages == ():
        return Changes(env={"CGO_ENABLED": "0"}), f"Set CGO_ENABLED=0: no package needs cgo for {target}"
    if finding.category != "glibc-version-mismatch":
        return None
    limits = [m.group("version") for e in finding.evidence for m in _HAS_GLIBC.finditer(e.text)]
    triple = cross_toolchain(target).get("zig")
    if not limits or not triple or not triple.endswith("-gnu"):
        return None
    floor = min(limits, key=lambda v: tuple(int(p) for p in v.split(".")))
    cc = f"zig cc -target {triple}.{floor}"
    return Changes(env={"CGO_ENABLED": "1", "CC": cc}), f'Link against glibc {floor} with CC="{cc}"'


def _cgo_off_breaks(finding: Finding, usage: CgoUsage | None) -> bool:
    """A CGO_ENABLED=0 fix (for a binary) where packages need cgo: it would not build."""
    changes = finding.fix.changes if finding.fix else None
    return bool(usage and usage.packages and changes and changes.env.get("CGO_ENABLED") == "0")


def complete(
    finding: Finding, *, target: Target, usage: CgoUsage | None, env: Mapping[str, str], log_text: str
) -> Finding:
    """The finding with machine-applicable changes when it had none and the facts give some.
    A rule's own changes stay, except that CGO_ENABLED=0 replaces a compiler change when no
    package needs cgo (no C toolchain beats the right C toolchain)."""
    needless = usage is not None and usage.packages == () and finding.category in _CGO_TOOLCHAIN
    needless = needless or _cgo_off_breaks(finding, usage)
    if finding.fix is not None and finding.fix.changes and not needless:
        return finding
    derived = derive(finding, target=target, usage=usage, env=env, log_text=log_text)
    if derived is None:
        return finding
    changes, summary = derived
    if finding.fix is not None:
        summary = f"{summary}; otherwise: {finding.fix.summary}"
    lines = [f'  {k}: "{v}"' for k, v in changes.env.items()]
    snippets: tuple[Snippet, ...] = ()
    if lines:
        snippets = (Snippet(language="yaml", code="env:\n" + "\n".join(lines) + "\n"),)
    elif changes.flags:
        snippets = (Snippet(language="bash", code=f"go build {' '.join(changes.flags)} ...\n"),)
    elif changes.go_mod:
        snippets = (repofix.snippet(changes),)
    old = finding.fix.snippets if finding.fix else ()
    fix = Fix(summary=summary, snippets=(*snippets, *old), changes=changes)
    if changes.go_mod:  # the cost of a repository edit, with the edit that undoes it
        fix = dataclasses.replace(fix, cost=repofix.cost(changes, target=str(target), log_text=log_text))
    return dataclasses.replace(finding, fix=fix)


@dataclass(frozen=True, kw_only=True)
class Attempt:
    """One rebuild with a fix: what changed and how it went."""

    target: str
    rule: str
    changes: Changes
    command: str
    status: str
    duration_s: float
    log: str

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "changes": self.changes.to_json(),
            "command": self.command,
            "status": self.status,
            "duration_s": round(self.duration_s, 3),
            "log": self.log,
        }


def _scratch_modfile(changes: Changes, job: build.BuildJob, scratch: Path) -> tuple[str, ...]:
    """With ``-mod=mod`` (the fix's or the build's own) go may rewrite go.mod and go.sum, and a
    go.mod edit is the fix itself: the trial gets copies, so the user's files stay as they are
    (``-modfile`` reads and writes the .sum beside the given .mod)."""
    goflags = shlex.split({**job.env, **changes.env}.get("GOFLAGS", ""))
    writes = "-mod=mod" in (*goflags, *changes.flags, *job.argv)
    if not writes and not changes.go_mod:
        return ()
    source = repofix.source_modfile(job.argv, job.cwd)
    env = {**job.env, **changes.env}
    modfile = repofix.scratch_modfile(source, scratch, edit=changes.go_mod, go=job.argv[0], env=env)
    return (f"-modfile={modfile}",)


def describe(changes: Changes, job: build.BuildJob) -> str:
    env = " ".join(f"{k}={shlex.quote(v)}" for k, v in changes.env.items())
    argv = [Path(job.argv[0]).name, *job.argv[1:]]
    built = " ".join(part for part in (env, shlex.join(argv)) if part)
    modfiles = [a.split("=", 1)[1] for a in job.argv if a.startswith("-modfile=")]
    if changes.go_mod and modfiles:  # the edit, made on the copy the build reads
        return f"go mod edit {shlex.join(changes.go_mod)} {shlex.quote(modfiles[-1])} && {built}"
    return built


MAX_STEPS = 3


def merge(first: Changes, then: Changes) -> Changes:
    """Two fixes applied together: the later one's environment wins; flags add up, build tags
    merged into one ``-tags`` (a second ``-tags`` flag would replace the first)."""
    go_mod = tuple(dict.fromkeys((*first.go_mod, *then.go_mod)))
    return Changes(env={**first.env, **then.env}, flags=_flags(*first.flags, *then.flags), go_mod=go_mod)


def _flags(*flags: str) -> tuple[str, ...]:
    tags: list[str] = []
    out: list[str] = []
    for flag in flags:
        if flag.startswith("-tags="):
            tags += [t for t in re.split(r"[ ,]", flag.removeprefix("-tags=")) if t and t not in tags]
        elif flag not in out:
            out.append(flag)
    return (*out, f"-tags={','.join(tags)}") if tags else tuple(out)


def _argv_with(job: build.BuildJob, flags: tuple[str, ...]) -> tuple[str, ...]:
    """The build's flags with a fix's added: ``-tags`` merged into the build's own tags."""
    argv = list(job.argv)
    if "-tags" in argv and any(f.startswith("-tags=") for f in flags):
        at = argv.index("-tags")
        existing = argv[at + 1]
        del argv[at : at + 2]
        flags = _flags(f"-tags={existing}", *flags)
    return (*argv[:-1], *flags, argv[-1])


def rebuild(
    changes: Changes, job: build.BuildJob, scratch: Path, step: int
) -> tuple[build.BuildOutcome, build.BuildJob, str]:
    """One trial build with ``changes`` into ``scratch`` (never the user's output or files)."""
    slug = build.slug(job.target)
    suffix = f".{step}" if step else ""
    tags = tuple(f for f in changes.flags if f.startswith("-tags="))
    others = tuple(f for f in changes.flags if not f.startswith("-tags="))
    base = dataclasses.replace(job, argv=_argv_with(job, tags)) if tags else job
    env = dict(changes.env)
    if env.get("CC", "").startswith("zig ") and shutil.which("zig", path=job.env.get("PATH")) is None:
        from . import zigcc

        env["CC"] = zigcc.with_zig(env["CC"], job.env) or env["CC"]
    trial = base.with_changes(
        env=env,
        flags=(*others, *_scratch_modfile(changes, job, scratch / f"{slug}{suffix}.mod")),
        output=scratch / f"{slug}{suffix}{job.target.exe_suffix}",
        log=job.log.with_name(f"{slug}.verify{suffix}.log"),
    )
    outcome = build.run(trial)
    return outcome, trial, describe(changes, trial)


def attempt(finding: Finding, job: build.BuildJob, scratch: Path) -> tuple[Finding, Attempt | None]:
    """Rebuild ``job`` with the finding's changes into ``scratch``; the finding comes back with
    ``fix.verified`` set and a line of evidence naming exactly what was changed."""
    verified, chain = prove(finding, job, scratch, diagnose=None, judge=None)
    return verified, (chain.steps[0] if chain is not None and chain.steps else None)


# The next fix to try after a failed rebuild: the findings of its log, most important first.
Diagnoser = Callable[[build.BuildJob], Sequence[Finding]]
# Judgement of a rebuilt binary: the findings that still stand against it.
Judge = Callable[[build.BuildJob], Sequence[Finding]]
# A package-install fix's stand-in for a trial: the packages unpacked in a scratch directory,
# as the environment changes that point the build at them, and a line saying what was done.
Stager = Callable[[Finding, Path], "tuple[Changes, str] | None"]


def stager(target: Target, env: Mapping[str, str]) -> Stager:
    """Stage an ``apt-get install`` fix's packages for ``target``'s trial rebuild (no root)."""
    from . import sysroot

    def stage(finding: Finding, into: Path) -> tuple[Changes, str] | None:
        if finding.fix is None or finding.fix.cost is None or finding.fix.cost.package_manager != "apt":
            return None
        packages = [
            p for s in finding.fix.snippets if s.language == "bash" for p in sysroot.packages_in(s.code)
        ]
        from . import zigcc

        root = sysroot.stage(packages, into, state=zigcc.cache_dir(env)) if packages else None
        if root is None:
            return None
        words = " ".join(packages)
        return sysroot.changes_for(
            root, target, env
        ), f"unpacked {words} into a scratch directory (apt-get download)"

    return stage


@dataclass(frozen=True, kw_only=True)
class Chain:
    """The rebuilds ``--verify-fixes`` made for one target: each step adds the fix for the cause
    the previous rebuild's log named, at most ``MAX_STEPS`` in all."""

    target: str
    steps: tuple[Attempt, ...]
    passed: bool
    next_cause: Finding | None = None

    def to_json(self) -> dict[str, Any]:
        last = self.steps[-1]
        return {
            **last.to_json(),
            "rule": self.steps[0].rule,
            "status": "passed" if self.passed else "failed",
            "duration_s": round(sum(s.duration_s for s in self.steps), 3),
            "chain": [s.to_json() for s in self.steps],
            "next_cause": self.next_cause.title if self.next_cause else None,
        }


def prove(
    finding: Finding,
    job: build.BuildJob,
    scratch: Path,
    *,
    diagnose: Diagnoser | None,
    judge: Judge | None,
    stage: Stager | None = None,
) -> tuple[Finding, Chain | None]:
    """Rebuild with the finding's fix; when the rebuild fails and ``diagnose`` names a further
    cause with a machine-applicable fix, rebuild again with both (at most ``MAX_STEPS``). With
    ``judge`` (a finding about a binary), a passed rebuild counts only when the new binary no
    longer has the finding's problem. The finding comes back ``verified`` and with the changes
    that worked (the whole chain's) and a line of evidence per rebuild."""
    if finding.fix is None:
        return finding, None
    evidence: list[Evidence] = []
    changes = finding.fix.changes
    if not changes and stage is not None:
        staged = stage(finding, scratch / f"{build.slug(job.target)}.stage")
        if staged is not None:
            changes, how = staged
            evidence.append(Evidence(source="config", text=f"--verify-fixes {how}"))
    if not changes:
        return finding, None
    shown = finding.fix.changes or Changes()
    steps: list[Attempt] = []
    added: list[str] = []
    passed = False
    next_cause: Finding | None = None
    rule = finding.rule
    for step in range(MAX_STEPS):
        try:
            outcome, trial, command = rebuild(changes, job, scratch, step)
        except InputError as exc:  # a copy of go.mod could not be made or edited: no trial
            evidence.append(Evidence(source="config", text=f"--verify-fixes could not rebuild: {exc}"))
            break
        status = outcome.status
        said = "passed" if status == "passed" else "still failed"
        if status == "passed" and judge is not None:
            left = [
                f for f in judge(trial) if f.category == finding.category and f.severity is finding.severity
            ]
            if left:
                status, said = "failed", f"built, but the new binary still has the problem: {left[0].title}"
        steps.append(
            Attempt(
                target=str(job.target),
                rule=rule,
                changes=changes,
                command=command,
                status=status,
                duration_s=outcome.duration_s,
                log=str(trial.log),
            )
        )
        evidence.append(Evidence(source="config", text=f"--verify-fixes rebuilt with {command}: {said}"))
        if status == "passed":
            passed = True
            break
        if outcome.status == "passed" or diagnose is None:
            break
        causes = [f for f in diagnose(trial) if f.severity.value == "error"]
        following = next((f for f in causes if _adds(f, changes)), None)
        extra = following.fix.changes if following is not None and following.fix is not None else None
        stand_in = False
        if following is None and stage is not None and causes and step < MAX_STEPS - 1:
            staged = stage(causes[0], scratch / f"{build.slug(job.target)}.stage{step + 1}")
            if staged is not None:
                following, extra, stand_in = causes[0], staged[0], True
                evidence.append(Evidence(source="config", text=f"--verify-fixes {staged[1]}"))
        if following is None or following.fix is None or extra is None:
            next_cause = causes[0] if causes else None
            break
        if step == MAX_STEPS - 1:
            next_cause = following
            break
        changes = merge(changes, extra)
        if not stand_in:  # a scratch tree's flags stand in for an install: they are not the fix
            shown = merge(shown, extra)
        added.append(following.fix.summary)
        rule = following.rule
        evidence.append(
            Evidence(source="config", text=f"the rebuild's log names the next cause: {following.title}")
        )
    fix = finding.fix
    if passed and added:
        fix = dataclasses.replace(
            fix, summary=f"{fix.summary}; together with: {'; '.join(added)}", changes=shown or None
        )
        if shown.go_mod and fix.cost is not None and not fix.cost.changes_repo:
            fix = dataclasses.replace(fix, cost=dataclasses.replace(fix.cost, changes_repo=True))
    fix = dataclasses.replace(fix, verified=passed)
    proven = dataclasses.replace(finding, fix=fix, evidence=(*finding.evidence, *evidence))
    if not steps:
        return proven, None
    return proven, Chain(target=str(job.target), steps=tuple(steps), passed=passed, next_cause=next_cause)


def _adds(finding: Finding, changes: Changes) -> bool:
    """Whether the finding's fix changes something the chain has not changed yet."""
    if finding.fix is None or not finding.fix.changes:
        return False
    theirs = finding.fix.changes
    new_env = any(changes.env.get(k) != v for k, v in theirs.env.items())
    new_go_mod = bool(set(theirs.go_mod) - set(changes.go_mod))
    return new_env or new_go_mod or bool(set(theirs.flags) - set(_flags(*changes.flags)))
