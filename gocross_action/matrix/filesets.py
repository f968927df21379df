"""Why a name the compiler calls undefined is missing for one target: the target's file sets.

``go list -deps`` in the target's environment (GOOS/GOARCH/CGO_ENABLED and the build's -tags)
says which files each package compiles (``GoFiles``, ``CgoFiles``) and which it leaves out
(``IgnoredGoFiles``). For ``file.go:L:C: undefined: X`` (or ``pkg.X``), the package that should
define X comes from the error's file and its imports; the left-out file that declares X and the
constraint that drops it (cgo off, a ``_GOOS``/``_GOARCH`` file name suffix, a ``//go:build``
line) settle the cause. A package whose compiled files lack X while cgo files are left out needs
cgo even when no left-out file declares X by name.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..diagnose.logs import clean
from ..findings import Changes, Evidence, Finding, Fix, Severity, Snippet
from ..targets import Target, cross_toolchain, known_goarch, known_goos

MAX_ERRORS = 50  # undefined-name errors looked at per log
MAX_FINDINGS = 3
MAX_SOURCE = 1 << 20  # bytes of a Go file read to find a declaration
_UNDEFINED = re.compile(
    r"^(?P<path>[^\s:]+\.go):(?P<line>\d+):(?P<col>\d+): "
    r"undefined: (?P<name>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)?)\s*$"
)
_BUILD_LINE = re.compile(r"^//go:build\s+(?P<expr>[^\n]{1,500})$", re.MULTILINE)
_PACKAGE = re.compile(r"^package\s+\w+", re.MULTILINE)
_IMPORT_ONE = re.compile(r'^import\s+(?:(?P<alias>[\w.]+)\s+)?"(?P<path>[^"]+)"', re.MULTILINE)
_IMPORT_BLOCK = re.compile(r"^import\s*\((?P<body>[^)]*)\)", re.MULTILINE)
_IMPORT_SPEC = re.compile(r'^\s*(?:(?P<alias>[\w.]+)\s+)?"(?P<path>[^"]+)"', re.MULTILINE)
_TOKEN = re.compile(r"\s*(\(|\)|!|&&|\|\||[\w.]+)")
# GOOS values that satisfy the "unix" build tag (go/build's unixOS) and implied GOOS tags.
UNIX = frozenset(
    ("aix", "android", "darwin", "dragonfly", "freebsd", "hurd", "illumos", "ios", "linux", "netbsd")
) | {"openbsd", "solaris"}
_IMPLIED = {"android": "linux", "illumos": "solaris", "ios": "darwin"}


@dataclass(frozen=True, kw_only=True)
class PackageFiles:
    """One package's file sets for one target, as ``go list`` gives them."""

    import_path: str
    name: str
    directory: str
    standard: bool
    go_files: tuple[str, ...]
    cgo_files: tuple[str, ...]
    ignored: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class Settings:
    """What decides a file set: the target, cgo on or off, the build's tags."""

    target: Target
    cgo: bool
    tags: tuple[str, ...] = ()

    def satisfied(self, tag: str, *, cgo: bool | None = None) -> bool:
        goos = self.target.goos
        if tag in (goos, self.target.goarch, "gc") or tag in self.tags:
            return True
        if tag == "cgo":
            return self.cgo if cgo is None else cgo
        if tag == "unix":
            return goos in UNIX
        if _IMPLIED.get(goos) == tag:
            return True
        return re.fullmatch(r"go1\.\d+", tag) is not None


# ----------------------------------------------------------------------------- constraints


def evaluate(expr: str, settings: Settings, *, cgo: bool | None = None) -> bool | None:
    """A ``//go:build`` expression's value for these settings (None when it does not parse)."""
    tokens: list[str] = _TOKEN.findall(expr)
    if "".join(tokens) != re.sub(r"\s+", "", expr) or not tokens:
        return None
    pos = 0

    def peek() -> str | None:
        return tokens[pos] if pos < len(tokens) else None

    def take() -> str:
        nonlocal pos
        pos += 1
        return tokens[pos - 1]

    def unary(depth: int) -> bool:
        if depth > 50 or peek() is None:
            raise ValueError
        token = take()
        if token == "!":
            return not unary(depth + 1)
        if token == "(":
            value = disjunction(depth + 1)
            if peek() != ")":
                raise ValueError
            take()
            return value
        if token in (")", "&&", "||"):
            raise ValueError
        return settings.satisfied(token, cgo=cgo)

    def conjunction(depth: int) -> bool:
        value = unary(depth)
        while peek() == "&&":
            take()
            value = unary(depth) and value
        return value

    def disjunction(depth: int) -> bool:
        value = conjunction(depth)
        while peek() == "||":
            take()
            value = conjunction(depth) or value
        return value

    try:
        value = disjunction(0)
    except ValueError:
        return None
    return value if pos == len(tokens) else None


