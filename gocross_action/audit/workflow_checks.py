"""Judge GitHub workflows for cross-compile problems: target settings that leak into tests,
cgo across a cross-compiling matrix, foreign-platform image builds without QEMU, a Go build
cache shared across targets, and glibc tools in musl containers."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from ..findings import Finding, Severity
from . import gocommands, images
from .finding import at, finding
from .sources import CgoNeed
from .workflows import Job, Step, Value, Workflow, runner_platform, runs_natively

GLIBC_ONLY_ACTIONS = (
    "actions/setup-node",
    "actions/setup-python",
    "actions/setup-java",
    "actions/setup-dotnet",
    "ruby/setup-ruby",
)
CROSS_COMPILER_ACTIONS = ("goto-bus-stop/setup-zig", "mlugg/setup-zig", "korandoru/setup-zig")
QEMU_ACTIONS = ("docker/setup-qemu-action",)


@dataclass(kw_only=True)
class Context:
    workflow: Workflow
    cgo: CgoNeed | None = None
    # Dockerfile path (repository-relative) -> RUN lines that run emulated on a foreign platform
    emulated: Mapping[str, list[int]] = field(default_factory=dict)
    gocross_actions: tuple[str, ...] = ("gocross-action",)  # and "./" in the gocross repository


def _action(uses: str | None, names: Iterable[str]) -> bool:
    if not uses:
        return False
    base = uses.split("@", 1)[0].lower()
    return any(
        base == n or (base.endswith("/" + n.split("/")[-1]) and base.startswith(n.split("/")[0]))
        for n in names
    )


def _setting(wf: Workflow, job: Job, step: Step | None, key: str) -> tuple[Value, str] | None:
    """A variable's value for a step and the level that sets it (step, job, workflow)."""
    if step is not None and key in step.env:
        return step.env[key], "step"
    if key in job.env:
        return job.env[key], "job"
    if key in wf.env:
        return wf.env[key], "workflow"
    return None


def goos_for_tests(ctx: Context) -> Iterable[Finding]:
    wf = ctx.workflow
    for job in wf.jobs:
        runner = runner_platform(job.runs_on)
        for step in job.steps:
            if not step.run:
                continue
            runs = [c for c in gocommands.commands(step.run) if c.verb in ("test", "run")]
            if not runs:
                continue
            for key in ("GOOS", "GOARCH"):
                found = _setting(wf, job, step, key)
                if found is None or found[1] == "step" or runs[0].setting(key) is not None:
                    continue
                value, level = found
                foreign = [
                    v
                    for v in job.values(value.text)
                    if not runs_natively(v if key == "GOOS" else "", v if key == "GOARCH" else "", runner)
                ]
                if not foreign:
                    continue
                verb = runs[0].verb
                yield finding(
                    rule="audit.workflow.target-env-for-tests",
                    category="exec-format-error",
                    severity=Severity.ERROR,
                    title=f"go {verb} inherits {key}={value.text} from the {level} env",
                    cause=(
                        f"{key} is set at {level} level ({key}={value.text}), so step {step.index + 1} "
                        f"('go {verb}') builds for {', '.join(foreign)} and then runs the result on the "
                        f"{'/'.join(runner)} runner: tests cannot run cross-compiled binaries natively "
                        "('exec format error')."
                    ),
                    evidence=[
                        at(wf.path, value.line, f"{key}: {value.text} ({level} env)"),
                        at(wf.path, step.run_line or step.line, f"go {verb}"),
                    ],
                    fix=f"Set {key} only on the build step, not at {level} level",
                    snippet=(
                        "- run: go test ./...\n"
                        "- run: go build -o dist/ ./...\n"
                        "  env:\n"
                        f"    {key}: {value.text}"
                    ),
                    language="yaml",
                )


