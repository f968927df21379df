"""Judge a parsed Dockerfile for cross-compile problems (each check one function, one rule id).

The checks read the Go build stages (stages with a ``go build``/``go install``), the settings
their builds get (``ENV``, ``ARG`` and inline assignments), the stages that copy the binary out,
and the facts about each base image (``images``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..findings import Evidence, Finding, Severity
from . import gocommands, images
from .dockerfile import Dockerfile, Stage, Step, expand
from .files import Repository
from .finding import at, finding

BUILD_PLATFORM_ARGS = (
    "$BUILDPLATFORM",
    "${BUILDPLATFORM}",
    "$BUILDOS",
    "${BUILDOS}",
    "$BUILDARCH",
    "${BUILDARCH}",
)
TARGET_ARGS = ("TARGETPLATFORM", "TARGETOS", "TARGETARCH", "TARGETVARIANT")
ROOT_USERS = frozenset({"root", "0", "0:0", "root:root"})


@dataclass(frozen=True, kw_only=True)
class GoBuild:
    stage: Stage
    step: Step
    command: gocommands.GoCommand

    @property
    def line(self) -> int:
        return self.step.instruction.line

    def setting(self, key: str) -> tuple[str | None, int, str]:
        """The value of a Go setting for this build, the line that sets it and how (``inline``,
        ``ENV``, ``ARG``); ``(None, 0, "")`` when nothing in the file sets it."""
        inline = self.command.setting(key)
        if inline is not None:
            return expand(inline, self._lookup), self.line, "inline"
        var = self.step.scope.get(key)
        if var is None:
            return None, 0, ""
        return var.value, var.line, var.kind

    def _lookup(self, name: str) -> str | None:
        var = self.step.scope.get(name)
        return None if var is None else var.value


@dataclass(kw_only=True)
class Context:
    path: str
    dockerfile: Dockerfile
    repo: Repository
    context_dir: Path
    platforms: tuple[str, ...] = ()
    _builds: list[GoBuild] = field(default_factory=list)

    @property
    def multi_platform(self) -> bool:
        """Built for several platforms (declared by a workflow, bake or compose file), or written
        for it (the file uses a TARGET* build argument)."""
        if len(set(self.platforms)) > 1:
            return True
        return any(
            name in text
            for ins in self.dockerfile.instructions
            for text in (ins.args, *(f[1] for f in ins.flags), *(h.body for h in ins.heredocs))
            for name in TARGET_ARGS
        )

    def builds(self) -> list[GoBuild]:
        if not self._builds:
            for stage in self.dockerfile.stages:
                for step in stage.steps:
                    if step.instruction.keyword != "RUN":
                        continue
                    for command in gocommands.builds(step.instruction.command):
                        self._builds.append(GoBuild(stage=stage, step=step, command=command))
        return self._builds

    def root_image(self, stage: Stage) -> str:
        """The base image a stage starts from, following ``FROM <stage>`` chains."""
        seen = 0
        while seen < len(self.dockerfile.stages):
            parent = self.dockerfile.stage(stage.image)
            if parent is None or parent.index >= stage.index:
                return stage.image
            stage, seen = parent, seen + 1
        return stage.image

    def installs_before(self, stage: Stage, step: Step, packages: tuple[str, ...]) -> bool:
        """Whether a RUN of the stage (or a stage it is built FROM), before ``step``, installs one
        of ``packages``."""
        chain = [stage]
        parent = self.dockerfile.stage(stage.image)
        while parent is not None and parent.index < chain[-1].index and len(chain) < 50:
            chain.append(parent)
            parent = self.dockerfile.stage(parent.image)
        for current in chain:
            for other in current.steps:
                if current is stage and other.instruction.line >= step.instruction.line:
                    break
                if other.instruction.keyword == "RUN" and gocommands.mentions_package(
                    other.instruction.command, packages
                ):
                    return True
        return False

    def copies_of(self, stage: Stage) -> list[tuple[Stage, Step]]:
        """The ``COPY --from=<stage>`` instructions that take files out of ``stage``."""
        names = {str(stage.index), *([stage.name] if stage.name else [])}
        out = []
        for other in self.dockerfile.stages:
            for step in other.steps:
                source = step.instruction.flag("from")
                if step.instruction.keyword == "COPY" and source is not None and source.lower() in names:
                    out.append((other, step))
        return out

    def go_mod_requires(self) -> bool | None:
        """Whether the build context's go.mod requires modules (None: no go.mod there)."""
        text = self.repo.read(self.context_dir / "go.mod")
        if text is None:
            return None
        return any(line.strip().startswith("require") for line in text.splitlines())

    def has_vendor(self) -> bool:
        return (self.context_dir / "vendor" / "modules.txt").is_file()