def suffix_constraint(name: str) -> tuple[str | None, str | None]:
    """The GOOS and GOARCH a file name's suffix limits it to (go/build's goodOSArchFile)."""
    stem = name.split(".", 1)[0].removesuffix("_test")
    if "_" not in stem:
        return None, None
    parts = stem[stem.index("_") :].split("_")
    if len(parts) >= 3 and parts[-2] in known_goos() and parts[-1] in known_goarch():
        return parts[-2], parts[-1]
    if parts[-1] in known_goos():
        return parts[-1], None
    if parts[-1] in known_goarch():
        return None, parts[-1]
    return None, None


def _head(path: Path) -> str:
    """The first MAX_SOURCE bytes of a Go file (a FIFO or device in its place reads as empty)."""
    from ..boundary.read import read_head
    from ..errors import InputError

    try:
        return read_head(path, limit=MAX_SOURCE, what="Go file").decode("utf-8", errors="replace")
    except InputError:
        return ""


def head_of(path: Path) -> str:
    """A Go file's head (see ``_head``), for other readers of Go sources (cgo preambles)."""
    return _head(path)


def imports_c(path: Path) -> bool:
    """Whether a Go file has ``import "C"`` (read up to its first declaration, past any C
    preamble)."""
    return _imports_c(_header(_head(path)))


def _imports_c(header: str) -> bool:
    if any(m.group("path") == "C" for m in _IMPORT_ONE.finditer(header)):
        return True
    return any(
        m.group("path") == "C"
        for b in _IMPORT_BLOCK.finditer(header)
        for m in _IMPORT_SPEC.finditer(b["body"])
    )


def _without_block_comments(text: str) -> str:
    """``text`` with its ``/* ... */`` comments blanked (a cgo preamble holds C code whose lines
    may start with ``const``); one pass, linear in the text."""
    parts = []
    at = 0
    while True:
        start = text.find("/*", at)
        if start < 0:
            parts.append(text[at:])
            return "".join(parts)
        end = text.find("*/", start + 2)
        parts.append(text[at:start])
        if end < 0:
            return "".join(parts)
        parts.append("\n" * text.count("\n", start, end))  # keep line numbers
        at = end + 2


def _header(text: str) -> str:
    text = _without_block_comments(text)
    cut = re.search(r"^(?:func|type|var|const)\b", text, re.MULTILINE)
    return text[: cut.start()] if cut else text


@dataclass(frozen=True, kw_only=True)
class Exclusion:
    """Why a file is left out: ``kind`` is cgo, suffix, build-line or name; ``detail`` says it."""

    kind: str
    detail: str


def exclusion(path: Path, settings: Settings) -> Exclusion:
    """Why ``path`` is not compiled for these settings."""
    name = path.name
    target = settings.target
    if name.startswith(("_", ".")):
        return Exclusion(kind="name", detail=f"go ignores files whose name starts with {name[0]!r}")
    goos, goarch = suffix_constraint(name)
    os_ok = goos is None or settings.satisfied(goos)
    arch_ok = goarch is None or goarch == target.goarch
    if not (os_ok and arch_ok):
        wanted = "/".join(p for p in (goos, goarch) if p)
        suffix = "_" + "_".join(p for p in (goos, goarch) if p)
        return Exclusion(
            kind="suffix",
            detail=f"its file name suffix {suffix} builds it only for {wanted}, not {target}",
        )
    text = _head(path)
    header = _header(text)
    package = _PACKAGE.search(header)
    line = _BUILD_LINE.search(header[: package.start()] if package else header)
    if line is not None:
        expr = line["expr"].strip()
        now = evaluate(expr, settings)
        if now is False:
            if not settings.cgo and evaluate(expr, settings, cgo=True):
                return Exclusion(
                    kind="cgo", detail=f"its '//go:build {expr}' line needs cgo, and CGO_ENABLED=0"
                )
            return Exclusion(kind="build-line", detail=f"its '//go:build {expr}' line excludes {target}")
    if not settings.cgo and _imports_c(header):
        return Exclusion(kind="cgo", detail='it imports "C", and cgo files are left out with CGO_ENABLED=0')
    return Exclusion(kind="other", detail="go list reports it as ignored for this target")