def _builds_with_matrix_target(job: Job, wf: Workflow) -> list[tuple[Step, list[str]]]:
    """Build steps whose GOOS/GOARCH vary over the job's matrix, with the targets they take."""
    out = []
    for step in job.steps:
        if not step.run or not gocommands.builds(step.run):
            continue
        goos = _setting(wf, job, step, "GOOS")
        goarch = _setting(wf, job, step, "GOARCH")
        inline = gocommands.builds(step.run)[0]
        os_text = inline.setting("GOOS") or (goos[0].text if goos else "")
        arch_text = inline.setting("GOARCH") or (goarch[0].text if goarch else "")
        if "matrix." not in os_text + arch_text:
            continue
        targets = [f"{o}/{a}" for o in job.values(os_text) for a in job.values(arch_text)]
        out.append((step, targets))
    return out


def _pair(target: str) -> tuple[str, str]:
    goos, _, goarch = target.partition("/")
    return goos, goarch


def cgo_across_matrix(ctx: Context) -> Iterable[Finding]:
    wf = ctx.workflow
    for job in wf.jobs:
        runner = runner_platform(job.runs_on)
        for step, targets in _builds_with_matrix_target(job, wf):
            foreign = [t for t in targets if not runs_natively(*_pair(t), runner)]
            if not foreign:
                continue
            cgo = _setting(wf, job, step, "CGO_ENABLED")
            inline = gocommands.builds(step.run or "")[0].setting("CGO_ENABLED")
            value = inline if inline is not None else (cgo[0].text if cgo else None)
            if value is None and ctx.cgo is not None:
                yield finding(
                    rule="audit.workflow.cgo-off-when-cross",
                    category="cgo-required-but-disabled",
                    severity=Severity.ERROR,
                    title="the matrix cross-compiles a module that needs cgo, with CGO_ENABLED unset",
                    cause=(
                        f"The module needs cgo ({ctx.cgo.reason}), and go turns cgo off by default when "
                        f"GOOS/GOARCH differ from the machine: the builds for {', '.join(foreign)} get "
                        "CGO_ENABLED=0 and fail, or build stubs that fail at run time."
                    ),
                    evidence=[
                        at(wf.path, step.run_line or step.line, "go build with GOOS/GOARCH from the matrix"),
                        at(ctx.cgo.path, ctx.cgo.line, ctx.cgo.reason),
                    ],
                    fix="Enable cgo and install a C cross compiler for each target (or use zig cc)",
                    snippet=(
                        "- run: sudo apt-get install -y gcc-aarch64-linux-gnu\n"
                        "- run: go build ./...\n"
                        "  env:\n"
                        "    CGO_ENABLED: 1\n"
                        "    CC: aarch64-linux-gnu-gcc"
                    ),
                    language="yaml",
                )
            elif value == "1" and not _has_cross_compiler(wf, job, step):
                yield finding(
                    rule="audit.workflow.cgo-without-cross-compiler",
                    category="cgo-no-c-compiler",
                    severity=Severity.ERROR,
                    title="CGO_ENABLED=1 across a cross-compiling matrix, with no C cross compiler",
                    cause=(
                        f"cgo is on for {', '.join(foreign)}, but no earlier step installs a C cross "
                        "compiler and CC is not set: go runs the host's gcc, which cannot compile for "
                        "those targets ('cgo: C compiler ... not found' or host assembler errors)."
                    ),
                    evidence=[at(wf.path, step.run_line or step.line, "go build with CGO_ENABLED=1")],
                    fix="Install the target's cross compiler in an earlier step and set CC for it",
                    snippet=(
                        "- run: sudo apt-get install -y gcc-aarch64-linux-gnu\n"
                        "- run: go build ./...\n"
                        "  env:\n"
                        "    CC: aarch64-linux-gnu-gcc"
                    ),
                    language="yaml",
                )


def _has_cross_compiler(wf: Workflow, job: Job, step: Step) -> bool:
    if _setting(wf, job, step, "CC") is not None:
        return True
    if step.run and gocommands.builds(step.run)[0].setting("CC") is not None:
        return True
    for earlier in job.steps[: step.index]:
        if _action(earlier.uses, CROSS_COMPILER_ACTIONS):
            return True
        if earlier.run and gocommands.mentions_package(earlier.run, images.cross_compilers()):
            return True
    return False


