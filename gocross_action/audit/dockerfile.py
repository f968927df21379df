"""A Dockerfile parser: the syntax BuildKit's frontend accepts, read as data (nothing is run).

- parser directives at the top (``# escape=`` changes the line-continuation character; a blank
  line, comment or instruction ends the directives);
- logical lines: a line ending in the escape character (trailing blanks allowed) continues on
  the next; comment and empty lines inside a continuation are dropped;
- heredocs in RUN, COPY and ADD: ``<<EOF``, ``<<-EOF`` (leading tabs stripped), ``<<"EOF"`` or
  ``<<'EOF'`` (no variable expansion), several on one line, read in order;
- flags before the arguments (``--platform=``, ``--from=``, ``--mount=``, repeatable);
- variables: ``$VAR``, ``${VAR}``, ``${VAR:-word}``, ``${VAR-word}``, ``${VAR:+word}``,
  ``${VAR+word}``, ``${VAR:?msg}``; ARGs before the first FROM are global (usable in FROM, and in a
  stage once redeclared by ``ARG NAME``), the build-platform ARGs (``BUILDPLATFORM``,
  ``TARGETARCH``...) are predefined; ENV is inherited from a ``FROM <stage>``.

A value only known at build time (a build-platform ARG, an ARG without default) stays as the
text ``${NAME}``: checks read it as "comes from NAME".
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

_DIRECTIVE = re.compile(r"#[ \t]*([A-Za-z][A-Za-z0-9]*)[ \t]*=(.*)")
_FLAG = re.compile(r"--([A-Za-z][A-Za-z0-9-]*)(?:=(\"[^\"]*\"|\S*))?")
_HEREDOC = re.compile(r"<<(-?)([\"']?)([A-Za-z_][A-Za-z0-9_.-]*)\2")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_HEREDOC_KEYWORDS = frozenset({"RUN", "COPY", "ADD"})
PLATFORM_ARGS = (
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDARCH",
    "BUILDVARIANT",
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETARCH",
    "TARGETVARIANT",
)
MAX_INSTRUCTIONS = 2000
MAX_VARIABLES = 1000  # per stage: each instruction keeps a snapshot of them


@dataclass(frozen=True, kw_only=True)
class Heredoc:
    name: str
    body: str
    expand: bool
    line: int


@dataclass(frozen=True, kw_only=True)
class Instruction:
    """One logical instruction: ``keyword`` upper-cased, ``line`` its first physical line,
    ``args`` the text after the flags (continuations joined)."""

    keyword: str
    line: int
    flags: tuple[tuple[str, str], ...]
    args: str
    heredocs: tuple[Heredoc, ...] = ()

    def flag(self, name: str) -> str | None:
        for key, value in self.flags:
            if key == name:
                return value
        return None

    def flag_values(self, name: str) -> list[str]:
        return [value for key, value in self.flags if key == name]

    @property
    def command(self) -> str:
        """The command of a RUN: the shell form's text, an exec form's words joined, and the
        heredoc bodies (the script a heredoc RUN runs)."""
        text = self.args
        if text.startswith("["):
            try:
                words = json.loads(text)
            except ValueError:
                words = None
            if isinstance(words, list) and all(isinstance(w, str) for w in words):
                text = " ".join(words)
        return "\n".join([text, *(h.body for h in self.heredocs)])


@dataclass(frozen=True, kw_only=True)
class Variable:
    """An ARG or ENV value in scope. ``value`` may hold ``${NAME}`` for build-time values."""

    name: str
    value: str
    kind: str  # "ARG" or "ENV"
    line: int

    @property
    def literal(self) -> bool:
        """Fixed in the file (not from a build-time value)."""
        return "${" not in self.value


@dataclass(frozen=True, kw_only=True)
class Step:
    instruction: Instruction
    scope: Mapping[str, Variable]  # ARG and ENV values in effect at this instruction


@dataclass(frozen=True, kw_only=True)
class Stage:
    index: int
    name: str | None  # lower-cased, as BuildKit compares them
    line: int
    image: str  # expanded with the global ARGs
    platform: str | None  # the raw --platform value
    steps: tuple[Step, ...]

    @property
    def label(self) -> str:
        return f"stage '{self.name}'" if self.name else f"stage {self.index}"


@dataclass(frozen=True, kw_only=True)
class Dockerfile:
    escape: str
    instructions: tuple[Instruction, ...]
    stages: tuple[Stage, ...]
    global_args: Mapping[str, Variable]

    def stage(self, ref: str) -> Stage | None:
        """The stage a ``FROM``/``COPY --from`` reference names (a name or an index)."""
        ref = ref.lower()
        for stage in self.stages:
            if stage.name == ref or str(stage.index) == ref:
                return stage
        return None


class ParseError(ValueError):
    pass


def parse(text: str) -> Dockerfile:
    instructions, escape = _instructions(text)
    stages, global_args = _stages(instructions, escape)
    return Dockerfile(escape=escape, instructions=instructions, stages=stages, global_args=global_args)


def _instructions(text: str) -> tuple[tuple[Instruction, ...], str]:
    lines = text.split("\n")
    lines = [line[:-1] if line.endswith("\r") else line for line in lines]
    escape = "\\"
    i = 0
    while i < len(lines):
        directive = _DIRECTIVE.fullmatch(lines[i])
        if directive is None or not directive[2].strip():
            break
        value = directive[2].strip()
        if directive[1].lower() == "escape":
            if value not in ("\\", "`"):
                raise ParseError(f"line {i + 1}: invalid escape directive {value[:20]!r} (use \\ or `)")
            escape = value
        i += 1
    out: list[Instruction] = []
    n = len(lines)
    while i < n:
        stripped = lines[i].strip()
        if not stripped or stripped.startswith("#"):
            i += 1
            continue
        start = i + 1
        parts: list[str] = []
        line = lines[i]
        while True:
            body = line.rstrip(" \t")
            if body.endswith(escape):
                parts.append(body[: -len(escape)])
                i += 1
                while i < n and (not lines[i].strip() or lines[i].lstrip().startswith("#")):
                    i += 1
                if i >= n:
                    break
                line = lines[i]
                continue
            parts.append(body)
            i += 1
            break
        logical = "".join(parts).strip()
        keyword, _, rest = logical.partition(" ")
        if not keyword:
            continue
        keyword = keyword.upper()
        flags, args = _flags(rest.strip())
        heredocs: list[Heredoc] = []
        if keyword in _HEREDOC_KEYWORDS:
            for match in _HEREDOC.finditer(args):
                strip_tabs, quote, name = match[1] == "-", match[2], match[3]
                body_lines: list[str] = []
                body_start = i + 1
                while i < n:
                    current = lines[i].lstrip("\t") if strip_tabs else lines[i]
                    i += 1
                    if current == name:
                        break
                    body_lines.append(current)
                heredocs.append(
                    Heredoc(name=name, body="\n".join(body_lines), expand=not quote, line=body_start)
                )
        out.append(Instruction(keyword=keyword, line=start, flags=flags, args=args, heredocs=tuple(heredocs)))
        if len(out) > MAX_INSTRUCTIONS:
            raise ParseError(f"more than {MAX_INSTRUCTIONS} instructions")
    return tuple(out), escape


def _flags(rest: str) -> tuple[tuple[tuple[str, str], ...], str]:
    flags: list[tuple[str, str]] = []
    while rest.startswith("--"):
        match = _FLAG.match(rest)
        if match is None:
            break
        value = match[2] or ""
        flags.append((match[1].lower(), value.strip('"')))
        rest = rest[match.end() :].lstrip()
    return tuple(flags), rest


# ----------------------------------------------------------------------------- variables


def expand(text: str, lookup: Callable[[str], str | None], escape: str = "\\") -> str:
    """``text`` with its variables replaced (an unset one by the empty string, as BuildKit does).
    One pass, left to right: linear in the length of the text."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == escape and i + 1 < n and text[i + 1] == "$":
            out.append("$")
            i += 2
            continue
        if char != "$" or i + 1 >= n:
            out.append(char)
            i += 1
            continue
        if text[i + 1] == "{":
            close = text.find("}", i + 2)
            if close < 0:
                out.append(text[i:])
                break
            out.append(_braced(text[i + 2 : close], lookup, escape))
            i = close + 1
            continue
        name = _NAME.match(text, i + 1)
        if name is None:
            out.append(char)
            i += 1
            continue
        out.append(lookup(name[0]) or "")
        i = name.end()
    return "".join(out)