def _ev(ctx: Context, line: int, text: str) -> Evidence:
    return at(ctx.path, line, text)


def _from_text(stage: Stage) -> str:
    return f"FROM {stage.image}" + (f" AS {stage.name}" if stage.name else "")


def _is_build_platform(stage: Stage) -> bool:
    return stage.platform is not None and any(arg in stage.platform for arg in BUILD_PLATFORM_ARGS)


def _emulated(stage: Stage) -> bool:
    """The stage runs in the target platform's image: no --platform, or --platform=$TARGETPLATFORM."""
    return stage.platform is None or any(arg in stage.platform for arg in TARGET_ARGS)


def _from_target(value: str | None) -> bool:
    return value is not None and any(arg in value for arg in TARGET_ARGS)


# ----------------------------------------------------------------------------- checks


def emulated_build(ctx: Context) -> Iterable[Finding]:
    if not ctx.multi_platform:
        return
    seen: set[int] = set()
    for build in ctx.builds():
        stage = build.stage
        if stage.index in seen or not _emulated(stage):
            continue
        seen.add(stage.index)
        platforms = ", ".join(ctx.platforms) or "several platforms (TARGET* build arguments are used)"
        name = stage.name or "build"
        yield finding(
            rule="audit.dockerfile.emulated-build",
            category="binfmt-qemu",
            severity=Severity.WARNING,
            title=f"the Go compiler of {stage.label} runs under emulation",
            cause=(
                f"{stage.label} has no FROM --platform=$BUILDPLATFORM, so for {platforms} BuildKit runs "
                "it, go build included, in an emulated image of each target platform: 5-10x slower, "
                "and failing ('exec format error') where binfmt/qemu is missing. Go cross-compiles: "
                "run the compiler natively and pass the target to it."
            ),
            evidence=[
                _ev(ctx, stage.line, _from_text(stage)),
                _ev(ctx, build.line, "go " + build.command.verb),
            ],
            fix="Run the build stage on the build platform; set GOOS/GOARCH from TARGETOS/TARGETARCH",
            snippet=(
                f"FROM --platform=$BUILDPLATFORM {stage.image} AS {name}\n"
                "ARG TARGETOS TARGETARCH\n"
                "RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app ."
            ),
        )


def target_ignored(ctx: Context) -> Iterable[Finding]:
    if not ctx.multi_platform:
        return
    for build in ctx.builds():
        if _emulated(build.stage):
            continue
        goarch, _, _ = build.setting("GOARCH")
        if goarch is not None:
            continue
        yield finding(
            rule="audit.dockerfile.target-ignored",
            category="exec-format-error",
            severity=Severity.ERROR,
            title="go build ignores the target platform",
            cause=(
                f"{build.stage.label} runs on a fixed platform (FROM --platform={build.stage.platform}) "
                "but its go build gets no GOARCH, so it compiles for the build machine: every image "
                "of a multi-platform build gets that architecture's binary ('exec format error' on the "
                "others)."
            ),
            evidence=[
                _ev(ctx, build.line, "go " + build.command.verb + " without GOARCH"),
                _ev(ctx, build.stage.line, f"FROM --platform={build.stage.platform} {build.stage.image}"),
            ],
            fix="Declare the target arguments in the stage and pass them to go build",
            snippet="ARG TARGETOS TARGETARCH\nRUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .",
        )