def _platforms_of(step: Step) -> tuple[list[str], int] | None:
    if _action(step.uses, ("docker/build-push-action",)) and "platforms" in step.with_:
        value = step.with_["platforms"]
        return [p.strip() for p in value.text.replace("\n", ",").split(",") if p.strip()], value.line
    if step.run and "buildx" in step.run and "--platform" in step.run:
        words = step.run.replace("=", " ").split()
        for i, word in enumerate(words[:-1]):
            if word == "--platform":
                return [p for p in words[i + 1].split(",") if p], step.run_line or step.line
    return None


def _dockerfile_of(step: Step) -> str:
    if step.with_.get("file"):
        return step.with_["file"].text.removeprefix("./")
    context = step.with_["context"].text.removeprefix("./").rstrip("/") if step.with_.get("context") else ""
    if step.run:
        words = step.run.replace("=", " ").split()
        for i, word in enumerate(words[:-1]):
            if word in ("-f", "--file"):
                return words[i + 1].removeprefix("./")
    return f"{context}/Dockerfile" if context and context != "." else "Dockerfile"


def foreign_platform_without_qemu(ctx: Context) -> Iterable[Finding]:
    wf = ctx.workflow
    for job in wf.jobs:
        runner = runner_platform(job.runs_on)
        for step in job.steps:
            found = _platforms_of(step)
            if found is None:
                continue
            platforms, line = found
            foreign = [
                p
                for p in platforms
                if "/" in p and not runs_natively(p.split("/")[0], p.split("/")[1], ("linux", runner[1]))
            ]
            dockerfile = _dockerfile_of(step)
            emulated = ctx.emulated.get(dockerfile, [])
            if not foreign or not emulated:
                continue
            if any(_action(s.uses, QEMU_ACTIONS) for s in job.steps[: step.index]):
                continue
            yield finding(
                rule="audit.workflow.foreign-platform-without-qemu",
                category="binfmt-qemu",
                severity=Severity.ERROR,
                title=f"image build for {', '.join(foreign)} without docker/setup-qemu-action",
                cause=(
                    f"The build asks for {', '.join(foreign)} and {dockerfile} has RUN steps that run in "
                    f"the target platform's image (line {emulated[0]}), but no earlier step sets up QEMU: "
                    "those RUN steps fail with 'exec format error'."
                ),
                evidence=[
                    at(wf.path, line, f"platforms: {', '.join(platforms)}"),
                    at(dockerfile, emulated[0], "RUN in a stage without FROM --platform=$BUILDPLATFORM"),
                ],
                fix="Set up QEMU before the build (or make every RUN stage FROM --platform=$BUILDPLATFORM)",
                snippet="- uses: docker/setup-qemu-action@v3\n- uses: docker/setup-buildx-action@v3",
                language="yaml",
            )


def setup_go_cache_across_targets(ctx: Context) -> Iterable[Finding]:
    wf = ctx.workflow
    for job in wf.jobs:
        builds = _builds_with_matrix_target(job, wf)
        if not builds or len({t for _, ts in builds for t in ts}) < 2:
            continue
        for step in job.steps:
            if not _action(step.uses, ("actions/setup-go",)):
                continue
            version = (step.uses or "").rsplit("@", 1)[-1]
            cache = step.with_.get("cache")
            if version in ("v1", "v2", "v3") or (cache is not None and cache.text == "false"):
                continue
            yield finding(
                rule="audit.workflow.setup-go-cache-across-targets",
                category="other",
                severity=Severity.NOTICE,
                title="actions/setup-go's build cache is shared by every target of the matrix",
                cause=(
                    "setup-go caches the build cache under a key made of the runner OS, Go version and "
                    "go.sum hash, the same for every GOOS/GOARCH of the matrix: the first job to finish "
                    "saves its target's cache and the others restore a cache for another target and "
                    "compile from scratch (slow, not broken)."
                ),
                evidence=[at(wf.path, step.line, step.uses or "actions/setup-go")],
                fix="Turn setup-go's cache off and cache with a key that includes the target",
                snippet=(
                    "- uses: actions/setup-go@v5\n"
                    "  with:\n"
                    "    cache: false\n"
                    "- uses: actions/cache@v4\n"
                    "  with:\n"
                    "    path: |\n"
                    "      ~/.cache/go-build\n"
                    "      ~/go/pkg/mod\n"
                    "    key: go-${{ matrix.goos }}-${{ matrix.goarch }}-${{ hashFiles('**/go.sum') }}"
                ),
                language="yaml",
            )