# ----------------------------------------------------------------------------- declarations


def declares(path: Path, symbol: str) -> int | None:
    """The line where a file declares ``symbol`` at top level (func, method-less func, type,
    var, const, also inside ``var (...)`` groups), or None."""
    text = _head(path)
    if symbol not in text:
        return None
    word = re.escape(symbol)
    single = re.compile(rf"^(?:func|type|var|const)\s+{word}\b")
    member = re.compile(rf"^\s+{word}(?:\s|,|=|$)")
    in_group = False
    for number, line in enumerate(text.splitlines(), 1):
        if in_group:
            if line.startswith(")"):
                in_group = False
            elif member.match(line):
                return number
            continue
        if re.match(r"^(?:type|var|const)\s*\(\s*$", line):
            in_group = True
        elif single.match(line):
            return number
    return None


# ----------------------------------------------------------------------------- explaining


@dataclass(frozen=True, kw_only=True)
class _Error:
    line: int
    text: str
    path: Path
    qualifier: str | None
    symbol: str


def _errors(log_text: str, cwd: Path) -> list[_Error]:
    found = []
    for number, raw in enumerate(log_text.splitlines(), 1):
        if "undefined: " not in raw:
            continue
        line = clean(raw).strip()
        m = _UNDEFINED.match(line)
        if m is None:
            continue
        qualifier, _, symbol = m["name"].rpartition(".")
        path = Path(m["path"])
        found.append(
            _Error(
                line=number,
                text=line,
                path=path if path.is_absolute() else cwd / path,
                qualifier=qualifier or None,
                symbol=symbol,
            )
        )
        if len(found) >= MAX_ERRORS:
            break
    return found


def _file_imports(path: Path) -> dict[str, str]:
    """alias-or-"" -> import path, for the imports a file lists."""
    header = _header(_head(path))
    specs = [*_IMPORT_ONE.finditer(header)]
    for block in _IMPORT_BLOCK.finditer(header):
        specs.extend(_IMPORT_SPEC.finditer(block["body"]))
    return {m.group("path"): m.group("alias") or "" for m in specs}


def _owner(error: _Error, packages: Sequence[PackageFiles]) -> PackageFiles | None:
    directory = os.path.normpath(error.path.parent)
    for package in packages:
        if os.path.normpath(package.directory) == directory and error.path.name in (
            *package.go_files,
            *package.cgo_files,
        ):
            return package
    return None


def _defining(error: _Error, packages: Sequence[PackageFiles]) -> PackageFiles | None:
    """The package that should define the undefined name."""
    owner = _owner(error, packages)
    if error.qualifier is None:
        return owner
    by_path = {p.import_path: p for p in packages}
    for import_path, alias in _file_imports(error.path).items():
        package = by_path.get(import_path)
        if package is None:
            continue
        if alias == error.qualifier or (not alias and package.name == error.qualifier):
            return package
    return None


@dataclass(frozen=True, kw_only=True)
class Cause:
    """One explained error: the package, the file that declares the name (if found), why it is
    left out, and the log line."""

    error: _Error
    package: PackageFiles
    file: str | None
    declared_at: int | None
    why: Exclusion