def fixed_target(ctx: Context) -> Iterable[Finding]:
    if not ctx.multi_platform:
        return
    oses = {p.split("/", 1)[0] for p in ctx.platforms}
    reported: set[tuple[str, int]] = set()
    for build in ctx.builds():
        for key in ("GOARCH", "GOOS"):
            value, line, how = build.setting(key)
            if value is None or _from_target(value) or "${" in value or not value:
                continue
            if key == "GOOS" and (not oses or oses == {value}):
                continue  # linux images: GOOS=linux is right for every platform
            if (key, line) in reported:
                continue
            reported.add((key, line))
            arg = "TARGETARCH" if key == "GOARCH" else "TARGETOS"
            where = {"inline": "on the go build line", "ENV": "by ENV", "ARG": "by an ARG default"}[how]
            yield finding(
                rule="audit.dockerfile.fixed-target",
                category="exec-format-error",
                severity=Severity.ERROR,
                title=f"{key}={value} fixed in a multi-platform build",
                cause=(
                    f"{key} is set to {value} {where}, so every platform's image gets a binary for {value}: "
                    "the images for the other platforms fail with 'exec format error'."
                ),
                evidence=[_ev(ctx, line, f"{key}={value}"), _ev(ctx, build.line, "go " + build.command.verb)],
                fix=f"Take {key} from the {arg} build argument",
                snippet=f"ARG {arg}\nRUN {key}=${arg} go build -o /out/app .",
            )


def _cgo_state(ctx: Context, build: GoBuild) -> tuple[str, int] | None:
    """("explicit" | "default", line) when the build may run with cgo on; None when it is off."""
    value, line, _ = build.setting("CGO_ENABLED")
    if value == "1":
        return "explicit", line
    if value is not None:
        return None  # "0", or only known at build time
    builder = images.facts(ctx.root_image(build.stage))
    has_gcc = bool(builder.gcc) or ctx.installs_before(build.stage, build.step, images.compilers())
    return ("default", build.line) if has_gcc else None


def _libc_word(libc: str | None, glibc: str | None = None) -> str:
    if libc == "glibc" and glibc:
        return f"glibc {glibc}"
    return {"glibc": "glibc", "musl": "musl", "none": "no C library"}.get(libc or "", "an unknown C library")


def cgo_runtime(ctx: Context) -> Iterable[Finding]:
    from ..deploy import version_key

    for build in ctx.builds():
        cgo = _cgo_state(ctx, build)
        if cgo is None:
            continue
        how, cgo_line = cgo
        builder = images.facts(ctx.root_image(build.stage))
        for runtime_stage, copy in ctx.copies_of(build.stage):
            if runtime_stage.index == build.stage.index:
                continue
            runtime = images.facts(ctx.root_image(runtime_stage))
            if not runtime.known or not builder.known:
                continue
            severity = Severity.ERROR if how == "explicit" else Severity.WARNING
            cgo_text = (
                "CGO_ENABLED=1"
                if how == "explicit"
                else f"CGO_ENABLED unset with a C compiler in {builder.image} (cgo on by default)"
            )
            evidence = [
                _ev(ctx, copy.instruction.line, f"COPY --from={copy.instruction.flag('from')}"),
                _ev(ctx, cgo_line, cgo_text),
                _ev(ctx, runtime_stage.line, f"FROM {runtime_stage.image}: {_libc_word(runtime.libc)}"),
            ]
            snippet = "ENV CGO_ENABLED=0\nRUN go build -o /out/app ."
            fix = "Build without cgo (CGO_ENABLED=0), or run the binary on the builder's C library"
            if runtime.libc == "none" or (runtime.libc != builder.libc and builder.libc in ("glibc", "musl")):
                if runtime.libc == builder.libc:
                    continue
                static_image = runtime.libc == "none"
                yield finding(
                    rule="audit.dockerfile.cgo-in-static-image"
                    if static_image
                    else "audit.dockerfile.cgo-libc-mismatch",
                    category="static-linking" if static_image else "libc-musl-glibc-mismatch",
                    severity=severity,
                    title=(
                        f"a cgo binary built on {builder.libc} runs on {runtime.image} "
                        f"({_libc_word(runtime.libc)})"
                    ),
                    cause=(
                        f"{build.stage.label} builds with cgo on in {builder.image} ({builder.libc}), so a "
                        "binary using net, os/user or any C code is dynamically linked against "
                        f"{builder.libc}; {runtime.image} has {_libc_word(runtime.libc)}: it fails to start "
                        "('exec ./app: no such file or directory' or missing symbols)."
                    ),
                    evidence=evidence,
                    fix=fix,
                    snippet=snippet,
                )
            elif (
                builder.libc == runtime.libc == "glibc"
                and builder.glibc
                and runtime.glibc
                and version_key(builder.glibc) > version_key(runtime.glibc)
            ):
                yield finding(
                    rule="audit.dockerfile.glibc-too-new",
                    category="glibc-version-mismatch",
                    severity=severity,
                    title=f"built against glibc {builder.glibc}, run on glibc {runtime.glibc}",
                    cause=(
                        f"{build.stage.label} links with cgo against glibc {builder.glibc} ({builder.image});"
                        " "
                        f"{runtime.image} has glibc {runtime.glibc}, older, so the binary can ask for symbol "
                        f"versions it lacks ('version GLIBC_2.3x not found')."
                    ),
                    evidence=evidence,
                    fix="Build in an image with the runtime's glibc (or older), or without cgo",
                    snippet=(
                        f"FROM golang:{builder.go or '1'}-{_debian_name(runtime.glibc)} AS build\n"
                        "# or: ENV CGO_ENABLED=0"
                    ),
                )