def glibc_tools_in_musl_container(ctx: Context) -> Iterable[Finding]:
    wf = ctx.workflow
    for job in wf.jobs:
        if job.container is None:
            continue
        image = images.facts(job.container.text)
        if image.libc != "musl":
            continue
        for step in job.steps:
            if not _action(step.uses, GLIBC_ONLY_ACTIONS):
                continue
            yield finding(
                rule="audit.workflow.glibc-tool-in-musl-container",
                category="libc-musl-glibc-mismatch",
                severity=Severity.ERROR,
                title=f"{step.uses} in an Alpine (musl) container job",
                cause=(
                    f"Job '{job.id}' runs in {job.container.text} (musl), and {step.uses} installs a "
                    "runtime built for glibc: it fails to start there ('not found' for a file that exists)."
                ),
                evidence=[
                    at(wf.path, job.container.line, f"container: {job.container.text}"),
                    at(wf.path, step.line, f"uses: {step.uses}"),
                ],
                fix="Install the tool from the image's package manager, or use a glibc (Debian) container",
                snippet="container: golang:1.23-bookworm",
                language="yaml",
            )


def env_fights_config_targets(ctx: Context) -> Iterable[Finding]:
    wf = ctx.workflow
    for job in wf.jobs:
        for step in job.steps:
            uses = (step.uses or "").lower()
            if not uses or not any(uses == a or (a != "./" and a in uses) for a in ctx.gocross_actions):
                continue
            for key in ("GOOS", "GOARCH"):
                found = _setting(wf, job, step, key)
                if found is None:
                    continue
                value, level = found
                yield finding(
                    rule="audit.goenv.workflow-env-overridden",
                    category="exec-format-error",
                    severity=Severity.WARNING,
                    title=f"{key}={value.text} in the {level} env has no effect on gocross's targets",
                    cause=(
                        f"The {level} env sets {key}={value.text} for the gocross step, but gocross builds "
                        "each configured target with its own GOOS/GOARCH: the setting is silently "
                        "overridden there, while every other go command of the job uses it."
                    ),
                    evidence=[
                        at(wf.path, value.line, f"{key}: {value.text}"),
                        at(wf.path, step.line, f"uses: {step.uses}"),
                    ],
                    fix="Name the targets in the gocross config or the action's targets input, not in env",
                    snippet=f"- uses: {step.uses}\n  with:\n    targets: {value.text}/amd64",
                    language="yaml",
                )


CHECKS: tuple[Callable[[Context], Iterable[Finding]], ...] = (
    goos_for_tests,
    cgo_across_matrix,
    foreign_platform_without_qemu,
    setup_go_cache_across_targets,
    glibc_tools_in_musl_container,
    env_fights_config_targets,
)


def check(ctx: Context) -> list[Finding]:
    out: list[Finding] = []
    for run in CHECKS:
        out.extend(run(ctx))
    return out


def dockerfile_builds(wf: Workflow) -> list[tuple[str, str, tuple[str, ...], int]]:
    """(dockerfile, context, platforms, line) of each image build the workflow declares."""
    out = []
    for job in wf.jobs:
        for step in job.steps:
            found = _platforms_of(step)
            uses_build = _action(step.uses, ("docker/build-push-action",))
            if found is None and not uses_build:
                continue
            platforms, line = found if found else ([], step.line)
            context = step.with_["context"].text.removeprefix("./") if step.with_.get("context") else ""
            out.append((_dockerfile_of(step), context.rstrip("/"), tuple(platforms), line))
    return out