def explain_errors(
    log_text: str, packages: Sequence[PackageFiles], settings: Settings, cwd: Path
) -> list[Cause]:
    """The explained ``undefined:`` errors of a build log."""
    causes = []
    for error in _errors(log_text, cwd):
        package = _defining(error, packages)
        if package is None or error.symbol in ("C",):
            continue
        directory = Path(package.directory)
        compiled = (*package.go_files, *package.cgo_files)
        if any(declares(directory / f, error.symbol) for f in compiled):
            continue  # defined for this target: not a file-set question
        # Of the left-out files that declare it, the one cgo would bring back wins (for this
        # GOOS/GOARCH, turning cgo on fixes the build), then one a named constraint drops.
        candidates = []
        for name in package.ignored:
            at = declares(directory / name, error.symbol)
            if at is not None:
                why = exclusion(directory / name, settings)
                candidates.append(Cause(error=error, package=package, file=name, declared_at=at, why=why))
                if why.kind == "cgo":
                    break
        rank = {"cgo": 0, "other": 2}
        cause = min(candidates, key=lambda c: rank.get(c.why.kind, 1)) if candidates else None
        if cause is None and not settings.cgo:
            cgo_left_out = [n for n in package.ignored if exclusion(directory / n, settings).kind == "cgo"]
            if cgo_left_out:
                why = Exclusion(
                    kind="cgo",
                    detail=f"the package's cgo files ({', '.join(cgo_left_out[:3])}) are left out "
                    f"with CGO_ENABLED=0, and its other {len(package.go_files)} file(s) do not define it",
                )
                cause = Cause(error=error, package=package, file=None, declared_at=None, why=why)
        if cause is not None:
            causes.append(cause)
    return causes


def _in_module(package: PackageFiles, cwd: Path) -> bool:
    directory = os.path.normpath(package.directory)
    root = os.path.normpath(cwd)
    return (
        not package.standard
        and (directory == root or directory.startswith(root + os.sep))
        and f"{os.sep}pkg{os.sep}mod{os.sep}" not in directory
        and f"{os.sep}vendor{os.sep}" not in directory
    )


def findings(causes: Iterable[Cause], settings: Settings, cwd: Path) -> list[Finding]:
    """One finding per (package, file, reason): cgo off, or a constraint that leaves the
    declaring file out (the user's own code: build-constraints; a dependency's: platform-api)."""
    grouped: dict[tuple[str, str | None, str], list[Cause]] = {}
    for cause in causes:
        kind = "cgo" if cause.why.kind == "cgo" else "constraint"
        grouped.setdefault((cause.package.import_path, cause.file, kind), []).append(cause)
    out = []
    for (_, _, kind), group in list(grouped.items())[:MAX_FINDINGS]:
        if kind == "cgo":
            out.append(_cgo_finding(group, settings))
        elif group[0].why.kind != "other":
            out.append(_constraint_finding(group, settings, cwd))
    return out


def _names(group: Sequence[Cause]) -> str:
    names = []
    for cause in group:
        name = (
            f"{cause.error.qualifier}.{cause.error.symbol}" if cause.error.qualifier else cause.error.symbol
        )
        if name not in names:
            names.append(name)
    return ", ".join(names[:4]) + (", ..." if len(names) > 4 else "")


def _evidence(group: Sequence[Cause], probe_text: str) -> tuple[Evidence, ...]:
    seen: list[Evidence] = []
    for cause in group:
        item = Evidence(source="log", text=cause.error.text[:400], line=cause.error.line)
        if item not in seen:
            seen.append(item)
    return (*seen[:5], Evidence(source="probe", text=probe_text))


def _where(cause: Cause) -> str:
    if cause.file is None:
        return cause.package.import_path
    return f"{cause.package.import_path}: {cause.file}" + (
        f":{cause.declared_at}" if cause.declared_at else ""
    )