def _debian_name(glibc: str | None) -> str:
    return {"2.28": "buster", "2.31": "bullseye", "2.36": "bookworm"}.get(glibc or "", "bullseye")


def user_without_cache(ctx: Context) -> Iterable[Finding]:
    for build in ctx.builds():
        user_step = None
        for step in build.stage.steps:
            if step.instruction.line >= build.line:
                break
            if step.instruction.keyword == "USER":
                user_step = step
        if user_step is None:
            continue
        user = user_step.instruction.args.strip()
        if user.lower() in ROOT_USERS:
            continue
        if any(build.setting(k)[0] for k in ("GOCACHE", "HOME", "XDG_CACHE_HOME")):
            continue
        if _creates_home(build.stage, build.step):
            continue
        yield finding(
            rule="audit.dockerfile.user-without-cache",
            category="gocache-home",
            severity=Severity.ERROR,
            title=f"go build runs as {user} with no writable HOME or GOCACHE",
            cause=(
                f"USER {user} switches away from root before go build, and nothing gives that user a home "
                "or a GOCACHE: go cannot create its build cache ('mkdir /.cache: permission denied' or "
                "'GOCACHE is not defined and neither $XDG_CACHE_HOME nor $HOME are defined')."
            ),
            evidence=[
                _ev(ctx, user_step.instruction.line, f"USER {user}"),
                _ev(ctx, build.line, "go " + build.command.verb),
            ],
            fix="Point GOCACHE (and HOME) at a writable directory, or build before switching USER",
            snippet="ENV HOME=/tmp GOCACHE=/tmp/go-build GOMODCACHE=/tmp/go-mod",
        )


def _creates_home(stage: Stage, before: Step) -> bool:
    for step in stage.steps:
        if step.instruction.line >= before.instruction.line:
            break
        if step.instruction.keyword != "RUN":
            continue
        words = step.instruction.command.split()
        for i, word in enumerate(words):
            if word == "useradd" and any(w in ("-m", "--create-home") for w in words[i + 1 : i + 12]):
                return True
            if word == "adduser" and not any(w in ("-H", "--no-create-home") for w in words[i + 1 : i + 12]):
                return True
    return False


def _goflags(build: GoBuild) -> str:
    value, _, _ = build.setting("GOFLAGS")
    return value or ""


def vendor_missing(ctx: Context) -> Iterable[Finding]:
    for build in ctx.builds():
        value, line, _ = build.setting("GOFLAGS")
        mode = build.command.flag("mod")
        if mode == "vendor":
            line, source = build.line, "-mod=vendor on go build"
        elif "-mod=vendor" in (value or ""):
            source = f"GOFLAGS={value}"
        else:
            continue
        if ctx.has_vendor() or not ctx.go_mod_requires():
            continue
        yield finding(
            rule="audit.dockerfile.vendor-missing",
            category="module-proxy-sum",
            severity=Severity.ERROR,
            title="-mod=vendor without a vendor directory",
            cause=(
                f"The build uses {source}, but the build context has no vendor/modules.txt while go.mod "
                "requires modules: go build stops with 'inconsistent vendoring'."
            ),
            evidence=[_ev(ctx, line, source), _ev(ctx, build.line, "go " + build.command.verb)],
            fix="Commit the vendor directory (go mod vendor), or drop -mod=vendor",
            snippet="RUN go mod download\nRUN go build -mod=mod -o /out/app .",
        )
        return