def _braced(inner: str, lookup: Callable[[str], str | None], escape: str) -> str:
    name = _NAME.match(inner)
    if name is None:
        return "${" + inner + "}"
    value = lookup(name[0])
    rest = inner[name.end() :]
    if not rest:
        return value or ""
    for op in (":-", ":+", ":?", "-", "+", "?"):
        if rest.startswith(op):
            word = expand(rest[len(op) :], lookup, escape)
            empty_counts = op.startswith(":")
            is_set = value is not None and (bool(value) or not empty_counts)
            if op.endswith("-"):
                return (value or "") if is_set else word
            if op.endswith("+"):
                return word if is_set else ""
            return value or ""
    return value or ""  # pattern operators (#, %, /): keep the value, unchanged


def words(text: str, escape: str = "\\") -> list[str]:
    """Split on blanks outside quotes, dropping the quotes (for ENV and ARG arguments)."""
    out: list[str] = []
    current: list[str] = []
    quote = ""
    has_word = False
    i = 0
    while i < len(text):
        char = text[i]
        if char == escape and i + 1 < len(text) and quote != "'":
            current.append(text[i + 1])
            has_word = True
            i += 2
            continue
        if quote:
            if char == quote:
                quote = ""
            else:
                current.append(char)
        elif char in "\"'":
            quote = char
            has_word = True
        elif char in " \t":
            if has_word:
                out.append("".join(current))
                current, has_word = [], False
        else:
            current.append(char)
            has_word = True
        i += 1
    if has_word:
        out.append("".join(current))
    return out