def _cgo_finding(group: Sequence[Cause], settings: Settings) -> Finding:
    cause = group[0]
    target = settings.target
    package = cause.package.import_path
    row = cross_toolchain(target)
    env = {"CGO_ENABLED": "1"}
    snippets: list[Snippet] = []
    if row.get("cc"):
        env["CC"] = row["cc"]
        if row.get("deb"):
            snippets.append(Snippet(language="bash", code=f"sudo apt-get install -y {row['deb']}\n"))
    snippets.append(
        Snippet(language="yaml", code="env:\n" + "".join(f'  {k}: "{v}"\n' for k, v in env.items()))
    )
    compiler = (
        f"{row['cc']} (Debian/Ubuntu: {row['deb']})"
        if row.get("cc") and row.get("deb")
        else ("a C compiler for the target")
    )
    declared = f" (declared in {cause.file})" if cause.file else ""
    return Finding(
        rule="probe.filesets.cgo-only",
        category="cgo-required-but-disabled",
        severity=Severity.ERROR,
        target=str(target),
        title=f"{_names(group)} is only defined in {package}'s cgo files, and cgo is off for {target}",
        root_cause=(
            f"{package} defines {_names(group)} only with cgo{declared}: {cause.why.detail}. "
            f"Cross-compiling turns cgo off by default, so {target} compiles none of it; this is "
            "not an error in the Go code."
        ),
        fix=Fix(
            summary=f"Build {target} with CGO_ENABLED=1 and {compiler}, plus the C library "
            f"{package} links, installed for {target}.",
            snippets=tuple(snippets),
            changes=Changes(env=env),
        ),
        evidence=_evidence(
            group,
            f"go list -deps with GOOS={target.goos} GOARCH={target.goarch} CGO_ENABLED=0: "
            f"{_where(cause)} is left out ({cause.why.detail})",
        ),
        confidence=0.95 if cause.file else 0.8,
        priority=88,
    )


def _constraint_finding(group: Sequence[Cause], settings: Settings, cwd: Path) -> Finding:
    cause = group[0]
    target = settings.target
    own = _in_module(cause.package, cwd)
    names = _names(group)
    file = cause.file or "?"
    if own:
        stem = file.split(".", 1)[0]
        base = stem.split("_", 1)[0] or "name"
        fix = Fix(
            summary=f"Give {target} its own definition of {names}: add a file for it (e.g. "
            f"{base}_{target.goos}.go, or a file whose //go:build line includes {target.goos}), or keep "
            f"the code that uses {names} out of {target} builds with a matching constraint.",
            snippets=(
                Snippet(
                    language="go",
                    code=f"//go:build {target.goos}\n\npackage {cause.package.name}\n\n"
                    f"// {names} for {target.goos}: the counterpart of {file}\n",
                ),
            ),
        )
        category, title = (
            "build-constraints",
            f"{names} is defined only in {file}, which {target} does not build",
        )
    else:
        suffix = suffix_constraint(file)[0] or "linux"
        fix = Fix(
            summary=f"{names} does not exist on {target}: put the code that uses it in a file "
            f"constrained to the systems that have it (e.g. a _{suffix}.go file) "
            f"and give {target} an alternative, or drop the target.",
        )
        category, title = "platform-api", f"{names} does not exist for {target} ({cause.package.import_path})"
    return Finding(
        rule="probe.filesets.excluded-file",
        category=category,
        severity=Severity.ERROR,
        target=str(target),
        title=title,
        root_cause=(
            f"{names} is declared in {_where(cause)}, and that file is left out for {target}: "
            f"{cause.why.detail}. None of the files {target} compiles in {cause.package.import_path} "
            "defines it; cgo has nothing to do with it."
        ),
        fix=fix,
        evidence=_evidence(
            group,
            f"go list with GOOS={target.goos} GOARCH={target.goarch} "
            f"CGO_ENABLED={int(settings.cgo)}"
            + (f" -tags {','.join(settings.tags)}" if settings.tags else "")
            + f": {_where(cause)} is in IgnoredGoFiles",
        ),
        confidence=0.95,
        priority=88,
    )


def explain(
    log_text: str,
    packages: Sequence[PackageFiles],
    settings: Settings,
    cwd: Path,
) -> list[Finding]:
    """Findings for the ``undefined:`` errors of a build log that the target's file sets explain."""
    return findings(explain_errors(log_text, packages, settings, cwd), settings, cwd)


def tags_of(argv: Sequence[str]) -> tuple[str, ...]:
    """The build tags a ``go build`` command line sets (``-tags a,b`` or ``-tags=a,b``)."""
    tags: list[str] = []
    for i, word in enumerate(argv):
        value = None
        if word in ("-tags", "--tags") and i + 1 < len(argv):
            value = argv[i + 1]
        elif word.startswith(("-tags=", "--tags=")):
            value = word.split("=", 1)[1]
        if value is not None:
            tags = [t for t in re.split(r"[,\s]+", value) if t]
    return tuple(tags)


def by_path(packages: Iterable[PackageFiles]) -> Mapping[str, PackageFiles]:
    return {p.import_path: p for p in packages}