def goproxy_off(ctx: Context) -> Iterable[Finding]:
    for build in ctx.builds():
        value, line, _ = build.setting("GOPROXY")
        if value != "off":
            continue
        if "-mod=vendor" in _goflags(build) or build.command.flag("mod") == "vendor":
            continue  # vendor_missing speaks about that
        if ctx.has_vendor() or not ctx.go_mod_requires():
            continue
        yield finding(
            rule="audit.dockerfile.goproxy-off",
            category="module-proxy-sum",
            severity=Severity.ERROR,
            title="GOPROXY=off without vendored modules",
            cause=(
                "GOPROXY=off forbids downloading modules and the build context has no vendor directory, "
                "so the required modules are not in the image: 'module lookup disabled by GOPROXY=off'."
            ),
            evidence=[_ev(ctx, line, "GOPROXY=off"), _ev(ctx, build.line, "go " + build.command.verb)],
            fix="Download modules before turning the proxy off, or vendor them",
            snippet="COPY go.mod go.sum ./\nRUN go mod download\nENV GOPROXY=off",
        )
        return


def _copies_context(stage: Stage, before: Step) -> Step | None:
    for step in stage.steps:
        if step.instruction.line >= before.instruction.line:
            break
        ins = step.instruction
        if ins.keyword in ("COPY", "ADD") and ins.flag("from") is None:
            sources = ins.args.split()[:-1]
            if any(s in (".", "./") for s in sources):
                return step
    return None


def vcs_without_git(ctx: Context) -> Iterable[Finding]:
    git_dir = ctx.context_dir / ".git"
    if not git_dir.exists() or _dockerignore_excludes_git(ctx):
        return
    for build in ctx.builds():
        stamping = build.command.flag("buildvcs")
        if stamping is None and "-buildvcs=" in _goflags(build):
            stamping = _goflags(build).split("-buildvcs=", 1)[1].split()[0]
        if stamping == "false":
            continue
        builder = images.facts(ctx.root_image(build.stage))
        if builder.git is not False or ctx.installs_before(build.stage, build.step, images.git_packages()):
            continue
        copy = _copies_context(build.stage, build.step)
        if copy is None:
            continue
        explicit = stamping == "true"
        yield finding(
            rule="audit.dockerfile.vcs-without-git",
            category="vcs-stamping",
            severity=Severity.ERROR if explicit else Severity.NOTICE,
            title="VCS stamping on, git missing" if explicit else "the binary gets no VCS revision",
            cause=(
                f"The build context includes .git (line {copy.instruction.line} copies it) but "
                f"{builder.image} has no git: "
                + (
                    'with -buildvcs=true go build fails (\'error obtaining VCS status: exec: "git": '
                    "executable file not found')."
                    if explicit
                    else "go build silently leaves out vcs.revision and vcs.time, so the binary "
                    "cannot tell which commit it was built from."
                )
            ),
            evidence=[
                _ev(ctx, build.line, "go " + build.command.verb),
                _ev(ctx, copy.instruction.line, "COPY of the build context with .git"),
            ],
            fix="Install git in the build stage, or pass -buildvcs=false and stamp the version with -ldflags",
            snippet="RUN apk add --no-cache git",
        )


def _dockerignore_excludes_git(ctx: Context) -> bool:
    # BuildKit reads <Dockerfile>.dockerignore beside the Dockerfile first, then the context's.
    own = ctx.repo.root / f"{ctx.path}.dockerignore"
    text = ctx.repo.read(own) if own.is_file() else ctx.repo.read(ctx.context_dir / ".dockerignore")
    if text is None:
        return False
    entries = {line.strip().rstrip("/") for line in text.splitlines()}
    return bool(entries & {".git", "/.git", "**/.git", ".*", "*"})