def _pairs(args: str, *, legacy: bool) -> list[tuple[str, str | None]]:
    """``ENV``/``ARG`` arguments as (name, value) pairs, values unexpanded; with ``legacy`` the
    old ``ENV name value`` form too."""
    parts = words(args, "\0")
    if legacy and parts and "=" not in parts[0] and len(parts) > 1:
        raw = args.strip()
        name = raw.split(None, 1)[0]
        return [(name, " ".join(parts[1:]))]
    out: list[tuple[str, str | None]] = []
    for part in parts:
        name, sep, value = part.partition("=")
        out.append((name, value if sep else None))
    return out


def _stages(
    instructions: tuple[Instruction, ...], escape: str
) -> tuple[tuple[Stage, ...], dict[str, Variable]]:
    global_args: dict[str, Variable] = {
        name: Variable(name=name, value="${" + name + "}", kind="ARG", line=0) for name in PLATFORM_ARGS
    }
    stages: list[Stage] = []
    current: dict[str, Variable] | None = None
    steps: list[Step] = []
    snapshot: dict[str, Variable] | None = None
    header: tuple[int, str | None, int, str, str | None] | None = None

    def close() -> None:
        if header is not None:
            index, name, line, image, platform = header
            stages.append(
                Stage(index=index, name=name, line=line, image=image, platform=platform, steps=tuple(steps))
            )

    for ins in instructions:
        if ins.keyword == "FROM":
            close()
            parts = ins.args.split()
            image = expand(parts[0], _lookup(global_args), escape) if parts else ""
            name = parts[2].lower() if len(parts) >= 3 and parts[1].lower() == "as" else None
            header = (len(stages), name, ins.line, image, ins.flag("platform"))
            parent = next((s for s in reversed(stages) if s.name == image.lower()), None)
            current = {}
            if parent is not None and parent.steps:
                current = {k: v for k, v in parent.steps[-1].scope.items() if v.kind == "ENV"}
            steps, snapshot = [], None
            continue
        scope = global_args if current is None else current
        if ins.keyword == "ARG":
            for name, default in _pairs(ins.args, legacy=False):
                if default is not None:
                    value = expand(_unquote(default), _lookup(scope), escape)
                elif current is not None and name in global_args:
                    value = global_args[name].value
                else:
                    value = "${" + name + "}"
                if name in scope or len(scope) < MAX_VARIABLES:
                    scope[name] = Variable(name=name, value=value, kind="ARG", line=ins.line)
        elif ins.keyword == "ENV" and current is not None:
            for name, raw in _pairs(ins.args, legacy=True):
                value = expand(_unquote(raw or ""), _lookup(current), escape)
                if name in current or len(current) < MAX_VARIABLES:
                    current[name] = Variable(name=name, value=value, kind="ENV", line=ins.line)
        if current is not None:
            # A new snapshot only when ARG or ENV changed the scope; other steps share it.
            if ins.keyword in ("ARG", "ENV") or snapshot is None:
                snapshot = dict(current)
            steps.append(Step(instruction=ins, scope=snapshot))
    close()
    return tuple(stages), {k: v for k, v in global_args.items() if v.line}


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _lookup(scope: Mapping[str, Variable]) -> Callable[[str], str | None]:
    def get(name: str) -> str | None:
        var = scope.get(name)
        return None if var is None else var.value

    return get