def no_cache_mount(ctx: Context) -> Iterable[Finding]:
    seen: set[int] = set()
    for build in ctx.builds():
        stage = build.stage
        if stage.index in seen:
            continue
        seen.add(stage.index)
        mounts = [
            m
            for step in stage.steps
            for m in step.instruction.flag_values("mount")
            if "type=cache" in m and ("go-build" in m or "pkg/mod" in m or "/go" in m)
        ]
        if mounts or _parent_downloads(ctx, stage):
            continue
        download = next(
            (
                s
                for s in stage.steps
                if s.instruction.keyword == "RUN"
                and any(c.verb == "mod" for c in gocommands.commands(s.instruction.command))
            ),
            build.step,
        )
        copy = _copies_context(stage, download)
        if copy is None:
            continue
        yield finding(
            rule="audit.dockerfile.no-cache-mount",
            category="other",
            severity=Severity.NOTICE,
            title="every source change re-downloads modules and recompiles",
            cause=(
                f"COPY . . comes before the modules are downloaded in {stage.label} and no RUN mounts a "
                "cache for /root/.cache/go-build or /go/pkg/mod: any change to any file invalidates the "
                "layer, so each build downloads every module and compiles every package again (slow, not "
                "broken)."
            ),
            evidence=[
                _ev(ctx, copy.instruction.line, "COPY . ."),
                _ev(
                    ctx,
                    download.instruction.line,
                    "go build" if download is build.step else "go mod download",
                ),
            ],
            fix="Copy go.mod and go.sum first, and mount the Go caches",
            snippet=(
                "COPY go.mod go.sum ./\n"
                "RUN --mount=type=cache,target=/go/pkg/mod go mod download\n"
                "COPY . .\n"
                "RUN --mount=type=cache,target=/go/pkg/mod \\\n"
                "    --mount=type=cache,target=/root/.cache/go-build \\\n"
                "    go build -o /out/app ."
            ),
        )


def _parent_downloads(ctx: Context, stage: Stage) -> bool:
    """Whether a stage this one is built FROM downloads the modules (so the copy comes after)."""
    parent = ctx.dockerfile.stage(stage.image)
    hops = 0
    while parent is not None and parent.index < stage.index and hops < 50:
        for step in parent.steps:
            if step.instruction.keyword == "RUN" and any(
                c.verb == "mod" for c in gocommands.commands(step.instruction.command)
            ):
                return True
        stage, parent, hops = parent, ctx.dockerfile.stage(parent.image), hops + 1
    return False


CHECKS: tuple[Callable[[Context], Iterable[Finding]], ...] = (
    emulated_build,
    target_ignored,
    fixed_target,
    cgo_runtime,
    user_without_cache,
    vendor_missing,
    goproxy_off,
    vcs_without_git,
    no_cache_mount,
)


def check(ctx: Context) -> list[Finding]:
    out: list[Finding] = []
    for run in CHECKS:
        out.extend(run(ctx))
    return out


def emulated_runs(ctx: Context) -> list[int]:
    """Lines of RUN instructions that run under emulation for a foreign platform (stages without
    FROM --platform=$BUILDPLATFORM); for the workflow check on QEMU."""
    return [
        step.instruction.line
        for stage in ctx.dockerfile.stages
        if _emulated(stage)
        for step in stage.steps
        if step.instruction.keyword == "RUN"
    ]


def facts(ctx: Context) -> Mapping[str, object]:
    """What the report's environment shows about this Dockerfile's Go builds."""
    return {
        "platforms": list(ctx.platforms),
        "stages": [
            {"line": s.line, "name": s.name, "image": s.image, "platform": s.platform}
            for s in ctx.dockerfile.stages
        ],
        "go_builds": [
            {
                "line": b.line,
                "stage": b.stage.name or b.stage.index,
                "settings": {
                    key: {"value": value, "line": line, "from": how}
                    for key in ("GOOS", "GOARCH", "CGO_ENABLED", "CC", "GOFLAGS", "GOPROXY", "GOTOOLCHAIN")
                    for value, line, how in [b.setting(key)]
                    if value is not None
                },
            }
            for b in ctx.builds()
        ],
    }
